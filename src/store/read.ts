// The read path: KV alone, never a list, never the writer. A feed's first page costs the scope
// head and one value of entries; what deeper pages and archives cost is in README "Storage".
import { type ArticleEntry, latestDate, toEntry } from "../article/model.ts";
import { Lru, perNamespace } from "../lru.ts";
import {
  type ArchiveHeader,
  type ArticleValue,
  consoleLogger,
  KEYS,
  type Logger,
  parseArchiveHeader,
  parseArticleValue,
  parseChunkDirectory,
  parseEntryLines,
  parseLegacyCatalog,
  parseScopeHead,
  parseSitemapIndex,
  parseSitemapPart,
  parseTagList,
  type Row,
  type Scope,
  type ScopeHead,
  type SitemapIndex,
  type SitemapPart,
  type TagList,
} from "./keys.ts";

/** The slice of the KV API the read path uses. */
export interface KvReader {
  get(key: string, type: "text"): Promise<string | null>;
}

/** How long an isolate trusts a scope head it read; far inside KV's own 60 s staleness. */
export const SCOPE_MEMORY_MS = 5_000;
const scopeMemory = perNamespace(() => new Lru<ScopeHead | null>(1_000));
const entryMemory = perNamespace(() => new Lru<ArticleEntry>(2_000));

/** Forgets what this isolate remembers of KV reads (tests empty KV behind its back). */
export function forgetReads(kv: object): void {
  scopeMemory(kv).clear();
  entryMemory(kv).clear();
}

/** One stored article or its tombstone; null when absent or corrupt (logged). */
export async function readArticle(
  kv: KvReader,
  slug: string,
  log: Logger = consoleLogger,
): Promise<ArticleValue | null> {
  const text = await kv.get(KEYS.article(slug), "text");
  const value = parseArticleValue(text, slug);
  if (text !== null && value === null) log("skipping a corrupt or incompatible article record", { slug });
  return value;
}

/** A scope's head, or null when the scope does not exist (or its head is corrupt: logged). */
export async function readScope(kv: KvReader, scope: Scope, log: Logger = consoleLogger): Promise<ScopeHead | null> {
  const memory = scopeMemory(kv);
  const remembered = memory.get(scope);
  if (remembered !== undefined) return remembered;
  const text = await kv.get(KEYS.scope(scope), "text");
  const head = parseScopeHead(text);
  if (text !== null && head === null) log("ignoring a corrupt scope head", { scope });
  memory.set(scope, head, { ttlMs: SCOPE_MEMORY_MS });
  return head;
}

/** One page of a scope, known well enough for a validator before any entry is read. */
export interface PageSource {
  /** What decides the page's content: its rows, or the archives it spans (for the ETag). */
  stamps: string[];
  /** When an archive it spans last changed, if later than the head (deep pages only). */
  lastModified?: string;
  /** Loads the entries; `consistent` is false when KV served values of different versions. */
  load: () => Promise<{ entries: ArticleEntry[]; consistent: boolean }>;
}

const rowStamps = (rows: Row[]) => rows.map(([slug, hash]) => `${slug}:${hash}`);

const sameRows = (rows: Row[], entries: ArticleEntry[]) =>
  rows.length === entries.length &&
  rows.every(([slug, hash], i) => entries[i]?.slug === slug && entries[i]?.hash === hash);

/** The page [offset, offset + size) of a scope, newest first. */
export async function readPage(
  kv: KvReader,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  size: number,
  log: Logger = consoleLogger,
): Promise<PageSource> {
  const end = Math.min(offset + size, head.total);
  if (end <= head.rows.length) {
    const rows = head.rows.slice(offset, end);
    return {
      stamps: rowStamps(rows),
      async load() {
        const entries = await readHeadEntries(kv, scope, head, offset, rows, log);
        return { entries, consistent: sameRows(rows, entries) };
      },
    };
  }
  if (head.legacy) return readLegacyPage(kv, scope, offset, end, log);
  return readDeepPage(kv, scope, head, offset, end, log);
}

/**
 * Entries within the head: from the isolate's memory when it has them all, else one read of
 * `items:` or `rest:` (both when the page straddles the split), parsing only the lines needed.
 */
async function readHeadEntries(
  kv: KvReader,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  rows: Row[],
  log: Logger,
): Promise<ArticleEntry[]> {
  if (rows.length === 0) return [];
  const memory = entryMemory(kv);
  const remembered = rows.map(([slug, hash]) => memory.get(`${slug}\n${hash}`));
  if (remembered.every((entry) => entry !== undefined)) return remembered as ArticleEntry[];
  const end = offset + rows.length;
  const [first, rest] = await Promise.all([
    offset < head.split ? kv.get(KEYS.items(scope), "text") : null,
    end > head.split ? kv.get(KEYS.rest(scope), "text") : null,
  ]);
  const entries: ArticleEntry[] = [];
  if (first !== null)
    entries.push(...parseEntryLines(first, offset, Math.min(end, head.split), KEYS.items(scope), log));
  if (rest !== null) {
    entries.push(...parseEntryLines(rest, Math.max(0, offset - head.split), end - head.split, KEYS.rest(scope), log));
  }
  for (const entry of entries) memory.set(`${entry.slug}\n${entry.hash}`, entry);
  return entries;
}

/** Past the head: the archives the page spans, found from the chunk directory (one more read). */
async function readDeepPage(
  kv: KvReader,
  scope: Scope,
  head: ScopeHead,
  offset: number,
  end: number,
  log: Logger,
): Promise<PageSource> {
  const directory = parseChunkDirectory(await kv.get(KEYS.chunks(scope), "text"));
  if (!directory) {
    log("ignoring a missing or corrupt chunk directory", { scope });
    return { stamps: ["missing"], load: async () => ({ entries: [], consistent: false }) };
  }
  const headRows = head.rows.slice(offset, end);
  const spans: { archive: number; from: number; to: number; count: number; changed: string }[] = [];
  let position = head.rows.length;
  for (const [archive, count, changed] of directory) {
    const from = Math.max(offset, position);
    const to = Math.min(end, position + count);
    if (from < to) spans.push({ archive, from: from - position, to: to - position, count, changed });
    position += count;
    if (position >= end) break;
  }
  const latest = latestDate(
    spans.map((s) => s.changed),
    head.changed,
  );
  return {
    stamps: [...rowStamps(headRows), ...spans.map((s) => `a${s.archive}:${s.count}:${s.changed}`)],
    lastModified: latest,
    async load() {
      const [fromHead, ...fromArchives] = await Promise.all([
        headRows.length > 0 ? readHeadEntries(kv, scope, head, offset, headRows, log) : [],
        ...spans.map((s) => readArchiveValue(kv, scope, s.archive, log)),
      ]);
      const entries = [...fromHead];
      let consistent = sameRows(headRows, fromHead);
      spans.forEach((span, i) => {
        const value = fromArchives[i];
        if (!value || value.header.count !== span.count || value.header.changed !== span.changed) consistent = false;
        if (value) entries.push(...value.entries.slice(span.from, span.to));
      });
      return { entries, consistent };
    },
  };
}

/** An old store's deep page: its catalog, then the articles one by one, until the writer adopts it. */
async function readLegacyPage(
  kv: KvReader,
  scope: Scope,
  offset: number,
  end: number,
  log: Logger,
): Promise<PageSource> {
  const rows = parseLegacyCatalog(await kv.get(KEYS.legacyCatalog(scope), "text")).slice(offset, end);
  return {
    stamps: rowStamps(rows),
    async load() {
      const values = await Promise.all(rows.map(([slug]) => readArticle(kv, slug, log)));
      const entries = values.flatMap((v) => (v?.kind === "article" ? [toEntry(v.article)] : []));
      return { entries, consistent: sameRows(rows, entries) };
    },
  };
}

export interface ArchiveValue {
  header: ArchiveHeader;
  entries: ArticleEntry[];
}

async function readArchiveValue(
  kv: KvReader,
  scope: Scope,
  archive: number,
  log: Logger,
): Promise<ArchiveValue | null> {
  const key = KEYS.archive(scope, archive);
  const text = await kv.get(key, "text");
  if (text === null) return null;
  const newline = text.indexOf("\n");
  const header = parseArchiveHeader(newline === -1 ? text : text.slice(0, newline));
  if (!header || header.archive !== archive) {
    log("ignoring a corrupt archive", { key });
    return null;
  }
  const entries = newline === -1 ? [] : parseEntryLines(text.slice(newline + 1), 0, header.count, key, log);
  return { header, entries };
}

/** One RFC 5005 archive document's content: a full archive, or the open one after page 1. */
export interface ArchiveDocument {
  archive: number;
  full: boolean;
  changed: string;
  /** What decides its content, for the ETag. */
  stamp: string;
  entries: ArticleEntry[];
  consistent: boolean;
}

/** Archive `archive` of a scope; null when there is no such archive. */
export async function readArchive(
  kv: KvReader,
  scope: Scope,
  head: ScopeHead,
  archive: number,
  log: Logger = consoleLogger,
): Promise<ArchiveDocument | null> {
  if (head.legacy || archive < 1 || archive > head.archives + 1) return null;
  if (archive === head.archives + 1) {
    const rows = head.rows.slice(head.split);
    const entries = await readHeadEntries(kv, scope, head, head.split, rows, log);
    const stamp = [head.changed, ...rowStamps(rows)].join(" ");
    return { archive, full: false, changed: head.changed, stamp, entries, consistent: sameRows(rows, entries) };
  }
  const value = await readArchiveValue(kv, scope, archive, log);
  if (!value) return null;
  const { header, entries } = value;
  const stamp = `${header.count}:${header.changed}`;
  const consistent = entries.length === header.count;
  return { archive, full: true, changed: header.changed, stamp, entries, consistent };
}

export async function readTags(kv: KvReader, log: Logger = consoleLogger): Promise<TagList> {
  const text = await kv.get(KEYS.tags, "text");
  const tags = parseTagList(text);
  if (text !== null && tags === null) log("ignoring a corrupt tag list");
  return tags ?? { v: 2, tags: [] };
}

export async function readSitemapIndex(kv: KvReader): Promise<SitemapIndex | null> {
  return parseSitemapIndex(await kv.get(KEYS.sitemap, "text"));
}

export async function readSitemapPart(kv: KvReader, part: number): Promise<SitemapPart | null> {
  return parseSitemapPart(await kv.get(KEYS.sitemapPart(part), "text"));
}
