// What `npm run bench` measures and against which targets: the command line, the plan of each
// mode, and the small helpers every figure shares.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, fresh: { type: "boolean", default: false } },
});

export const QUICK = flags.quick === true;
/** Re-seed every store instead of reusing the ones kept in node_modules/.cache/feed-bench. */
export const FRESH = flags.fresh === true;

export type Format = "rss" | "atom" | "json";
export const FORMATS: Format[] = ["rss", "atom", "json"];
export const FILES: Record<Format, string> = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };

export const PLAN = QUICK
  ? {
      /** Read stores, seeded through the admin API. */
      stores: [20, 200],
      /** Write stores, seeded straight into the writer's SQLite and KV. */
      writeStores: [20, 1_000],
      duration: 1,
      warmup: 10,
      pairs: 1,
      connections: 10,
      renderBudgetMs: 200,
      scaleFormats: ["rss"] as Format[],
      wideFormats: ["rss"] as Format[],
      puts: 50,
      writers: 16,
      writerRequests: 160,
      objectBudgetMs: 1_000,
      markdownBudgetMs: 500,
    }
  : {
      stores: [20, 1_000, 10_000],
      writeStores: [20, 1_000, 10_000, 100_000],
      duration: 2,
      warmup: 30,
      pairs: 3,
      connections: 10,
      renderBudgetMs: 1_500,
      scaleFormats: FORMATS,
      wideFormats: FORMATS,
      puts: 100,
      writers: 16,
      writerRequests: 800,
      objectBudgetMs: 3_000,
      markdownBudgetMs: 2_000,
    };

export const SMALL = PLAN.stores[0] as number;
export const LARGE = PLAN.stores.at(-1) as number;
/** The store the 100-item figures read: the smallest holding 100 articles. */
export const MID = PLAN.stores.find((n) => n >= 100) as number;
export const WRITE_SMALL = PLAN.writeStores[0] as number;
export const WRITE_LARGE = PLAN.writeStores.at(-1) as number;

/** The batch publish: this many batches of BATCH_SIZE articles (the API's limit per batch). */
export const BATCHES = 10;
export const BATCH_SIZE = 100;

export const TARGETS = {
  pollRatio: 0.8,
  uncachedRatio: 0.5,
  renderVsFeed: 0.3,
  render100Ms: 2,
  storeGrowth: 1.2,
  kvReads: 2,
  bundleGzipKiB: 64,
  /** A write with the largest store costs at most this many times one with 20 stored. */
  writeGrowth: 1.5,
  /** The free plan's CPU limit per request, for the Worker's part of a write. */
  workerCpuMs: 10,
  writerErrors: 0,
};

export const SITE_URL = "https://news.example";
export const ADMIN_TOKEN = "bench-admin-token";

/** Every read says what feed readers say. */
export const ACCEPT = { "Accept-Encoding": "gzip" };

export const log = (message: string) => process.stderr.write(`${message}\n`);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The q-quantile (0…1) by nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] as number;
}

export type Check = { target: string; pass: boolean } | null;

export const atMost =
  (max: number, unit = "×") =>
  (value: number): Check => ({
    target: `≤ ${max}${unit}`,
    pass: value <= max,
  });
export const atLeast =
  (min: number) =>
  (value: number): Check => ({ target: `≥ ${min}×`, pass: value >= min });
