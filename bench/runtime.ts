// One workerd (through Miniflare) hosting the built Worker in several configurations, the
// baseline Worker, and KV-counting wrappers, each on its own socket: no dev proxy in the path.
import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import type { KvLike } from "../src/store/kv.ts";
import type { KvRecord } from "./articles.ts";
import { type Build, ROOT } from "./build.ts";

export const SITE_URL = "https://news.example";

/** One instance of the built Worker: which store it reads, its page size, and its edge cache. */
export interface AppSpec {
  name: string;
  store: string;
  pageSize: number;
  /** Edge cache and isolate memory both on (a warm Worker), or both off (a cold one). */
  cache: boolean;
  /** Runs the Worker behind a wrapper that counts KV operations (see COUNTER). */
  counting?: boolean;
}

// The baseline: whatever status, headers and bytes it was last given, answered as is. It is
// configured with a copy of the response under test, so it is the runtime's limit for exactly
// that response. Given KV keys, it first reads them (one after another, as the Worker does):
// the floor for any Worker that must make those reads.
const BASELINE = `
let status = 200, headers = [], body = null, store = null, keys = [];
export default {
  async fetch(request, env) {
    if (request.method === "PUT") {
      const next = await request.json();
      status = next.status;
      headers = next.headers;
      body = next.body === null ? null : Uint8Array.from(atob(next.body), (c) => c.charCodeAt(0));
      store = next.store;
      keys = next.keys;
      return new Response(null, { status: 204 });
    }
    for (const key of keys) await env[store].get(key, "text");
    const manual = headers.some(([name]) => name === "content-encoding");
    return new Response(body, manual ? { status, headers, encodeBody: "manual" } : { status, headers });
  },
};
`;

// Forwards every KV call to the real namespace and counts it; GET /__kv reads and resets the
// counts. Lives only in the bench: the production bundle is imported unchanged.
const COUNTER = (main: string) => `
import app from "./${main}";
const fresh = () => ({ reads: 0, lists: 0, writes: 0, keys: [], bytesRead: 0 });
let counts = fresh();
const size = (value) => (typeof value === "string" ? new TextEncoder().encode(value).length : 0);
function counting(kv) {
  return {
    get: async (...a) => {
      counts.reads++;
      counts.keys.push(a[0]);
      const value = await kv.get(...a);
      counts.bytesRead += size(value);
      return value;
    },
    getWithMetadata: (...a) => (counts.reads++, kv.getWithMetadata(...a)),
    list: (...a) => (counts.lists++, kv.list(...a)),
    put: (...a) => (counts.writes++, kv.put(...a)),
    delete: (...a) => (counts.writes++, kv.delete(...a)),
  };
}
let wrapped = null;
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__kv") {
      const body = JSON.stringify(counts);
      counts = fresh();
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    }
    // One wrapped env for the isolate's life, as the runtime keeps one env: per-env caches behave.
    wrapped ??= { ...env, ARTICLES: counting(env.ARTICLES) };
    return app.fetch(request, wrapped, ctx);
  },
};
`;

// Writes many records in one request, inside workerd: seeding 10,000 records one proxy call at a
// time from Node would take minutes.
const SEEDER = `
export default {
  async fetch(request, env) {
    const kv = env[new URL(request.url).searchParams.get("store")];
    const records = await request.json();
    await Promise.all(records.map((r) => kv.put(r.key, r.value, { metadata: r.metadata })));
    return new Response(null, { status: 204 });
  },
};
`;

export interface Runtime {
  mf: Miniflare;
  url: (worker: string) => URL;
  /** A store's namespace as Node sees it (Miniflare's proxy): what the project's store code runs on. */
  kv: (store: string) => Promise<KvLike>;
  /** Writes records straight into a store, many per request. */
  putRecords: (store: string, records: KvRecord[]) => Promise<void>;
  dispose: () => Promise<void>;
}

/** The Worker's vars from wrangler.toml, SITE_URL pinned so every URL is the same in every run. */
export function workerVars(): Record<string, string> {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const vars = Object.entries(config.vars).filter((e): e is [string, string] => typeof e[1] === "string");
  return { ...Object.fromEntries(vars), SITE_URL, ADMIN_TOKEN: "bench-admin-token" };
}

/** `persistDir`: where KV (and the Cache API) keep their data, so a seeded store outlives the run. */
export async function startRuntime(build: Build, apps: AppSpec[], persistDir: string): Promise<Runtime> {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const vars = workerVars();
  const counterPath = join(build.dir, "bench-counter.mjs");
  writeFileSync(counterPath, COUNTER(build.main));
  const socket = { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };
  const common = {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    ...socket,
  };
  // A KV namespace is shared by id across workers: the seeder writes what the apps read.
  const stores = [...new Set(apps.map((a) => a.store))];
  const workers = [
    {
      name: "baseline",
      modules: true,
      script: BASELINE,
      kvNamespaces: Object.fromEntries(stores.map((s) => [s, s])),
      ...common,
    },
    {
      name: "seeder",
      modules: true,
      script: SEEDER,
      kvNamespaces: Object.fromEntries(stores.map((s) => [s, s])),
      ...common,
    },
    ...apps.map((app) => ({
      name: app.name,
      ...(app.counting
        ? {
            modules: [
              { type: "ESModule" as const, path: counterPath },
              { type: "ESModule" as const, path: join(build.dir, build.main) },
            ],
          }
        : { modules: true, scriptPath: join(build.dir, build.main) }),
      modulesRoot: build.dir,
      kvNamespaces: { ARTICLES: app.store },
      // Cache off means a cold isolate too: no edge cache, no isolate memory (ISOLATE_MEMORY).
      bindings: { ...vars, FEED_PAGE_SIZE: String(app.pageSize), ISOLATE_MEMORY: app.cache ? "on" : "off" },
      cacheAPI: app.cache,
      ...common,
    })),
  ];
  const mf = new Miniflare(convertV4MiniflareOptions({ workers, resourcePersistencePath: persistDir }));
  await mf.ready;
  const urls = new Map<string, URL>();
  for (const w of workers) urls.set(w.name, await mf.unsafeGetDirectURL(w.name));
  return {
    mf,
    url(worker) {
      const url = urls.get(worker);
      if (!url) throw new Error(`no worker named ${worker}`);
      return url;
    },
    async kv(store) {
      return (await mf.getKVNamespace(store, "seeder")) as unknown as KvLike;
    },
    async putRecords(store, records) {
      const BATCH = 250;
      for (let start = 0; start < records.length; start += BATCH) {
        const url = new URL(`/?store=${encodeURIComponent(store)}`, urls.get("seeder"));
        const response = await fetch(url, {
          method: "POST",
          body: JSON.stringify(records.slice(start, start + BATCH)),
        });
        if (response.status !== 204)
          throw new Error(`seeding ${store} failed: ${response.status} ${await response.text()}`);
      }
    },
    dispose: () => mf.dispose(),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One GET with exactly the given headers, body bytes as sent (no decompression): what the load
 * generator will receive too.
 */
export function rawGet(url: URL, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Points the baseline at a copy of `response`: same status, headers and body bytes; `reads`
 * makes it read those KV keys of `store` first.
 */
export async function mirrorInBaseline(
  runtime: Runtime,
  response: RawResponse,
  reads?: { store: string; keys: string[] },
) {
  const skip = new Set(["content-length", "date", "transfer-encoding", "connection", "keep-alive"]);
  const headers = Object.entries(response.headers).filter(([name]) => !skip.has(name));
  const put = await fetch(runtime.url("baseline"), {
    method: "PUT",
    body: JSON.stringify({
      status: response.status,
      headers,
      body: response.status === 304 ? null : response.body.toString("base64"),
      store: reads?.store ?? null,
      keys: reads?.keys ?? [],
    }),
  });
  if (put.status !== 204) throw new Error(`the baseline refused its configuration: ${put.status}`);
}
