// Which articles each scope holds, and which RFC 5005 archive each belongs to. An archive's
// members are fixed when it closes (the oldest ARCHIVE_SIZE of the open region), so a new
// article never alters an old archive; a backdated one joins the archive whose dates cover it.
import { KEYS, type Scope, scopeTag } from "../store/keys.ts";
import { markDirty } from "./dirty.ts";

/** Articles per full archive. */
export const ARCHIVE_SIZE = 50;
/**
 * URLs per sitemap file. The protocol allows up to 50,000; a change rewrites the files its URLs are
 * in, so small files keep a write's cost the same however large the site grows.
 */
export const SITEMAP_PART_SIZE = 500;

/**
 * Marks what a change to `chunk` of `scope` alters: the head and its pages, or one archive, and
 * the sitemap file that dates the scope's page by its change time.
 */
export function markScope(sql: SqlStorage, scope: Scope, chunk: number): void {
  markDirty(sql, KEYS.scope(scope));
  markDirty(sql, KEYS.items(scope));
  markDirty(sql, KEYS.rest(scope));
  if (chunk > 0) {
    markDirty(sql, KEYS.archive(scope, chunk));
    markDirty(sql, KEYS.chunks(scope));
  }
  // The home page sits in the newest file; a tag page stays in the file it was placed in.
  const part =
    scopeTag(scope) === null
      ? newestSitemapPart(sql)
      : sql.exec<{ sitemap: number | null }>("SELECT sitemap FROM scopes WHERE scope = ?", scope).toArray()[0]?.sitemap;
  if (part) markSitemap(sql, part);
}

function ensureScope(sql: SqlStorage, scope: Scope, name: string | null, now: string): void {
  const existing = sql.exec<{ name: string | null }>("SELECT name FROM scopes WHERE scope = ?", scope).toArray()[0];
  if (!existing) {
    sql.exec("INSERT INTO scopes (scope, name, archives, changed) VALUES (?, ?, 0, ?)", scope, name, now);
    if (scopeTag(scope) !== null) {
      markDirty(sql, KEYS.tags);
      placeInSitemap(sql, "scope", scope);
    }
  } else if (name !== null && existing.name !== name) {
    sql.exec("UPDATE scopes SET name = ? WHERE scope = ?", name, scope);
    markDirty(sql, KEYS.tags);
  }
}

/** The full archive whose dates cover (published, slug), or 0: the open region. */
function archiveFor(sql: SqlStorage, scope: Scope, published: string, slug: string): number {
  // Most articles are newer than the newest archive: one indexed look, no scan of them all.
  const newest = sql
    .exec<{ upper_published: string; upper_slug: string }>(
      "SELECT upper_published, upper_slug FROM chunks WHERE scope = ? ORDER BY chunk DESC LIMIT 1",
      scope,
    )
    .toArray()[0];
  if (
    !newest ||
    published > newest.upper_published ||
    (published === newest.upper_published && slug < newest.upper_slug)
  ) {
    return 0;
  }
  const row = sql
    .exec<{ chunk: number }>(
      `SELECT chunk FROM chunks WHERE scope = ? AND (upper_published > ? OR (upper_published = ? AND upper_slug <= ?))
       ORDER BY chunk LIMIT 1`,
      scope,
      published,
      published,
      slug,
    )
    .toArray()[0];
  return row?.chunk ?? 0;
}

/** Adds an article to a scope; `close` false defers archive closing (a bulk import closes once). */
export function joinScope(
  sql: SqlStorage,
  scope: Scope,
  slug: string,
  published: string,
  name: string | null,
  now: string,
): void {
  ensureScope(sql, scope, name, now);
  const chunk = archiveFor(sql, scope, published, slug);
  sql.exec("INSERT INTO members (scope, slug, published, chunk) VALUES (?, ?, ?, ?)", scope, slug, published, chunk);
  count(sql, scope, chunk, +1);
  markScope(sql, scope, chunk);
}

function count(sql: SqlStorage, scope: Scope, chunk: number, by: number): void {
  sql.exec("UPDATE scopes SET total = total + ? WHERE scope = ?", by, scope);
  if (chunk > 0) sql.exec("UPDATE chunks SET count = count + ? WHERE scope = ? AND chunk = ?", by, scope, chunk);
}

export function leaveScope(sql: SqlStorage, scope: Scope, slug: string): void {
  const row = sql
    .exec<{ chunk: number }>("SELECT chunk FROM members WHERE scope = ? AND slug = ?", scope, slug)
    .toArray()[0];
  if (!row) return;
  sql.exec("DELETE FROM members WHERE scope = ? AND slug = ?", scope, slug);
  count(sql, scope, row.chunk, -1);
  markScope(sql, scope, row.chunk);
}

/** An article still in the scope changed: its archive (or the head) is rewritten. */
export function touchScope(sql: SqlStorage, scope: Scope, slug: string, name: string | null, now: string): void {
  ensureScope(sql, scope, name, now);
  const row = sql
    .exec<{ chunk: number }>("SELECT chunk FROM members WHERE scope = ? AND slug = ?", scope, slug)
    .toArray()[0];
  markScope(sql, scope, row?.chunk ?? 0);
}

/** Closes full archives while the open region holds an archive's worth beyond page 1. */
export function closeArchives(sql: SqlStorage, scope: Scope, pageSize: number, now: string): void {
  for (;;) {
    const open = sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM members WHERE scope = ? AND chunk = 0", scope)
      .one().n;
    if (open < ARCHIVE_SIZE + pageSize) return;
    const archive =
      (sql.exec<{ archives: number }>("SELECT archives FROM scopes WHERE scope = ?", scope).toArray()[0]?.archives ??
        0) + 1;
    const oldest = sql
      .exec<{ slug: string; published: string }>(
        "SELECT slug, published FROM members WHERE scope = ? AND chunk = 0 ORDER BY published ASC, slug DESC LIMIT ?",
        scope,
        ARCHIVE_SIZE,
      )
      .toArray();
    const upper = oldest.at(-1) as { slug: string; published: string };
    sql.exec(
      `UPDATE members SET chunk = ? WHERE scope = ? AND chunk = 0 AND (published < ? OR (published = ? AND slug >= ?))`,
      archive,
      scope,
      upper.published,
      upper.published,
      upper.slug,
    );
    sql.exec(
      "INSERT INTO chunks (scope, chunk, upper_published, upper_slug, changed, count) VALUES (?, ?, ?, ?, ?, ?)",
      scope,
      archive,
      upper.published,
      upper.slug,
      now,
      oldest.length,
    );
    sql.exec("UPDATE scopes SET archives = ? WHERE scope = ?", archive, scope);
    markScope(sql, scope, archive);
  }
}

/** A tag scope left without articles disappears (its pages answer 404); `all` always stays. */
export function dropEmptyScope(sql: SqlStorage, scope: Scope): void {
  if (scopeTag(scope) === null) return;
  const row = sql
    .exec<{ total: number; archives: number; sitemap: number | null }>(
      "SELECT total, archives, sitemap FROM scopes WHERE scope = ?",
      scope,
    )
    .toArray()[0];
  if ((row?.total ?? 0) > 0) return;
  const archives = row?.archives ?? 0;
  sql.exec("DELETE FROM chunks WHERE scope = ?", scope);
  sql.exec("DELETE FROM scopes WHERE scope = ?", scope);
  for (let archive = 1; archive <= archives; archive++) markDirty(sql, KEYS.archive(scope, archive));
  markScope(sql, scope, 0);
  markDirty(sql, KEYS.chunks(scope));
  markDirty(sql, KEYS.tags);
  if (row?.sitemap) {
    sql.exec("UPDATE sitemap_parts SET urls = urls - 1 WHERE part = ?", row.sitemap);
    markSitemap(sql, row.sitemap);
  }
}

/** The newest sitemap file: it takes new URLs, and the home page, whose lastmod moves with every change. */
export const newestSitemapPart = (sql: SqlStorage): number =>
  sql.exec<{ part: number | null }>("SELECT MAX(part) AS part FROM sitemap_parts").one().part ?? 1;

export function markSitemap(sql: SqlStorage, part: number): void {
  markDirty(sql, KEYS.sitemapPart(part));
  markDirty(sql, KEYS.sitemap);
}

/** Gives a public article or a tag page its sitemap file, once: the last one, until it is full. */
export function placeInSitemap(sql: SqlStorage, kind: "article" | "scope", id: string): number {
  const table = kind === "article" ? "articles" : "scopes";
  const column = kind === "article" ? "slug" : "scope";
  const placed = sql
    .exec<{ sitemap: number | null }>(`SELECT sitemap FROM ${table} WHERE ${column} = ?`, id)
    .toArray()[0];
  let part = placed?.sitemap ?? null;
  if (part === null) {
    // The home page counts as one URL of every file (it sits in the newest).
    sql.exec("INSERT OR IGNORE INTO sitemap_parts (part, urls) VALUES (1, 1)");
    const last = sql
      .exec<{ part: number; urls: number }>("SELECT part, urls FROM sitemap_parts ORDER BY part DESC LIMIT 1")
      .one();
    part = last.urls >= SITEMAP_PART_SIZE ? last.part + 1 : last.part;
    // A new file takes the home page from the one before it.
    if (part !== last.part) markSitemap(sql, last.part);
    sql.exec(
      "INSERT INTO sitemap_parts (part, urls) VALUES (?, 2) ON CONFLICT (part) DO UPDATE SET urls = urls + 1",
      part,
    );
    sql.exec(`UPDATE ${table} SET sitemap = ? WHERE ${column} = ?`, part, id);
  }
  markSitemap(sql, part);
  return part;
}
