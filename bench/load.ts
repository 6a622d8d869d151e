// The load generator: a child process running autocannon, so it never shares an event loop
// with the process that hosts Miniflare. Driven over IPC by bench/run.ts.
import autocannon from "autocannon";

export interface LoadRequest {
  id: number;
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds (autocannon runs for one at least). */
  duration: number;
}

export interface LoadResult {
  id: number;
  /** Requests answered per second over the whole run. */
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  /** Count of answers per status class, e.g. { "2xx": 1234 }. */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

function run(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: request.url,
        headers: request.headers,
        connections: request.connections,
        duration: request.duration,
        pipelining: 1,
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
        const statuses: Record<string, number> = {};
        for (const k of ["1xx", "2xx", "3xx", "4xx", "5xx"] as const) if (result[k] > 0) statuses[k] = result[k];
        resolve({
          id: request.id,
          rps: result.requests.total / seconds,
          requests: result.requests.total,
          p50: result.latency.p50,
          p99: result.latency.p99,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
  });
}

process.on("message", (message: LoadRequest) => {
  run(message).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
