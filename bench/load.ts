// The load generator: a child process, so it never shares an event loop with the process that
// hosts Miniflare. Reads run through autocannon; concurrent writers are plain HTTP clients, each
// on its own connection. Driven over IPC by bench/load-generator.ts.
import { Agent, request } from "node:http";
import autocannon from "autocannon";

export interface LoadRequest {
  kind: "load";
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

export interface WriteJob {
  method: string;
  path: string;
  body: string;
}

export interface WritersRequest {
  kind: "writers";
  id: number;
  origin: string;
  headers: Record<string, string>;
  /** Taken in order by whichever writer is free. */
  jobs: WriteJob[];
  writers: number;
}

export interface WritersResult {
  id: number;
  wallMs: number;
  /** Per request, in ms, in the order they finished. */
  latencies: number[];
  /** Count of answers per status code, e.g. { "201": 600 }. */
  statuses: Record<string, number>;
  /** Requests that got no answer at all. */
  failures: string[];
}

function runLoad(message: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: message.url,
        headers: message.headers,
        connections: message.connections,
        duration: message.duration,
        pipelining: 1,
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
        const statuses: Record<string, number> = {};
        for (const k of ["1xx", "2xx", "3xx", "4xx", "5xx"] as const) if (result[k] > 0) statuses[k] = result[k];
        resolve({
          id: message.id,
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

/** One request on `agent`'s one connection; its status, the body read to the end. */
function send(agent: Agent, origin: string, headers: Record<string, string>, job: WriteJob): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(job.path, origin), { method: job.method, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(job.body);
  });
}

async function runWriters(message: WritersRequest): Promise<WritersResult> {
  const result: WritersResult = { id: message.id, wallMs: 0, latencies: [], statuses: {}, failures: [] };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: message.writers }, async () => {
      // Each writer its own keep-alive connection, as separate publishers would have.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      while (next < message.jobs.length) {
        const job = message.jobs[next++] as WriteJob;
        const start = performance.now();
        try {
          const status = await send(agent, message.origin, message.headers, job);
          result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        } catch (error) {
          result.failures.push(`${job.method} ${job.path}: ${String(error)}`);
        }
        result.latencies.push(performance.now() - start);
      }
      agent.destroy();
    }),
  );
  result.wallMs = performance.now() - started;
  return result;
}

process.on("message", (message: LoadRequest | WritersRequest) => {
  const run = message.kind === "load" ? runLoad(message) : runWriters(message);
  run.then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
