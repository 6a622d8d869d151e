// The built Worker's own CPU per request: the deployable bundle imported into Node (same V8), its
// KV in memory, its writer a stub that answers at once. What Workers bills as CPU time, without I/O.
import { registerHooks } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Build } from "./build.ts";
import type { MemoryKv } from "./memory-kv.ts";
import { quantile } from "./plan.ts";

interface Entrypoint {
  fetch(request: Request): Promise<Response>;
}
type EntrypointClass = new (ctx: unknown, env: Record<string, unknown>) => Entrypoint;

export interface HandlerFigure {
  label: string;
  method: string;
  path: string;
  status: number;
  us: number;
}

export interface HandlerCase {
  label: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Which env answers: its page size (and store), and whether isolate memory is on. */
  pageSize?: number;
  memory?: boolean;
  /** Sends the ETag of a first answer back as If-None-Match. */
  conditional?: boolean;
}

const STUB = pathToFileURL(join(import.meta.dirname, "cloudflare-workers.ts")).href;
let hooked = false;

/** The bundle's default export, its one import from the runtime answered by bench/cloudflare-workers.ts. */
export async function loadWorker(build: Build): Promise<EntrypointClass> {
  if (!hooked) {
    registerHooks({
      resolve: (specifier, context, next) =>
        specifier === "cloudflare:workers" ? { url: STUB, shortCircuit: true } : next(specifier, context),
    });
    hooked = true;
  }
  return (await import(pathToFileURL(join(build.dir, build.main)).href)).default as EntrypointClass;
}

/** Lower quartile of per-request wall time over the budget, requests run one at a time. */
async function timeRequests(send: () => Promise<Response>, budgetMs: number): Promise<number> {
  const warm = performance.now() + Math.min(300, budgetMs / 3);
  while (performance.now() < warm) await (await send()).arrayBuffer();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < 20) {
    const start = performance.now();
    await (await send()).arrayBuffer();
    samples.push((performance.now() - start) * 1000);
  }
  return quantile(samples, 0.25);
}

/**
 * Times each case against its own env: `stores` by page size, vars as deployed, and `writer`
 * as the NEWSROOM binding (a stub: the Worker's part of a write ends at the RPC).
 */
export async function benchHandler(
  Worker: EntrypointClass,
  stores: Map<number, MemoryKv>,
  vars: Record<string, string>,
  writer: Record<string, (...args: unknown[]) => Promise<unknown>>,
  cases: HandlerCase[],
  budgetMs: number,
): Promise<HandlerFigure[]> {
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
  const NEWSROOM = { getByName: () => writer };
  const envs = new Map<string, Record<string, unknown>>();
  // One env object per configuration, as the runtime keeps one: per-env caches behave.
  const envFor = (pageSize: number, memory: boolean) => {
    const key = `${pageSize}:${memory}`;
    let env = envs.get(key);
    if (!env) {
      const ARTICLES = stores.get(pageSize);
      const ISOLATE_MEMORY = memory ? "on" : "off";
      env = { ...vars, FEED_PAGE_SIZE: String(pageSize), ARTICLES, NEWSROOM, ISOLATE_MEMORY };
      envs.set(key, env);
    }
    return env;
  };
  const figures: HandlerFigure[] = [];
  for (const c of cases) {
    const env = envFor(c.pageSize ?? 20, c.memory ?? false);
    const method = c.method ?? "GET";
    const request = (headers: Record<string, string>) =>
      new Request(`http://bench.local${c.path}`, { method, headers, ...(c.body ? { body: c.body } : {}) });
    const first = await new Worker(ctx, env).fetch(request(c.headers ?? {}));
    await first.arrayBuffer();
    const headers = c.conditional
      ? { ...c.headers, "If-None-Match": first.headers.get("ETag") ?? "" }
      : (c.headers ?? {});
    let status = 0;
    const us = await timeRequests(async () => {
      const response = await new Worker(ctx, env).fetch(request(headers));
      status = response.status;
      return response;
    }, budgetMs);
    figures.push({ label: c.label, method, path: c.path, status, us });
  }
  return figures;
}
