// What each KV key should hold, projected from the catalog. A projection is a cheap `stamp` of
// what decides the value and a `render(changed)` that builds it: an unchanged stamp means no
// write, and `changed` (the flush's time) becomes the value's Last-Modified.
import { latestDate } from "../article/model.ts";
import {
  type ArchiveHeader,
  type ChunkDirectory,
  type Gone,
  type GoneRef,
  KEYS,
  type Row,
  type Scope,
  type ScopeHead,
  type SitemapIndex,
  type SitemapPart,
  scopeTag,
  type TagList,
  VALUE_VERSION,
} from "../store/keys.ts";
import { readEntryLines, recordText } from "./catalog.ts";
import { newestSitemapPart } from "./membership.ts";

export interface Projection {
  /** Identifies the value's content; compared with what was last written. */
  stamp: string;
  /** The value, or null to delete the key. */
  render: (changed: string) => string | null;
  /** Where the value's own change time lives, updated when it is written. */
  changedIn?: { table: "articles" | "scopes" | "chunks"; where: string; args: SqlStorageValue[] };
  /** Anything else the catalog keeps of what was written (a sitemap file's lastmod). */
  onWrite?: () => void;
  /** The change time last recorded for it. */
  previousChanged?: string;
}

/** FNV-1a twice with different offsets: a 64-bit change stamp, synchronous, not for security. */
export function stampOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193 + 0x2000);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

const NONE: Projection = { stamp: "none", render: () => null };

function articleProjection(sql: SqlStorage, slug: string): Projection {
  const row = sql
    .exec<{ status: string; hash: string; changed: string }>(
      "SELECT status, hash, changed FROM articles WHERE slug = ?",
      slug,
    )
    .toArray()[0];
  if (row?.status === "public") {
    return {
      stamp: stampOf(`article ${row.hash}`),
      render: (changed) => recordText(sql, slug, changed),
      changedIn: { table: "articles", where: "slug = ?", args: [slug] },
      previousChanged: row.changed,
    };
  }
  const gone = sql
    .exec<{ id: string; deleted: string }>(
      "SELECT id, deleted FROM tombstones WHERE slug = ? ORDER BY deleted DESC LIMIT 1",
      slug,
    )
    .toArray()[0];
  if (!gone) return NONE;
  const value: Gone = { v: VALUE_VERSION, gone: true, slug, id: gone.id, deletedAt: gone.deleted };
  const text = JSON.stringify(value);
  return { stamp: stampOf(text), render: () => text };
}

/**
 * What projections of one flush share, so a scope's head, page 1 and open archive read its
 * rows once. Made per flush: the catalog may change between flushes.
 */
export class ProjectionMemo {
  readonly rows = new Map<Scope, Row[]>();
}

/** The open region of a scope (articles in no full archive), newest first. */
function openRows(sql: SqlStorage, scope: Scope, memo?: ProjectionMemo): Row[] {
  const remembered = memo?.rows.get(scope);
  if (remembered) return remembered;
  const rows = readOpenRows(sql, scope);
  memo?.rows.set(scope, rows);
  return rows;
}

function readOpenRows(sql: SqlStorage, scope: Scope): Row[] {
  return sql
    .exec<{ slug: string; hash: string; published: string; modified: string }>(
      `SELECT a.slug, a.hash, a.published, a.modified FROM members m JOIN articles a ON a.slug = m.slug
       WHERE m.scope = ? AND m.chunk = 0 ORDER BY m.published DESC, m.slug ASC`,
      scope,
    )
    .toArray()
    .map((r) => [r.slug, r.hash, r.published, r.modified]);
}

interface ScopeRow {
  name: string | null;
  archives: number;
  changed: string;
  total: number;
}

const scopeRow = (sql: SqlStorage, scope: Scope) =>
  sql
    .exec<ScopeRow & Record<string, SqlStorageValue>>(
      "SELECT name, archives, changed, total FROM scopes WHERE scope = ?",
      scope,
    )
    .toArray()[0];

function headProjection(sql: SqlStorage, scope: Scope, pageSize: number, memo?: ProjectionMemo): Projection {
  const info = scopeRow(sql, scope);
  if (!info) return NONE;
  const rows = openRows(sql, scope, memo);
  const total = info.total;
  const gone = sql
    .exec<{ id: string; deleted: string }>(
      `SELECT t.id, t.deleted FROM tombstones t, json_each(t.scopes) j
       WHERE t.expired = 0 AND j.value = ? ORDER BY t.deleted DESC, t.id`,
      scope,
    )
    .toArray()
    .map((g): GoneRef => [g.id, g.deleted]);
  const head: Omit<ScopeHead, "changed"> = {
    v: VALUE_VERSION,
    total,
    rows,
    split: Math.min(pageSize, rows.length),
    archives: info.archives,
    gone,
  };
  if (scopeTag(scope) !== null && info.name) head.name = info.name;
  return {
    stamp: stampOf(JSON.stringify(head)),
    render: (changed) => JSON.stringify({ ...head, changed }),
    changedIn: { table: "scopes", where: "scope = ?", args: [scope] },
    previousChanged: info.changed,
  };
}

function linesProjection(
  sql: SqlStorage,
  scope: Scope,
  pageSize: number,
  part: "items" | "rest",
  memo?: ProjectionMemo,
): Projection {
  if (!scopeRow(sql, scope)) return NONE;
  const rows = openRows(sql, scope, memo);
  const split = Math.min(pageSize, rows.length);
  const shown = part === "items" ? rows.slice(0, split) : rows.slice(split);
  if (part === "rest" && shown.length === 0) return NONE;
  return {
    stamp: stampOf(shown.map(([slug, hash]) => `${slug}:${hash}`).join(" ")),
    render: () =>
      readEntryLines(
        sql,
        shown.map(([slug]) => slug),
      ).join("\n"),
  };
}

function archiveProjection(sql: SqlStorage, scope: Scope, archive: number): Projection {
  const chunk = sql
    .exec<{ changed: string }>("SELECT changed FROM chunks WHERE scope = ? AND chunk = ?", scope, archive)
    .toArray()[0];
  if (!chunk) return NONE;
  const members = sql
    .exec<{ slug: string; hash: string }>(
      `SELECT m.slug, a.hash FROM members m JOIN articles a ON a.slug = m.slug
       WHERE m.scope = ? AND m.chunk = ? ORDER BY m.published DESC, m.slug ASC`,
      scope,
      archive,
    )
    .toArray();
  return {
    stamp: stampOf(members.map((m) => `${m.slug}:${m.hash}`).join(" ")),
    render: (changed) => {
      const header: ArchiveHeader = { v: VALUE_VERSION, archive, count: members.length, changed };
      return [
        JSON.stringify(header),
        ...readEntryLines(
          sql,
          members.map((m) => m.slug),
        ),
      ].join("\n");
    },
    changedIn: { table: "chunks", where: "scope = ? AND chunk = ?", args: [scope, archive] },
    previousChanged: chunk.changed,
  };
}

function chunksProjection(sql: SqlStorage, scope: Scope): Projection {
  const directory: ChunkDirectory = sql
    .exec<{ chunk: number; changed: string; count: number }>(
      "SELECT chunk, changed, count FROM chunks WHERE scope = ? ORDER BY chunk DESC",
      scope,
    )
    .toArray()
    .map((c) => [c.chunk, c.count, c.changed]);
  if (directory.length === 0) return NONE;
  const text = JSON.stringify(directory);
  return { stamp: stampOf(text), render: () => text };
}

function tagsProjection(sql: SqlStorage): Projection {
  const tags = sql
    .exec<{ scope: string; name: string | null }>(
      "SELECT scope, name FROM scopes WHERE scope LIKE 'tag:%' ORDER BY scope",
    )
    .toArray()
    .map((s): [string, string] => {
      const slug = scopeTag(s.scope) as string;
      return [slug, s.name ?? slug];
    });
  const value: TagList = { v: VALUE_VERSION, tags };
  const text = JSON.stringify(value);
  return { stamp: stampOf(text), render: () => text };
}

function sitemapUrls(sql: SqlStorage, part: number): SitemapPart["urls"] {
  const urls: SitemapPart["urls"] = [];
  if (part === newestSitemapPart(sql)) {
    const home = scopeRow(sql, "all");
    if (home) urls.push(["/", home.changed]);
  }
  for (const s of sql.exec<{ scope: string; changed: string }>(
    "SELECT scope, changed FROM scopes WHERE sitemap = ? AND scope LIKE 'tag:%' ORDER BY scope",
    part,
  )) {
    urls.push([`/tags/${encodeURIComponent(scopeTag(s.scope) as string)}`, s.changed]);
  }
  for (const a of sql.exec<{ slug: string; changed: string }>(
    "SELECT slug, changed FROM articles WHERE sitemap = ? AND status = 'public' ORDER BY slug",
    part,
  )) {
    urls.push([`/articles/${a.slug}`, a.changed]);
  }
  return urls;
}

function sitemapPartProjection(sql: SqlStorage, part: number): Projection {
  const urls = sitemapUrls(sql, part);
  if (urls.length === 0) return NONE;
  const text = JSON.stringify({ v: VALUE_VERSION, urls } satisfies SitemapPart);
  const lastmod = latestDate(urls.map(([, at]) => at));
  return {
    stamp: stampOf(text),
    render: () => text,
    // The index dates each file from this, without reading every URL again.
    onWrite: () => sql.exec("UPDATE sitemap_parts SET lastmod = ? WHERE part = ?", lastmod, part),
  };
}

function sitemapIndexProjection(sql: SqlStorage): Projection {
  const parts = sql
    .exec<{ part: number; lastmod: string }>("SELECT part, lastmod FROM sitemap_parts WHERE urls > 0 ORDER BY part")
    .toArray()
    .map((p): [number, string] => [p.part, p.lastmod]);
  const index: SitemapIndex = { v: VALUE_VERSION, parts: parts.length > 0 ? parts : [[1, "1970-01-01T00:00:00Z"]] };
  const text = JSON.stringify(index);
  return { stamp: stampOf(text), render: () => text };
}

/** What `key` should hold now. Keys of no known kind (an old version's) are deleted. */
export function project(sql: SqlStorage, key: string, pageSize: number, memo?: ProjectionMemo): Projection {
  if (key === KEYS.tags) return tagsProjection(sql);
  if (key === KEYS.sitemap) return sitemapIndexProjection(sql);
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  const name = key.slice(colon + 1);
  switch (kind) {
    case "article":
      return articleProjection(sql, name);
    case "scope":
      return headProjection(sql, name, pageSize, memo);
    case "items":
    case "rest":
      return linesProjection(sql, name, pageSize, kind, memo);
    case "chunks":
      return chunksProjection(sql, name);
    case "archive": {
      const at = name.lastIndexOf(":");
      return archiveProjection(sql, name.slice(0, at), Number(name.slice(at + 1)));
    }
    case "sitemap":
      return sitemapPartProjection(sql, Number(name));
    default:
      return NONE;
  }
}
