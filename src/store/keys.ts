// The seam between the read path and the writer: every KV key, and the shape of every value in it,
// parsed defensively (a corrupt value is reported as absent, never half-read). See README "Storage".
import { type Article, type ArticleEntry, latestDate, parseArticle, parseArticleEntry } from "../article/model.ts";

/** `all`, or `tag:<tag slug>`: a set of articles that has its own feeds. */
export type Scope = string;
export const ALL: Scope = "all";
export const tagScope = (slug: string): Scope => `tag:${slug}`;
/** The tag slug of a scope, or null for the whole site. */
export const scopeTag = (scope: Scope): string | null => (scope.startsWith("tag:") ? scope.slice(4) : null);

export const KEYS = {
  article: (slug: string) => `article:${slug}`,
  scope: (scope: Scope) => `scope:${scope}`,
  items: (scope: Scope) => `items:${scope}`,
  rest: (scope: Scope) => `rest:${scope}`,
  chunks: (scope: Scope) => `chunks:${scope}`,
  archive: (scope: Scope, archive: number) => `archive:${scope}:${archive}`,
  tags: "tags",
  sitemap: "sitemap",
  sitemapPart: (part: number) => `sitemap:${part}`,
  /** Written by version 0.1 only: every row of a scope. Read while an old store awaits adoption. */
  legacyCatalog: (scope: Scope) => `catalog:${scope}`,
} as const;

export const VALUE_VERSION = 2;

/** One article's place in a scope: [slug, content hash, publishedAt, modifiedAt]. */
export type Row = [slug: string, hash: string, publishedAt: string, modifiedAt: string];

/** A deleted article, as an Atom tombstone names it: [id, deleted at]. */
export type GoneRef = [id: string, deletedAt: string];

/** The small per-scope value every feed request reads first: enough to answer 304 unrendered. */
export interface ScopeHead {
  v: number;
  /** Public articles in the scope. */
  total: number;
  /** The tag as its articles write it; absent for `all`. */
  name?: string;
  /** The articles not yet in a full archive, newest first: page 1 and the open archive. */
  rows: Row[];
  /** How many of `rows` `items:` holds (page 1); the rest are in `rest:`. */
  split: number;
  /** Full archives, numbered 1 (oldest) to this; the open archive is the next number. */
  archives: number;
  /** When the scope's representations last changed (ISO, to the second). */
  changed: string;
  /** Tombstones of the last 30 days, newest first. */
  gone: GoneRef[];
  /** Read from a store the writer has not adopted yet: deep pages come from the old catalog. */
  legacy?: true;
}

/** `chunks:<scope>`: each full archive's [number, articles, changed], newest first. */
export type ChunkDirectory = [archive: number, count: number, changed: string][];

/** The first line of an `archive:` value; entries follow, newest first, one JSON line each. */
export interface ArchiveHeader {
  v: number;
  archive: number;
  count: number;
  changed: string;
}

/** What `article:<slug>` holds once an article is deleted: the page and API answer 410. */
export interface Gone {
  v: number;
  gone: true;
  slug: string;
  id: string;
  deletedAt: string;
}

export type ArticleValue = { kind: "article"; article: Article } | { kind: "gone"; gone: Gone };

/** `tags`: every tag with public articles, [slug, name], by slug. */
export interface TagList {
  v: number;
  tags: [slug: string, name: string][];
}

/** `sitemap`: the sitemap parts and when each last changed; one part needs no index. */
export interface SitemapIndex {
  v: number;
  parts: [part: number, lastmod: string][];
}

/** `sitemap:<n>`: up to 50,000 [path, lastmod] of one sitemap file. */
export interface SitemapPart {
  v: number;
  urls: [path: string, lastmod: string][];
}

export type Logger = (message: string, detail?: Record<string, unknown>) => void;
export const consoleLogger: Logger = (message, detail) => console.error(message, detail ?? "");

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Callers treat a value that is not JSON like any other corrupt value: absent, and logged.
    return undefined;
  }
}

const isString = (value: unknown): value is string => typeof value === "string";
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const isRow = (value: unknown): value is Row =>
  Array.isArray(value) && value.length === 4 && value.every(isString);
const isGoneRef = (value: unknown): value is GoneRef =>
  Array.isArray(value) && value.length === 2 && value.every(isString);

/** A scope head of this version, or of version 1 (mapped, marked legacy); null when corrupt. */
export function parseScopeHead(text: string | null): ScopeHead | null {
  const value = parseJson(text);
  if (!isObject(value) || typeof value.total !== "number" || typeof value.split !== "number") return null;
  if (value.name !== undefined && !isString(value.name)) return null;
  if (value.v === VALUE_VERSION) {
    const valid =
      Array.isArray(value.rows) &&
      value.rows.every(isRow) &&
      typeof value.archives === "number" &&
      isString(value.changed) &&
      Array.isArray(value.gone) &&
      value.gone.every(isGoneRef);
    return valid ? (value as unknown as ScopeHead) : null;
  }
  if (value.v === 1 && Array.isArray(value.head) && value.head.every(isRow)) {
    const rows = value.head as Row[];
    const changed = latestDate(rows.map((row) => row[3]));
    const head: ScopeHead = {
      v: 1,
      total: value.total,
      rows,
      split: value.split,
      archives: 0,
      changed,
      gone: [],
      legacy: true,
    };
    if (isString(value.name)) head.name = value.name;
    return head;
  }
  return null;
}

export function parseChunkDirectory(text: string | null): ChunkDirectory | null {
  const value = parseJson(text);
  const valid =
    Array.isArray(value) &&
    value.every(
      (c) =>
        Array.isArray(c) && c.length === 3 && typeof c[0] === "number" && typeof c[1] === "number" && isString(c[2]),
    );
  return valid ? (value as ChunkDirectory) : null;
}

export function parseArchiveHeader(line: string): ArchiveHeader | null {
  const value = parseJson(line);
  const valid =
    isObject(value) &&
    value.v === VALUE_VERSION &&
    typeof value.archive === "number" &&
    typeof value.count === "number" &&
    isString(value.changed);
  return valid ? (value as unknown as ArchiveHeader) : null;
}

/** An `article:` value: the record, a tombstone, or null when absent, corrupt or not `slug`'s. */
export function parseArticleValue(text: string | null, slug: string): ArticleValue | null {
  const value = parseJson(text);
  if (isObject(value) && value.gone === true) {
    const valid = value.v === VALUE_VERSION && value.slug === slug && isString(value.id) && isString(value.deletedAt);
    return valid ? { kind: "gone", gone: value as unknown as Gone } : null;
  }
  const article = parseArticle(value);
  return article && article.slug === slug ? { kind: "article", article } : null;
}

/** A value of this version whose `field` is a list of pairs, each accepted by `pair`. */
function parsePairs<T>(text: string | null, field: string, pair: (a: unknown, b: unknown) => boolean): T | null {
  const value = parseJson(text);
  const list = isObject(value) ? value[field] : undefined;
  const valid =
    isObject(value) &&
    value.v === VALUE_VERSION &&
    Array.isArray(list) &&
    list.every((p) => Array.isArray(p) && p.length === 2 && pair(p[0], p[1]));
  return valid ? (value as unknown as T) : null;
}

export const parseTagList = (text: string | null) =>
  parsePairs<TagList>(text, "tags", (slug, name) => isString(slug) && isString(name));

export const parseSitemapIndex = (text: string | null) =>
  parsePairs<SitemapIndex>(text, "parts", (part, lastmod) => typeof part === "number" && isString(lastmod));

export const parseSitemapPart = (text: string | null) =>
  parsePairs<SitemapPart>(text, "urls", (path, lastmod) => isString(path) && isString(lastmod));

/** Lines [from, to) of an NDJSON value as entries, parsing only those; corrupt lines skipped, logged. */
export function parseEntryLines(text: string, from: number, to: number, key: string, log: Logger): ArticleEntry[] {
  const entries: ArticleEntry[] = [];
  let start = 0;
  for (let line = 0; line < to && start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (line >= from) {
      const entry = parseArticleEntry(parseJson(text.slice(start, end)));
      if (entry) entries.push(entry);
      else log("skipping a corrupt feed entry", { key, line });
    }
    start = end + 1;
  }
  return entries;
}

/** The catalog version 0.1 kept per scope: every row, newest first. */
export function parseLegacyCatalog(text: string | null): Row[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter(isRow) : [];
}

export function rowOf(entry: Pick<ArticleEntry, "slug" | "hash" | "publishedAt" | "updatedAt">): Row {
  return [entry.slug, entry.hash, entry.publishedAt, entry.updatedAt ?? entry.publishedAt];
}
