// The only module that knows KV keys. See README "Storage" for the scheme and why.
import {
  type Article,
  type ArticleEntry,
  compareNewestFirst,
  modifiedAt,
  parseArticle,
  parseArticleEntry,
  tagSlug,
  toEntry,
} from "../article/model.ts";
import { Lru, perNamespace } from "../lru.ts";
import { PAGE_SIZE_DEFAULT } from "../site.ts";

/** The slice of the KV API the store uses; the publish command supplies it over wrangler. */
export interface KvLike {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string | null }): Promise<{
    keys: { name: string; metadata?: unknown }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

/** How many newest articles of each scope are kept render-ready in one `items:` value. */
export const HEAD_DEPTH = 100;
const INDEX_VERSION = 1;

/** `all`, or `tag:<tag slug>`: a set of articles that has its own feeds. */
export type Scope = string;
export const ALL: Scope = "all";
export const tagScope = (slug: string): Scope => `tag:${slug}`;

const articleKey = (slug: string) => `article:${slug}`;
const scopeKey = (scope: Scope) => `scope:${scope}`;
const itemsKey = (scope: Scope) => `items:${scope}`;
const restKey = (scope: Scope) => `rest:${scope}`;
const catalogKey = (scope: Scope) => `catalog:${scope}`;

/** One article's place in a scope: [slug, content hash, publishedAt, modifiedAt]. */
export type CatalogRow = [slug: string, hash: string, publishedAt: string, modifiedAt: string];

/** The small per-scope value every feed request reads first: enough to answer 304 unrendered. */
export interface ScopeHead {
  v: number;
  total: number;
  /** The tag as its newest article writes it; absent for `all`. */
  name?: string;
  head: CatalogRow[];
  /** How many head entries `items:` holds (a first page); the rest of the head is in `rest:`. */
  split: number;
}

/** Kept as KV metadata on each article key so the indexes can be rebuilt from a listing alone. */
interface ArticleMeta {
  p: string;
  u?: string;
  h: string;
  t: string[];
}

export type Logger = (message: string, detail?: Record<string, unknown>) => void;
const consoleLogger: Logger = (message, detail) => console.error(message, detail ?? "");

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Callers treat a value that is not JSON like any other corrupt record: skipped and logged.
    return undefined;
  }
}

export function rowOf(article: Pick<Article, "slug" | "hash" | "publishedAt" | "updatedAt">): CatalogRow {
  return [article.slug, article.hash, article.publishedAt, modifiedAt(article)];
}

export function scopesOf(article: Pick<Article, "tags">): Scope[] {
  return [ALL, ...article.tags.map((tag) => tagScope(tagSlug(tag)))];
}

/** One stored article, or null when absent or corrupt (logged). */
export async function getArticle(kv: KvLike, slug: string, log: Logger = consoleLogger): Promise<Article | null> {
  const raw = await kv.get(articleKey(slug), "text");
  if (raw === null) return null;
  const article = parseArticle(parseJson(raw));
  if (!article || article.slug !== slug) {
    log("skipping a corrupt or incompatible article record", { key: articleKey(slug) });
    return null;
  }
  return article;
}

function isRow(value: unknown): value is CatalogRow {
  return Array.isArray(value) && value.length === 4 && value.every((part) => typeof part === "string");
}

/** How long an isolate trusts a scope head it read; far inside KV's own 60 s staleness. */
export const SCOPE_MEMORY_MS = 5_000;
const scopeMemory = perNamespace(() => new Lru<ScopeHead | null>(1_000));
const entryMemory = perNamespace(() => new Lru<ArticleEntry>(2_000));

/**
 * Forgets what this isolate remembers of KV reads, for callers that change KV behind the store's
 * back (the store's own writes already forget what they change).
 */
export function forgetReads(kv: KvLike): void {
  scopeMemory(kv).clear();
  entryMemory(kv).clear();
}

/** A scope's head, or null when the scope does not exist (or its index is corrupt: logged). */
export async function readScope(kv: KvLike, scope: Scope, log: Logger = consoleLogger): Promise<ScopeHead | null> {
  const memory = scopeMemory(kv);
  const remembered = memory.get(scope);
  if (remembered !== undefined) return remembered;
  const text = await kv.get(scopeKey(scope), "text");
  const head = parseScopeHead(text);
  if (text !== null && head === null) log("ignoring a corrupt scope index", { key: scopeKey(scope) });
  memory.set(scope, head, { ttlMs: SCOPE_MEMORY_MS });
  return head;
}

function parseScopeHead(text: string | null): ScopeHead | null {
  const value = parseJson(text) as ScopeHead | null | undefined;
  const valid =
    !!value &&
    value.v === INDEX_VERSION &&
    typeof value.total === "number" &&
    typeof value.split === "number" &&
    Array.isArray(value.head) &&
    value.head.every(isRow);
  return valid ? value : null;
}

export async function readCatalog(kv: KvLike, scope: Scope, log: Logger = consoleLogger): Promise<CatalogRow[]> {
  const value = parseJson(await kv.get(catalogKey(scope), "text"));
  if (value === null) return [];
  if (!Array.isArray(value)) {
    log("ignoring a corrupt catalog", { key: catalogKey(scope) });
    return [];
  }
  return value.filter(isRow);
}

/** The rows of one page, newest first; pages past the head cost one catalog read. */
export async function pageRows(
  kv: KvLike,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  size: number,
): Promise<CatalogRow[]> {
  const end = Math.min(offset + size, head.total);
  if (end <= head.head.length) return head.head.slice(offset, end);
  return (await readCatalog(kv, scope)).slice(offset, end);
}

/**
 * The render-ready entries for `rows`: from the isolate's memory when it has them all; else,
 * within the head, one read of `items:` or `rest:` (both when a page straddles the split),
 * parsing only the lines needed; deeper pages read their articles one by one.
 * Corrupt entries are skipped and logged, never failing the page.
 */
export async function readEntries(
  kv: KvLike,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  rows: CatalogRow[],
  log: Logger = consoleLogger,
): Promise<ArticleEntry[]> {
  if (rows.length === 0) return [];
  const memory = entryMemory(kv);
  const remembered = rows.map(([slug, hash]) => memory.get(`${slug}\n${hash}`));
  if (remembered.every((entry) => entry !== undefined)) return remembered as ArticleEntry[];
  const entries = await readEntriesFromKv(kv, scope, head, offset, rows, log);
  for (const entry of entries) memory.set(`${entry.slug}\n${entry.hash}`, entry);
  return entries;
}

/** Lines [from, to) of an NDJSON value as entries, parsing only those; corrupt lines skipped. */
function parseLines(text: string, from: number, to: number, key: string, log: Logger): ArticleEntry[] {
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

async function readEntriesFromKv(
  kv: KvLike,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  rows: CatalogRow[],
  log: Logger,
): Promise<ArticleEntry[]> {
  const end = offset + rows.length;
  if (end <= head.head.length) {
    // The first page lives in `items:`, the rest of the head in `rest:`: read only what is needed.
    const [first, rest] = await Promise.all([
      offset < head.split ? kv.get(itemsKey(scope), "text") : null,
      end > head.split ? kv.get(restKey(scope), "text") : null,
    ]);
    const entries: ArticleEntry[] = [];
    if (first !== null) entries.push(...parseLines(first, offset, Math.min(end, head.split), itemsKey(scope), log));
    if (rest !== null) {
      entries.push(...parseLines(rest, Math.max(0, offset - head.split), end - head.split, restKey(scope), log));
    }
    return entries;
  }
  const articles = await Promise.all(rows.map(([slug]) => getArticle(kv, slug, log)));
  return articles.filter((a): a is Article => a !== null).map(toEntry);
}

// Writes within one isolate run one at a time, so concurrent PUTs here never drop each other's
// index updates; across isolates the scheduled rebuild heals what KV's last-write-wins loses.
let writeQueue: Promise<unknown> = Promise.resolve();
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const run = writeQueue.then(task, task);
  writeQueue = run.catch(() => undefined);
  return run;
}

function metaOf(article: Article): ArticleMeta {
  const meta: ArticleMeta = { p: article.publishedAt, h: article.hash, t: article.tags.map(tagSlug) };
  if (article.updatedAt) meta.u = article.updatedAt;
  return meta;
}

const METADATA_MAX_BYTES = 1024;

/**
 * The metadata as stored: tag slugs percent-encoded (KV carries metadata in an ASCII header), and
 * left out when they would pass KV's 1 KiB limit; the rebuild then reads that one record instead.
 */
function storedMetaOf(article: Article): Omit<ArticleMeta, "t"> & { t?: string[] } {
  const meta = metaOf(article);
  const stored = { ...meta, t: meta.t.map(encodeURIComponent) };
  if (JSON.stringify(stored).length <= METADATA_MAX_BYTES) return stored;
  const { t: _tags, ...withoutTags } = stored;
  return withoutTags;
}

/** The record a write replaces, for its tags; a corrupt one counts as none (the rebuild heals). */
async function readExisting(kv: KvLike, slug: string): Promise<Article | null> {
  return getArticle(kv, slug, () => undefined);
}

/** Writes one scope's index values from its full, ordered catalog. */
async function writeScope(
  kv: KvLike,
  scope: Scope,
  catalog: CatalogRow[],
  known: Map<string, ArticleEntry>,
  log: Logger,
  pageSize: number,
): Promise<void> {
  const keys = [scopeKey(scope), itemsKey(scope), restKey(scope), catalogKey(scope)];
  if (catalog.length === 0) {
    await Promise.all(keys.map((key) => kv.delete(key)));
    scopeMemory(kv).delete(scope);
    return;
  }
  const current = new Map<string, ArticleEntry>();
  const stored = await Promise.all([kv.get(itemsKey(scope), "text"), kv.get(restKey(scope), "text")]);
  for (const line of stored
    .filter((text) => text !== null)
    .join("\n")
    .split("\n")) {
    const entry = line ? parseArticleEntry(parseJson(line)) : null;
    if (entry) current.set(`${entry.slug}\n${entry.hash}`, entry);
  }
  const rows: CatalogRow[] = [];
  const lines: string[] = [];
  let first: ArticleEntry | undefined;
  for (const row of catalog.slice(0, HEAD_DEPTH)) {
    const [slug, hash] = row;
    let entry = known.get(slug);
    if (!entry || entry.hash !== hash) entry = current.get(`${slug}\n${hash}`);
    if (!entry) {
      const article = await getArticle(kv, slug, log);
      entry = article ? toEntry(article) : undefined;
    }
    if (!entry) continue;
    first ??= entry;
    rows.push(rowOf(entry));
    lines.push(JSON.stringify(entry));
  }
  const tag = scope.startsWith("tag:") ? scope.slice(4) : null;
  const split = Math.min(pageSize, lines.length);
  const head: ScopeHead = { v: INDEX_VERSION, total: catalog.length, head: rows, split };
  const name = tag && first?.tags.find((t) => tagSlug(t) === tag);
  if (name) head.name = name;
  // Entries before the head: a reader that sees the new head finds the entries it names.
  await Promise.all([
    kv.put(itemsKey(scope), lines.slice(0, split).join("\n")),
    lines.length > split
      ? kv.put(restKey(scope), lines.slice(split).join("\n"))
      : stored[1] !== null && kv.delete(restKey(scope)),
    kv.put(catalogKey(scope), JSON.stringify(catalog)),
  ]);
  await kv.put(scopeKey(scope), JSON.stringify(head));
  scopeMemory(kv).delete(scope);
}

function sortRows(rows: CatalogRow[]): CatalogRow[] {
  return rows.sort((a, b) => compareNewestFirst({ slug: a[0], publishedAt: a[2] }, { slug: b[0], publishedAt: b[2] }));
}

async function updateScopes(
  kv: KvLike,
  slug: string,
  before: Article | null,
  after: Article | null,
  log: Logger,
  pageSize: number,
): Promise<Scope[]> {
  const scopes = new Set<Scope>([...(before ? scopesOf(before) : []), ...(after ? scopesOf(after) : [])]);
  const inAfter = new Set(after ? scopesOf(after) : []);
  const known = new Map<string, ArticleEntry>(after ? [[slug, toEntry(after)]] : []);
  await Promise.all(
    [...scopes].map(async (scope) => {
      const catalog = (await readCatalog(kv, scope, log)).filter(([s]) => s !== slug);
      if (after && inAfter.has(scope)) catalog.push(rowOf(after));
      await writeScope(kv, scope, sortRows(catalog), known, log, pageSize);
    }),
  );
  return [...scopes];
}

export interface WriteResult {
  created: boolean;
  /** The scopes whose feeds changed, for cache purges and WebSub pings. */
  scopes: Scope[];
}

/** Stores an article and updates every index it appears in (and those it left). */
export function putArticle(
  kv: KvLike,
  article: Article,
  log: Logger = consoleLogger,
  pageSize = PAGE_SIZE_DEFAULT,
): Promise<WriteResult> {
  return serialized(async () => {
    const before = await readExisting(kv, article.slug);
    await kv.put(articleKey(article.slug), JSON.stringify(article), { metadata: storedMetaOf(article) });
    const scopes = await updateScopes(kv, article.slug, before, article, log, pageSize);
    return { created: before === null, scopes };
  });
}

/** Removes an article from the store and from every feed; null when there was none. */
export function deleteArticle(
  kv: KvLike,
  slug: string,
  log: Logger = consoleLogger,
  pageSize = PAGE_SIZE_DEFAULT,
): Promise<WriteResult | null> {
  return serialized(async () => {
    const before = await readExisting(kv, slug);
    const exists = before !== null || (await kv.get(articleKey(slug), "text")) !== null;
    if (!exists) return null;
    await kv.delete(articleKey(slug));
    const scopes = before ? await updateScopes(kv, slug, before, null, log, pageSize) : [ALL];
    if (!before) await rebuildIndexes(kv, { log, pageSize });
    return { created: false, scopes };
  });
}

/** Listing metadata back to tag slugs; null when absent or incomplete (the record is read instead). */
function readMeta(value: unknown): ArticleMeta | null {
  const m = value as ArticleMeta | null | undefined;
  const complete =
    !!m &&
    typeof m.p === "string" &&
    typeof m.h === "string" &&
    (m.u === undefined || typeof m.u === "string") &&
    Array.isArray(m.t) &&
    m.t.every((t) => typeof t === "string");
  if (!complete) return null;
  try {
    return { ...m, t: m.t.map(decodeURIComponent) };
  } catch {
    // Malformed percent-encoding: treated like missing metadata, so the record itself is read.
    return null;
  }
}

export interface RebuildReport {
  articles: number;
  skipped: string[];
  rewritten: Scope[];
  removed: Scope[];
}

/**
 * Recomputes every scope from the articles themselves (their listing metadata, reading an
 * article only when its metadata is missing) and rewrites the scopes that disagree.
 * `fresh` supplies records just written, for stores whose listing may lag behind (remote KV).
 */
export async function rebuildIndexes(
  kv: KvLike,
  options: { log?: Logger; fresh?: Article[]; gone?: string[]; pageSize?: number } = {},
): Promise<RebuildReport> {
  const log = options.log ?? consoleLogger;
  const pageSize = options.pageSize ?? PAGE_SIZE_DEFAULT;
  const metas = new Map<string, ArticleMeta>();
  const skipped: string[] = [];
  const known = new Map<string, ArticleEntry>();
  for await (const key of listAll(kv, "article:")) {
    const slug = key.name.slice("article:".length);
    const meta = readMeta(key.metadata);
    if (meta) {
      metas.set(slug, meta);
      continue;
    }
    const article = await getArticle(kv, slug, log);
    if (article) {
      metas.set(slug, metaOf(article));
      known.set(slug, toEntry(article));
    } else skipped.push(slug);
  }
  for (const article of options.fresh ?? []) {
    metas.set(article.slug, metaOf(article));
    known.set(article.slug, toEntry(article));
  }
  for (const slug of options.gone ?? []) metas.delete(slug);

  const expected = new Map<Scope, CatalogRow[]>();
  for (const [slug, meta] of metas) {
    const row: CatalogRow = [slug, meta.h, meta.p, meta.u ?? meta.p];
    for (const scope of [ALL, ...meta.t.map(tagScope)]) {
      const rows = expected.get(scope) ?? [];
      rows.push(row);
      expected.set(scope, rows);
    }
  }
  const stored = new Set<Scope>();
  for await (const key of listAll(kv, "catalog:")) stored.add(key.name.slice("catalog:".length));

  const rewritten: Scope[] = [];
  const removed: Scope[] = [];
  for (const scope of stored) {
    if (!expected.has(scope)) {
      await writeScope(kv, scope, [], known, log, pageSize);
      removed.push(scope);
    }
  }
  for (const [scope, rows] of expected) {
    const catalog = sortRows(rows);
    if (stored.has(scope) && (await scopeIsCurrent(kv, scope, catalog, pageSize))) continue;
    await writeScope(kv, scope, catalog, known, log, pageSize);
    rewritten.push(scope);
  }
  return { articles: metas.size, skipped, rewritten, removed };
}

async function scopeIsCurrent(kv: KvLike, scope: Scope, catalog: CatalogRow[], pageSize: number): Promise<boolean> {
  const [storedCatalog, headText, itemsText, restText] = await Promise.all([
    kv.get(catalogKey(scope), "text"),
    kv.get(scopeKey(scope), "text"),
    kv.get(itemsKey(scope), "text"),
    kv.get(restKey(scope), "text"),
  ]);
  const head = parseScopeHead(headText);
  if (storedCatalog !== JSON.stringify(catalog) || !head || head.total !== catalog.length) return false;
  const wantHead = catalog.slice(0, HEAD_DEPTH);
  if (JSON.stringify(head.head) !== JSON.stringify(wantHead)) return false;
  if (head.split !== Math.min(pageSize, wantHead.length)) return false;
  const lines = [itemsText, restText]
    .filter((text) => text)
    .join("\n")
    .split("\n");
  return (
    lines.length === wantHead.length &&
    lines.every((line, i) => parseArticleEntry(parseJson(line))?.hash === wantHead[i]?.[1])
  );
}

async function* listAll(kv: KvLike, prefix: string) {
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix, cursor: cursor ?? null });
    yield* page.keys;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}

// For batch writers (the publish command): records alone, then one rebuildIndexes({ fresh, gone })
// rewrites each touched scope once instead of once per article.

/** Every stored article's slug, from a listing (which may lag writes by up to 60 s remotely). */
export async function listArticleSlugs(kv: KvLike): Promise<string[]> {
  const slugs: string[] = [];
  for await (const key of listAll(kv, "article:")) slugs.push(key.name.slice("article:".length));
  return slugs;
}

/** Writes (or, given null, removes) one article record with its listing metadata; indexes untouched. */
export async function writeArticleRecord(kv: KvLike, slug: string, article: Article | null): Promise<void> {
  if (article === null) return kv.delete(articleKey(slug));
  if (article.slug !== slug) throw new Error(`record for "${article.slug}" written under "${slug}"`);
  await kv.put(articleKey(slug), JSON.stringify(article), { metadata: storedMetaOf(article) });
}
