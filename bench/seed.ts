// Seeding, and keeping what was seeded between runs (node_modules/.cache/feed-bench/<fingerprint>).
// Read stores go through the admin API of the running Worker; write stores are built in Node by the
// writer's own functions (bench/catalog.ts) and copied into the object's SQLite and into KV.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { migrate } from "../src/writer/schema.ts";
import { type Input, seedSizedInputs, smallInputs } from "./articles.ts";
import { countArticles, discardingKv, type KvValue, projectKv, seedCatalog } from "./catalog.ts";
import { adminJson, countStored, waitForFlush } from "./http.ts";
import { BATCH_SIZE, FRESH, log, ROOT } from "./plan.ts";
import type { Runtime } from "./runtime.ts";
import { NodeStorage } from "./sql-storage.ts";

/** Everything that decides the seeded bytes: the writer, the article pipeline, the generators. */
const DECIDING = [
  "src/article",
  "src/writer",
  "src/store",
  "src/cache",
  "src/publish/content.ts",
  "wrangler.toml",
  "bench/articles.ts",
  "bench/catalog.ts",
  "content/isis-k-and-the-crocus-city-hall-attack.md",
  "node_modules/miniflare/package.json",
];

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => filesUnder(join(path, name)));
}

function fingerprint(): string {
  const hash = createHash("sha256");
  for (const file of DECIDING.flatMap(filesUnder).sort()) hash.update(file).update(readFileSync(join(ROOT, file)));
  return hash.digest("hex").slice(0, 16);
}

/** The directory for this fingerprint's stores; older fingerprints' (or all, with --fresh) removed. */
export function cacheDir(): string {
  const parent = join(ROOT, "node_modules", ".cache", "feed-bench");
  const dir = join(parent, fingerprint());
  if (existsSync(parent)) {
    for (const old of readdirSync(parent))
      if (join(parent, old) !== dir || FRESH) rmSync(join(parent, old), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * A read store: `count` seed-sized articles, oldest first, in batches of 100 through
 * POST /api/batch of the Worker hosting the store's writer, then every value in KV.
 */
export async function seedThroughApi(runtime: Runtime, writer: string, count: number, dir: string): Promise<void> {
  const marker = join(dir, `seeded-${writer}.json`);
  const base = runtime.url(writer);
  if (existsSync(marker) && (await countStored(base)) === count) {
    log(`  ${writer}: ${count} articles, reused from ${relative(ROOT, dir)}`);
    return;
  }
  const started = performance.now();
  const inputs = seedSizedInputs(count);
  for (let start = 0; start < inputs.length; start += BATCH_SIZE) {
    const articles = Object.fromEntries(inputs.slice(start, start + BATCH_SIZE));
    await adminJson(base, "POST", "/api/batch", { articles });
  }
  await waitForFlush(base);
  const stored = await countStored(base);
  if (stored !== count) throw new Error(`${writer} holds ${stored} articles, expected ${count}`);
  writeFileSync(marker, JSON.stringify({ count }));
  log(`  ${writer}: ${count} articles through POST /api/batch, in KV after ${seconds(started)}`);
}

/** A catalog in memory, seeded in Node; `file` keeps it between runs. */
export async function nodeCatalog(inputs: Input[], pageSize: number, file?: string): Promise<NodeStorage> {
  const storage = new NodeStorage();
  if (file && existsSync(file)) {
    loadKept(storage, file);
    return storage;
  }
  const started = performance.now();
  await seedCatalog(storage, inputs, discardingKv, pageSize, (done) => {
    if (done % 20_000 === 0) log(`    ${done} of ${inputs.length} (${seconds(started)})`);
  });
  if (file) storage.db.exec(`VACUUM INTO ${literal(file)}`);
  return storage;
}

/** The kept rows under the schema the writer's migrations make (its keys and indexes). */
function loadKept(storage: NodeStorage, file: string): void {
  migrate(storage.sql);
  storage.db.exec(`ATTACH DATABASE ${literal(file)} AS kept`);
  const tables = storage.sql
    .exec<{ name: string }>("SELECT name FROM kept.sqlite_master WHERE type = 'table' AND name != '_migrations'")
    .toArray();
  for (const { name } of tables) storage.db.exec(`INSERT INTO main."${name}" SELECT * FROM kept."${name}"`);
  storage.db.exec("DETACH DATABASE kept");
}

/** The small-article catalog of a write store; big ones are kept between runs. */
export function writeCatalog(count: number, dir: string): Promise<NodeStorage> {
  const file = count >= 10_000 ? join(dir, `catalog-${count}.sqlite`) : undefined;
  if (file && !existsSync(file)) log(`  seeding a catalog of ${count} in Node (kept for later runs)…`);
  return nodeCatalog(file && existsSync(file) ? [] : smallInputs(count), 20, file);
}

// The object's SQLite takes statements of at most 100 KB (Durable Objects' limit).
const STATEMENT_BYTES = 90_000;
const TABLES = ["meta", "articles", "texts", "members", "scopes", "chunks", "tombstones", "written", "sitemap_parts"];

const literal = (value: unknown): string =>
  value === null ? "NULL" : typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`;

/** Whether `writer`'s store was seeded into `dir` already (by copyIntoWriter). */
export const isSeeded = (dir: string, writer: string) => existsSync(join(dir, `seeded-${writer}.json`));

/** A write store: `catalog`'s rows into the writer's own SQLite, and its KV values into KV. */
export async function copyIntoWriter(
  runtime: Runtime,
  writer: string,
  store: string,
  catalog: NodeStorage,
  dir: string,
): Promise<void> {
  const started = performance.now();
  const target = await runtime.writerSql(writer);
  for (const table of TABLES) {
    await target.exec(`DELETE FROM ${table}`);
    let values: string[] = [];
    let bytes = 0;
    let columns = "";
    const send = async () => {
      if (values.length > 0) await target.exec(`INSERT INTO ${table} (${columns}) VALUES ${values.join(",")}`);
      values = [];
      bytes = 0;
    };
    for (const rowValue of catalog.db.prepare(`SELECT * FROM ${table}`).iterate()) {
      columns ||= Object.keys(rowValue).join(", ");
      const tuple = `(${Object.values(rowValue).map(literal).join(",")})`;
      const size = Buffer.byteLength(tuple);
      if (bytes + size > STATEMENT_BYTES) await send();
      values.push(tuple);
      bytes += size + 1;
    }
    await send();
  }
  let batch: KvValue[] = [];
  let batchBytes = 0;
  let written = 0;
  const sendValues = async () => {
    await runtime.putValues(store, batch);
    written += batch.length;
    if (Math.floor(written / 20_000) > Math.floor((written - batch.length) / 20_000))
      log(`    ${written} KV values (${seconds(started)})`);
    batch = [];
    batchBytes = 0;
  };
  for (const value of projectKv(catalog.sql, 20)) {
    batch.push(value);
    batchBytes += value.value.length;
    // Bounded by bytes too: archives are tens of KB each, and workerd holds a request whole.
    if (batch.length === 500 || batchBytes > 2_000_000) await sendValues();
  }
  await sendValues();
  const expected = countArticles(catalog.sql);
  const stored = await countStored(runtime.url(writer));
  if (stored !== expected) throw new Error(`${writer} holds ${stored} articles after the copy, expected ${expected}`);
  await waitForFlush(runtime.url(writer), 1_000);
  writeFileSync(join(dir, `seeded-${writer}.json`), JSON.stringify({ count: expected }));
  log(`  ${writer}: ${expected} articles and ${written} KV values copied in ${seconds(started)}`);
}
