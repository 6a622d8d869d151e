// The parent's side of bench/load.ts: one child process, requests sent over IPC, answers matched by id.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { LoadRequest, LoadResult, WriteJob, WritersRequest, WritersResult } from "./load.ts";
import { ROOT } from "./plan.ts";

type Answer = LoadResult | WritersResult;
type Waiter = { resolve: (answer: Answer) => void; reject: (error: Error) => void };

export class LoadGenerator {
  #child: ChildProcess;
  #next = 1;
  #pending = new Map<number, Waiter>();

  constructor() {
    this.#child = fork(join(ROOT, "bench", "load.ts"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.#child.on("message", (message: Answer & { error?: string }) => {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message);
    });
    this.#child.on("exit", (code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`the load generator exited (${code})`));
    });
  }

  #ask(message: LoadRequest | WritersRequest): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject });
      this.#child.send(message);
    });
  }

  /** autocannon against one URL for `duration` seconds. */
  load(url: URL, headers: Record<string, string>, connections: number, duration: number): Promise<LoadResult> {
    const id = this.#next++;
    return this.#ask({ kind: "load", id, url: url.href, headers, connections, duration }) as Promise<LoadResult>;
  }

  /** `jobs` sent by `writers` clients at once, each on its own connection. */
  writers(origin: URL, headers: Record<string, string>, jobs: WriteJob[], writers: number): Promise<WritersResult> {
    const id = this.#next++;
    return this.#ask({ kind: "writers", id, origin: origin.href, headers, jobs, writers }) as Promise<WritersResult>;
  }

  stop(): void {
    this.#child.disconnect();
  }
}
