// A writer's catalog built in Node by the writer's own functions: each article through
// prepareWrite and applyChange, archives closed as a bulk import closes them, and the writer's
// flush after every round, so the store ends as a writer that published them would leave it.
import { parseArticleInput } from "../src/article/model.ts";
import type { Logger } from "../src/store/keys.ts";
import { applyChange, closeAllArchives } from "../src/writer/catalog.ts";
import { flush, type KvWriter } from "../src/writer/flush.ts";
import { migrate, writeMeta } from "../src/writer/schema.ts";
import { project } from "../src/writer/values.ts";
import { prepareWrite, type ReadyWrite } from "../src/writer/writes.ts";
import type { Input } from "./articles.ts";

/** Articles per round: one transaction, then one flush. */
const ROUND = 2_000;
/** The rounds' clock: after every generated article, before any measured write. */
const SEEDED_FROM = Date.parse("2026-10-02T00:00:00Z");

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const failOnLog: Logger = (message, detail) => {
  throw new Error(`the writer complained while seeding: ${message} ${JSON.stringify(detail ?? {})}`);
};

/** A KV that takes every write and keeps none: for catalogs whose values nobody reads. */
export const discardingKv: KvWriter = { put: async () => {}, delete: async () => {} };

/** Seeds an empty catalog with `inputs` (oldest first, as a site grows). */
export async function seedCatalog(
  storage: DurableObjectStorage,
  inputs: Input[],
  kv: KvWriter,
  pageSize: number,
  progress: (done: number) => void = () => {},
): Promise<void> {
  const sql = storage.sql;
  migrate(sql);
  // A fresh store: what the writer records when its first probe finds KV empty.
  writeMeta(sql, "adoption", "done");
  for (let start = 0, round = 0; start < inputs.length; start += ROUND, round++) {
    // Two seconds a round: the flush never waits for KV's one write a second per key.
    const at = SEEDED_FROM + round * 2_000;
    const settings = { now: iso(at), pageSize };
    const prepared: ReadyWrite[] = [];
    for (const [slug, body] of inputs.slice(start, start + ROUND)) {
      const parsed = parseArticleInput(body);
      if (!parsed.ok) throw new Error(`generated article ${slug} is invalid: ${JSON.stringify(parsed.issues)}`);
      const write = await prepareWrite(sql, slug, parsed.value, settings);
      if (!write.ok) throw new Error(`generated article ${slug} was refused: ${JSON.stringify(write.issues)}`);
      prepared.push(write);
    }
    storage.transactionSync(() => {
      for (const write of prepared) applyChange(sql, write.slug, write.next, { ...settings, closeArchives: false });
      closeAllArchives(sql, pageSize, settings.now);
    });
    const flushed = await flush(sql, kv, { now: at, spacingMs: 1_000, pageSize, log: failOnLog });
    if (flushed.failed.length > 0 || flushed.nextAt !== null) throw new Error("the seeding flush left work behind");
    progress(Math.min(start + ROUND, inputs.length));
  }
  const dirty = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dirty").one().n;
  if (dirty > 0) throw new Error(`the seeded catalog has ${dirty} keys left to flush`);
}

export interface KvValue {
  key: string;
  value: string;
  metadata: { s: string };
}

/**
 * What KV holds for a flushed catalog, projected again by the writer's own `project` with the
 * change times the flush recorded: the same bytes the flush wrote.
 */
export function* projectKv(sql: SqlStorage, pageSize: number): Generator<KvValue> {
  for (const { key, stamp } of sql.exec<{ key: string; stamp: string }>(
    "SELECT key, stamp FROM written ORDER BY key",
  )) {
    const projection = project(sql, key, pageSize);
    if (projection.stamp !== stamp) throw new Error(`${key} is not as the flush left it`);
    const value = projection.render(projection.previousChanged ?? "");
    if (value !== null) yield { key, value, metadata: { s: stamp } };
  }
}

export const countArticles = (sql: SqlStorage): number =>
  sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM articles").one().n;
