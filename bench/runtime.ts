// One workerd (through Miniflare) hosting the built Worker in several configurations, each with
// its store's writer (the Durable Object), a baseline Worker, KV-counting wrappers and a bulk KV
// seeder, each Worker on its own socket: no dev proxy in the path.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import type { Build } from "./build.ts";
import type { KvValue } from "./catalog.ts";
import { ADMIN_TOKEN, log, ROOT, SITE_URL } from "./plan.ts";
import { BASELINE, COUNTER, SEEDER } from "./workers.ts";

/** One instance of the built Worker. */
export interface AppSpec {
  name: string;
  /** The KV namespace it reads, which its writer writes. */
  store: string;
  pageSize: number;
  /** Isolate memory and the Cache API on (a warm Worker), or both off (a cold one). */
  warm: boolean;
  /** The Worker hosting this store's Durable Object; absent: this one hosts it. */
  writer?: string;
  /** Runs the Worker behind a wrapper that counts KV operations (see COUNTER). */
  counting?: boolean;
}

export interface Runtime {
  url: (worker: string) => URL;
  /** SQL inside a Worker's writer, run in the object itself (Miniflare's storage inspection). */
  writerSql: (worker: string) => Promise<{ exec: (query: string) => Promise<unknown[]> }>;
  /** Writes values straight into a store, many per request. */
  putValues: (store: string, values: KvValue[]) => Promise<void>;
  dispose: () => Promise<void>;
}

/** The Worker's vars from wrangler.toml, SITE_URL pinned so every URL is the same in every run. */
export function workerVars(): Record<string, string> {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const vars = Object.entries(config.vars).filter((e): e is [string, string] => typeof e[1] === "string");
  return { ...Object.fromEntries(vars), SITE_URL, ADMIN_TOKEN };
}

/** Worker logs go to stderr, but for the purge no-op every local flush announces. */
function relayLog({ level, message }: { level: string; message: string }): void {
  if (message.includes("cache purge skipped")) return;
  log(`  [workerd ${level}] ${message.trimEnd()}`);
}

/** `persistDir`: where KV, the writers' SQLite and the Cache API keep their data. */
export async function startRuntime(build: Build, apps: AppSpec[], persistDir: string): Promise<Runtime> {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const vars = workerVars();
  const counterPath = join(build.dir, "bench-counter.mjs");
  writeFileSync(counterPath, COUNTER(build.main));
  const common = {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  // A KV namespace is shared by id across Workers: a writer writes what the apps read.
  const stores = Object.fromEntries([...new Set(apps.map((a) => a.store))].map((s) => [s, s]));
  const workers = [
    { name: "baseline", modules: true, script: BASELINE, kvNamespaces: stores, ...common },
    { name: "seeder", modules: true, script: SEEDER, kvNamespaces: stores, ...common },
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
      durableObjects: {
        NEWSROOM: app.writer
          ? { className: "Newsroom", scriptName: app.writer, useSQLite: true }
          : { className: "Newsroom", useSQLite: true },
      },
      bindings: { ...vars, FEED_PAGE_SIZE: String(app.pageSize), ISOLATE_MEMORY: app.warm ? "on" : "off" },
      cacheAPI: app.warm,
      ...common,
    })),
  ];
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers,
      resourcePersistencePath: persistDir,
      unsafeInspectDurableObjects: true,
      handleStructuredLogs: relayLog,
      telemetry: { enabled: false },
    }),
  );
  await mf.ready;
  const urls = new Map<string, URL>();
  for (const w of workers) urls.set(w.name, await mf.unsafeGetDirectURL(w.name));
  const url = (worker: string) => {
    const found = urls.get(worker);
    if (!found) throw new Error(`no worker named ${worker}`);
    return found;
  };
  return {
    url,
    async writerSql(worker) {
      // "site": NEWSROOM_NAME in src/writer/newsroom.ts, the one writer a deployment has.
      const storage = await mf.unsafeGetDurableObjectStorage(worker, "Newsroom", { name: "site" });
      return { exec: (query: string) => storage.exec(query) };
    },
    async putValues(store, values) {
      const send = () =>
        fetch(new URL(`/?store=${encodeURIComponent(store)}`, url("seeder")), {
          method: "POST",
          body: JSON.stringify(values),
        });
      // A kept-alive connection workerd closed while rows were copied fails at once; puts repeat safely.
      const response = await send().catch(send);
      if (response.status !== 204)
        throw new Error(`seeding ${store} failed: ${response.status} ${await response.text()}`);
    },
    dispose: () => mf.dispose(),
  };
}
