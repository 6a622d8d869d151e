// Render CPU in Node (the same V8 as workerd): the project's renderers beside the `feed` package
// rendering the same items, and what parsing the stored entries costs on an uncached request.
import { Feed } from "feed";
import { type ArticleEntry, latestDate, parseArticleEntry } from "../src/article/model.ts";
import { useIsolateMemory } from "../src/lru.ts";
import { renderAtom } from "../src/render/atom.ts";
import { renderJsonFeed } from "../src/render/json-feed.ts";
import { renderRss } from "../src/render/rss.ts";
import { absolutizeHtml, articleUrl, feedUrl, pageUrl } from "../src/render/urls.ts";
import { buildFeedView } from "../src/render/view.ts";
import type { Site } from "../src/site.ts";
import { rowOf, type ScopeHead, VALUE_VERSION } from "../src/store/keys.ts";
import { FORMATS, type Format } from "./plan.ts";

export interface Timing {
  /** Median microseconds per call. */
  us: number;
  samples: number;
}

function batchSize(fn: () => unknown, warmMs: number): number {
  const until = performance.now() + warmMs;
  let calls = 0;
  while (performance.now() < until) {
    fn();
    calls++;
  }
  return Math.max(1, Math.round((BATCH_MS * calls) / warmMs));
}

function runBatch(fn: () => unknown, batch: number): number {
  const start = performance.now();
  for (let i = 0; i < batch; i++) fn();
  return ((performance.now() - start) * 1000) / batch;
}

// Short batches, most of which run without the scheduler taking the core away.
const BATCH_MS = 1;

/**
 * The lower quartile: on a shared machine noise only ever adds time, and with short batches
 * most run undisturbed, so this is the undisturbed cost (garbage collection included, as it
 * falls in one batch in a few).
 */
const QUANTILE = 0.25;
const quantile = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * QUANTILE)] as number;
};

/** Time per call: the lower quartile of batches of about 1 ms. */
export function time(fn: () => unknown, budgetMs: number): Timing {
  const batch = batchSize(fn, Math.min(200, budgetMs / 3));
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < 5) samples.push(runBatch(fn, batch));
  return { us: quantile(samples), samples: samples.length };
}

/**
 * Two functions timed in alternating batches (A B A B), so both see the same machine.
 */
export function compare(a: () => unknown, b: () => unknown, budgetMs: number): { a: Timing; b: Timing; ratio: number } {
  const warm = Math.min(200, budgetMs / 4);
  const batchA = batchSize(a, warm);
  const batchB = batchSize(b, warm);
  const sa: number[] = [];
  const sb: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || sa.length < 5) {
    sa.push(runBatch(a, batchA));
    sb.push(runBatch(b, batchB));
  }
  const timeA = quantile(sa);
  const timeB = quantile(sb);
  return { a: { us: timeA, samples: sa.length }, b: { us: timeB, samples: sb.length }, ratio: timeA / timeB };
}

/** The scope head the writer would write for `entries`, all in the open region, page 1 first. */
function headOf(entries: ArticleEntry[], pageSize: number): ScopeHead {
  const rows = entries.map(rowOf);
  const changed = latestDate(rows.map((r) => r[3]));
  return {
    v: VALUE_VERSION,
    total: rows.length,
    rows,
    split: Math.min(pageSize, rows.length),
    archives: 0,
    changed,
    gone: [],
  };
}

const RENDER: Record<Format, (site: Site, entries: ArticleEntry[], head: ScopeHead) => string> = {
  rss: (site, entries, head) => renderRss(buildFeedView(site, null, 1, head, entries)),
  atom: (site, entries, head) => renderAtom(buildFeedView(site, null, 1, head, entries)),
  json: (site, entries, head) => renderJsonFeed(buildFeedView(site, null, 1, head, entries)),
};

/**
 * The same page with feed@6: the items as a Worker using it would build them from the stored
 * entries (dates parsed per render). Its content gets the already-absolutized HTML, so the
 * package is spared one step the project's renderers take.
 */
function renderWithFeedPackage(format: Format, site: Site, entries: ArticleEntry[], html: string[]): string {
  const feed = new Feed({
    id: pageUrl(site.origin, null),
    title: site.title,
    description: site.description,
    link: pageUrl(site.origin, null),
    language: site.language,
    updated: new Date(entries[0]?.updatedAt ?? entries[0]?.publishedAt ?? 0),
    generator: false,
    feedLinks: {
      rss: feedUrl(site.origin, null, "rss"),
      atom: feedUrl(site.origin, null, "atom"),
      json: feedUrl(site.origin, null, "json"),
    },
    author: { name: site.author },
  });
  entries.forEach((entry, i) => {
    feed.addItem({
      title: entry.title,
      id: entry.id,
      link: articleUrl(site.origin, entry.slug),
      date: new Date(entry.updatedAt ?? entry.publishedAt),
      published: new Date(entry.publishedAt),
      description: entry.summary ?? "",
      content: html[i] as string,
      author: (entry.authors.length > 0 ? entry.authors : [{ name: site.author }]).map((a) => ({ name: a.name })),
      category: entry.tags.map((name) => ({ name })),
    });
  });
  return format === "rss" ? feed.rss2() : format === "atom" ? feed.atom1() : feed.json1();
}

export interface RenderFigure {
  format: Format;
  items: number;
  /** cold: every item rendered afresh; warm: the items remembered from an earlier render. */
  memory: "cold" | "warm";
  ours: Timing;
  feedPackage: Timing;
  /** ours / feed package. */
  ratio: number;
  /** Bytes each produced, to show they rendered comparable documents. */
  oursBytes: number;
  feedPackageBytes: number;
}

const encoder = new TextEncoder();

/**
 * Both sides end in UTF-8 bytes, as in the Worker: a string built by concatenation is only
 * flattened when encoded, so timing the string alone would flatter whichever side concatenates.
 */
export function benchRenders(site: Site, entries: ArticleEntry[], sizes: number[], budgetMs: number): RenderFigure[] {
  const figures: RenderFigure[] = [];
  for (const memory of ["cold", "warm"] as const) {
    useIsolateMemory(memory === "warm");
    for (const items of sizes) {
      const page = entries.slice(0, items);
      if (page.length < items) throw new Error(`need ${items} entries to render, have ${entries.length}`);
      const html = page.map((e) => absolutizeHtml(e.html, site.origin));
      const head = headOf(entries, items);
      for (const format of FORMATS) {
        const ours = () => encoder.encode(RENDER[format](site, page, head));
        const theirs = () => encoder.encode(renderWithFeedPackage(format, site, page, html));
        const timed = compare(ours, theirs, budgetMs);
        figures.push({
          format,
          items,
          memory,
          ours: timed.a,
          feedPackage: timed.b,
          ratio: timed.ratio,
          oursBytes: ours().byteLength,
          feedPackageBytes: theirs().byteLength,
        });
      }
    }
  }
  useIsolateMemory(true);
  return figures;
}

/** What an uncached request spends turning the stored NDJSON lines into validated entries. */
export function benchEntryParsing(
  entries: ArticleEntry[],
  sizes: number[],
  budgetMs: number,
): { items: number; timing: Timing }[] {
  return sizes.map((items) => {
    const lines = entries.slice(0, items).map((e) => JSON.stringify(e));
    return {
      items,
      timing: time(() => {
        for (const line of lines) if (!parseArticleEntry(JSON.parse(line))) throw new Error("entry did not parse");
      }, budgetMs),
    };
  });
}
