// Stores the writer did not write: a namespace from version 0.1 is indexed on first use, in steps
// (its old values keep serving readers meanwhile), and any store can be verified against the
// catalog, rewriting only the values that differ.
import { KEYS, type Logger, parseArticleValue } from "../store/keys.ts";
import { applyChange, closeAllArchives, readArticleRow } from "./catalog.ts";
import { markDirty } from "./dirty.ts";
import { readMeta, writeMeta } from "./schema.ts";
import { project } from "./values.ts";

/** The slice of the KV API adoption and verification use. */
export interface KvLister {
  get(key: string, type: "text"): Promise<string | null>;
  list(options: { prefix?: string; cursor?: string | null; limit?: number }): Promise<{
    keys: { name: string; metadata?: unknown }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

export type AdoptionState = "unknown" | "running" | "done";

export const adoptionState = (sql: SqlStorage): AdoptionState =>
  (readMeta(sql, "adoption") as AdoptionState | null) ?? "unknown";

export interface AdoptionStep {
  state: AdoptionState;
  adopted: number;
  skipped: string[];
}

/**
 * One step of adoption: a page of `article:` keys read into the catalog as public articles.
 * The last step closes the archives and marks the old index values for rewriting or deletion.
 */
export async function adoptStep(
  storage: DurableObjectStorage,
  kv: KvLister,
  settings: { now: string; pageSize: number },
  log: Logger,
): Promise<AdoptionStep> {
  const sql = storage.sql;
  const state = adoptionState(sql);
  if (state === "done") return { state, adopted: 0, skipped: [] };
  if (state === "unknown") {
    const probe = await kv.list({ prefix: "article:", limit: 1 });
    if (probe.keys.length === 0) {
      writeMeta(sql, "adoption", "done");
      return { state: "done", adopted: 0, skipped: [] };
    }
    writeMeta(sql, "adoption", "running");
    writeMeta(sql, "adoption_cursor", "");
  }
  const cursor = readMeta(sql, "adoption_cursor") || null;
  const page = await kv.list({ prefix: "article:", cursor, limit: 500 });
  const slugs = page.keys.map((k) => k.name.slice("article:".length));
  const texts = await Promise.all(slugs.map((slug) => kv.get(KEYS.article(slug), "text")));
  const skipped: string[] = [];
  let adopted = 0;
  storage.transactionSync(() => {
    slugs.forEach((slug, i) => {
      if (readArticleRow(sql, slug)) return;
      const value = parseArticleValue(texts[i] ?? null, slug);
      if (value?.kind !== "article") {
        if (texts[i] !== null) skipped.push(slug);
        return;
      }
      const { changedAt: _changed, ...record } = value.article;
      applyChange(sql, slug, { record, status: "public", source: "" }, { ...settings, closeArchives: false });
      const changed = record.updatedAt ?? record.publishedAt;
      sql.exec("UPDATE articles SET changed = ? WHERE slug = ?", changed, slug);
      adopted++;
    });
    writeMeta(sql, "adoption_cursor", page.list_complete ? "" : (page.cursor ?? ""));
  });
  if (skipped.length > 0) log("adoption skipped corrupt or incompatible article records", { slugs: skipped });
  if (!page.list_complete) return { state: "running", adopted, skipped };
  await finishAdoption(storage, kv, settings);
  return { state: "done", adopted, skipped };
}

async function finishAdoption(
  storage: DurableObjectStorage,
  kv: KvLister,
  settings: { now: string; pageSize: number },
): Promise<void> {
  const sql = storage.sql;
  const legacy: string[] = [];
  for (const prefix of ["scope:", "items:", "rest:", "catalog:"]) {
    for await (const key of listAll(kv, prefix)) legacy.push(key.name);
  }
  storage.transactionSync(() => {
    closeAllArchives(sql, settings.pageSize, settings.now);
    // The old records are what the writer would write (less their change time): not rewritten.
    for (const { slug } of sql.exec<{ slug: string }>("SELECT slug FROM articles")) {
      const key = KEYS.article(slug);
      const { stamp } = project(sql, key, settings.pageSize);
      sql.exec("DELETE FROM dirty WHERE key = ?", key);
      sql.exec("INSERT OR REPLACE INTO written (key, at, stamp) VALUES (?, 0, ?)", key, stamp);
    }
    for (const key of legacy) {
      sql.exec("INSERT OR REPLACE INTO written (key, at, stamp) VALUES (?, 0, 'legacy')", key);
      markDirty(sql, key);
    }
    writeMeta(sql, "adoption", "done");
  });
}

async function* listAll(kv: KvLister, prefix: string) {
  let cursor: string | null = null;
  do {
    const page = await kv.list({ prefix, cursor });
    yield* page.keys;
    cursor = page.list_complete ? null : (page.cursor ?? null);
  } while (cursor);
}

/** Every key the catalog says KV should hold. */
function expectedKeys(sql: SqlStorage): string[] {
  const keys = new Set<string>([KEYS.tags, KEYS.sitemap]);
  for (const { slug } of sql.exec<{ slug: string }>("SELECT slug FROM articles WHERE status = 'public'")) {
    keys.add(KEYS.article(slug));
  }
  for (const { slug } of sql.exec<{ slug: string }>("SELECT DISTINCT slug FROM tombstones"))
    keys.add(KEYS.article(slug));
  for (const { scope, archives } of sql.exec<{ scope: string; archives: number }>(
    "SELECT scope, archives FROM scopes",
  )) {
    for (const key of [KEYS.scope(scope), KEYS.items(scope), KEYS.rest(scope), KEYS.chunks(scope)]) keys.add(key);
    for (let archive = 1; archive <= archives; archive++) keys.add(KEYS.archive(scope, archive));
  }
  for (const { part } of sql.exec<{ part: number }>("SELECT part FROM sitemap_parts UNION SELECT 1")) {
    keys.add(KEYS.sitemapPart(part));
  }
  return [...keys];
}

export interface VerifyReport {
  listed: number;
  /** Keys marked for the next flush: missing, different, or no longer wanted. */
  marked: number;
}

/**
 * Compares KV with the catalog by the stamps each value carries in its metadata: every key that
 * is missing, differs or should not exist is marked, and the flush rewrites only those.
 */
export async function verifyStore(storage: DurableObjectStorage, kv: KvLister): Promise<VerifyReport> {
  const sql = storage.sql;
  const stored = new Map<string, string>();
  for await (const key of listAll(kv, "")) {
    const meta = key.metadata as { s?: unknown } | undefined;
    stored.set(key.name, typeof meta?.s === "string" ? meta.s : "unknown");
  }
  let marked = 0;
  storage.transactionSync(() => {
    for (const key of new Set([...expectedKeys(sql), ...stored.keys()])) {
      const stamp = stored.get(key) ?? "";
      sql.exec(
        `INSERT INTO written (key, at, stamp) VALUES (?, 0, ?)
         ON CONFLICT (key) DO UPDATE SET stamp = excluded.stamp`,
        key,
        stamp,
      );
      markDirty(sql, key);
      marked++;
    }
  });
  return { listed: stored.size, marked };
}
