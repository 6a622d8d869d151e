// The index of record: every article (public, draft or scheduled) with its full text, its
// scopes and its tombstones, in the writer's SQLite. A change costs a few indexed queries
// whatever is stored, and marks the KV keys it alters for the flush.
import { type Article, type ArticleStatus, isoSeconds, latestDate, tagSlug, toEntry } from "../article/model.ts";
import { ALL, KEYS, type Scope, tagScope } from "../store/keys.ts";
import { markDirty } from "./dirty.ts";
import {
  closeArchives,
  dropEmptyScope,
  joinScope,
  leaveScope,
  markScope,
  markSitemap,
  placeInSitemap,
  touchScope,
} from "./membership.ts";

/** How long Atom feeds carry a deleted article's tombstone (RFC 6721). */
export const TOMBSTONE_DAYS = 30;
/** Characters per stored text part: at most 1.6 MB of UTF-8, under SQLite's 2 MB a row. */
const PART_CHARS = 400_000;

export interface ArticleRow {
  slug: string;
  status: ArticleStatus;
  published: string;
  modified: string;
  /** When a scheduled article goes public: the later of its dates. */
  visible: string;
  hash: string;
  /** The input's hash, which the publish command compares to skip unchanged files. */
  source: string;
  id: string;
  /** Tag slugs, as JSON. */
  tags: string;
  changed: string;
  sitemap: number | null;
}

export function readArticleRow(sql: SqlStorage, slug: string): ArticleRow | null {
  return (
    (sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM articles WHERE slug = ?", slug).toArray()[0] as
      | ArticleRow
      | undefined) ?? null
  );
}

function writeText(sql: SqlStorage, slug: string, kind: string, text: string): void {
  sql.exec("DELETE FROM texts WHERE slug = ? AND kind = ?", slug, kind);
  let seq = 0;
  for (let start = 0; start < text.length || seq === 0; seq++) {
    let end = Math.min(start + PART_CHARS, text.length);
    // Never split a surrogate pair between two rows.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
    sql.exec("INSERT INTO texts (slug, kind, seq, text) VALUES (?, ?, ?, ?)", slug, kind, seq, text.slice(start, end));
    start = end;
  }
}

function readText(sql: SqlStorage, slug: string, kind: string): string | null {
  const parts = sql
    .exec<{ text: string }>("SELECT text FROM texts WHERE slug = ? AND kind = ? ORDER BY seq", slug, kind)
    .toArray();
  return parts.length === 0 ? null : parts.map((p) => p.text).join("");
}

/** Bound parameters a query may take (Durable Objects' SQLite limit is 100). */
const PARAMETERS = 90;

/**
 * The entries (records without their Markdown, one NDJSON line each) of `slugs`, in order, a
 * query per 90 of them: a feed value is built in a few reads.
 */
export function readEntryLines(sql: SqlStorage, slugs: string[]): string[] {
  const texts = new Map<string, string>();
  for (let from = 0; from < slugs.length; from += PARAMETERS) {
    const some = slugs.slice(from, from + PARAMETERS);
    const rows = sql.exec<{ slug: string; text: string }>(
      `SELECT slug, text FROM texts WHERE kind = 'entry' AND slug IN (${some.map(() => "?").join(",")}) ORDER BY slug, seq`,
      ...some,
    );
    for (const { slug, text } of rows) texts.set(slug, (texts.get(slug) ?? "") + text);
  }
  return slugs.map((slug) => texts.get(slug) ?? "");
}

export function readRecord(sql: SqlStorage, slug: string): Article | null {
  const entry = readText(sql, slug, "entry");
  const content = readText(sql, slug, "content");
  if (entry === null || content === null) return null;
  return { ...(JSON.parse(entry) as Omit<Article, "content">), content };
}

/** The record as `article:<slug>` holds it: entry and Markdown, and when it last changed. */
export function recordText(sql: SqlStorage, slug: string, changedAt: string): string | null {
  const entry = readText(sql, slug, "entry");
  const content = readText(sql, slug, "content");
  if (entry === null || content === null) return null;
  return `${entry.slice(0, -1)},"content":${JSON.stringify(content)},"changedAt":${JSON.stringify(changedAt)}}`;
}

export const scopesOf = (tagSlugs: readonly string[]): Scope[] => [ALL, ...tagSlugs.map(tagScope)];

/** How many times `slug` was deleted while public: a reused slug gets a new id. */
export const generationOf = (sql: SqlStorage, slug: string): number =>
  sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM tombstones WHERE slug = ?", slug).one().n;

export interface NextState {
  record: Article;
  status: ArticleStatus;
  source: string;
}

export interface ChangeOptions {
  now: string;
  pageSize: number;
  /** False during a bulk import: archives are closed once at the end (`closeAllArchives`). */
  closeArchives?: boolean;
}

/**
 * Applies one article's new state (null: deleted) to the catalog and marks every KV key it
 * alters. Synchronous: callers run it inside one transaction.
 */
export function applyChange(sql: SqlStorage, slug: string, next: NextState | null, options: ChangeOptions): void {
  const { now, pageSize } = options;
  const before = readArticleRow(sql, slug);
  const wasPublic = before?.status === "public";
  const isPublic = next?.status === "public";
  const beforeScopes = wasPublic ? scopesOf(JSON.parse(before.tags) as string[]) : [];
  const nextTags = next ? next.record.tags : [];
  const afterScopes = isPublic ? scopesOf(nextTags.map(tagSlug)) : [];
  const moved = before !== null && next !== null && before.published !== next.record.publishedAt;

  if (next) writeArticle(sql, next, before, now);
  else if (before) {
    sql.exec("DELETE FROM articles WHERE slug = ?", slug);
    sql.exec("DELETE FROM texts WHERE slug = ?", slug);
  }

  const nameIn = (scope: Scope) => nextTags.find((tag) => tagScope(tagSlug(tag)) === scope) ?? null;
  for (const scope of beforeScopes) {
    if (!afterScopes.includes(scope) || moved) leaveScope(sql, scope, slug);
  }
  for (const scope of afterScopes) {
    const published = (next as NextState).record.publishedAt;
    if (!beforeScopes.includes(scope) || moved) joinScope(sql, scope, slug, published, nameIn(scope), now);
    else touchScope(sql, scope, slug, nameIn(scope), now);
  }
  for (const scope of new Set([...beforeScopes, ...afterScopes])) {
    if (options.closeArchives !== false) closeArchives(sql, scope, pageSize, now);
    dropEmptyScope(sql, scope);
  }

  if (!next && wasPublic && before) {
    sql.exec(
      "INSERT OR REPLACE INTO tombstones (id, slug, deleted, scopes) VALUES (?, ?, ?, ?)",
      before.id,
      slug,
      now,
      JSON.stringify(beforeScopes),
    );
    for (const scope of beforeScopes) markScope(sql, scope, 0);
  }
  if (wasPublic || isPublic) markDirty(sql, KEYS.article(slug));
  if (isPublic) placeInSitemap(sql, "article", slug);
  else if (wasPublic && before?.sitemap) markSitemap(sql, before.sitemap);
}

/** When an article may first be shown: the later of its dates (a future update schedules it too). */
export const visibleAt = (record: Article): string => latestDate([record.publishedAt, record.updatedAt ?? ""]);

function writeArticle(sql: SqlStorage, next: NextState, before: ArticleRow | null, now: string): void {
  const { record, status, source } = next;
  const visible = visibleAt(record);
  sql.exec(
    `INSERT INTO articles (slug, status, published, modified, visible, hash, source, id, tags, changed, sitemap)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (slug) DO UPDATE SET status = excluded.status, published = excluded.published,
       modified = excluded.modified, visible = excluded.visible, hash = excluded.hash, source = excluded.source,
       id = excluded.id, tags = excluded.tags, changed = excluded.changed`,
    record.slug,
    status,
    record.publishedAt,
    record.updatedAt ?? record.publishedAt,
    visible,
    record.hash,
    source,
    record.id,
    JSON.stringify(record.tags.map(tagSlug)),
    before?.changed ?? now,
    before?.sitemap ?? null,
  );
  writeText(sql, record.slug, "entry", JSON.stringify(toEntry(record)));
  writeText(sql, record.slug, "content", record.content);
}

/** Closes every scope's full archives: after a bulk import that deferred it. */
export function closeAllArchives(sql: SqlStorage, pageSize: number, now: string): void {
  const scopes = sql.exec<{ scope: string }>("SELECT scope FROM scopes ORDER BY scope").toArray();
  for (const { scope } of scopes) closeArchives(sql, scope, pageSize, now);
}

/** Scheduled articles whose time has come, oldest first. */
export function dueArticles(sql: SqlStorage, now: string): string[] {
  return sql
    .exec<{ slug: string }>(
      "SELECT slug FROM articles WHERE status = 'scheduled' AND visible <= ? ORDER BY visible, slug",
      now,
    )
    .toArray()
    .map((row) => row.slug);
}

export function nextScheduled(sql: SqlStorage): string | null {
  return (
    sql
      .exec<{ visible: string | null }>("SELECT MIN(visible) AS visible FROM articles WHERE status = 'scheduled'")
      .one().visible ?? null
  );
}

/** Tombstones leaving the Atom feeds: their scopes' heads are rewritten without them. */
export function expireTombstones(sql: SqlStorage, now: string): void {
  const cutoff = isoSeconds(Date.parse(now) - TOMBSTONE_DAYS * 86_400_000);
  const expiring = sql
    .exec<{ id: string; scopes: string }>(
      "SELECT id, scopes FROM tombstones WHERE expired = 0 AND deleted <= ?",
      cutoff,
    )
    .toArray();
  for (const { id, scopes } of expiring) {
    for (const scope of JSON.parse(scopes) as string[]) markScope(sql, scope, 0);
    sql.exec("UPDATE tombstones SET expired = 1 WHERE id = ?", id);
  }
}

/** When the next tombstone leaves the feeds (ms), or null. */
export function nextTombstoneExpiry(sql: SqlStorage): number | null {
  const oldest = sql
    .exec<{ deleted: string | null }>("SELECT MIN(deleted) AS deleted FROM tombstones WHERE expired = 0")
    .one().deleted;
  return oldest ? Date.parse(oldest) + TOMBSTONE_DAYS * 86_400_000 : null;
}
