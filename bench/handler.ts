// The built Worker's own CPU per request: the deployable bundle imported into Node (same V8),
// its KV an in-memory namespace, no edge cache. What Workers bills as CPU time, without I/O.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Build } from "./build.ts";
import type { MemoryKv } from "./memory-kv.ts";

interface Handler {
  fetch(
    request: Request,
    env: Record<string, unknown>,
    ctx: { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void },
  ): Promise<Response>;
}

export interface HandlerFigure {
  label: string;
  gzip: boolean;
  path: string;
  pageSize: number;
  status: number;
  us: number;
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * q)] as number;

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

export async function benchHandler(
  build: Build,
  kv: MemoryKv,
  vars: Record<string, string>,
  cases: { label: string; path: string; pageSize: number; conditional?: boolean; gzip?: boolean }[],
  budgetMs: number,
): Promise<HandlerFigure[]> {
  const worker = (await import(pathToFileURL(join(build.dir, build.main)).href)).default as Handler;
  const ctx = { waitUntil() {}, passThroughOnException() {} };
  const envs = new Map<string, Record<string, unknown>>();
  // Renders are timed cold (no isolate memory), polls warm, as a Worker meets each of them.
  const envFor = (pageSize: number, memory: boolean) => {
    const key = `${pageSize}:${memory}`;
    let env = envs.get(key);
    if (!env) {
      env = { ...vars, FEED_PAGE_SIZE: String(pageSize), ARTICLES: kv, ISOLATE_MEMORY: memory ? "on" : "off" };
      envs.set(key, env);
    }
    return env;
  };
  const figures: HandlerFigure[] = [];
  for (const c of cases) {
    const url = `http://bench.local${c.path}`;
    const env = envFor(c.pageSize, c.conditional === true);
    const accept: Record<string, string> = c.gzip ? { "Accept-Encoding": "gzip" } : {};
    const first = await worker.fetch(new Request(url, { headers: accept }), env, ctx);
    await first.arrayBuffer();
    const headers: Record<string, string> = c.conditional
      ? { ...accept, "If-None-Match": first.headers.get("ETag") ?? "" }
      : accept;
    let status = 0;
    const us = await timeRequests(async () => {
      const response = await worker.fetch(new Request(url, { headers }), env, ctx);
      status = response.status;
      return response;
    }, budgetMs);
    figures.push({ label: c.label, gzip: c.gzip === true, path: c.path, pageSize: c.pageSize, status, us });
  }
  return figures;
}
