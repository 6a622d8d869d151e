// The fixed input of the golden renderer tests: no clock, no store, no Markdown step, so the
// golden files change only when a serialiser does.
import type { ArticleEntry } from "../../src/article/model.ts";
import { type FeedView, buildFeedView } from "../../src/render/view.ts";
import type { Site } from "../../src/site.ts";
import { rowOf, type ScopeHead } from "../../src/store/keys.ts";

export const goldenSite: Site = {
  origin: "https://news.example",
  title: "World Brief",
  description: "Plain-spoken analysis of security & international affairs.",
  language: "en",
  author: "World Brief Editors",
  pageSize: 2,
  hub: "https://hub.example/",
  isolateMemory: true,
  kvWriteIntervalMs: 1000,
};

/** The scope head the writer would have written for these entries (page 1 holds `split` of them). */
export function headFor(entries: ArticleEntry[], options: Partial<ScopeHead> = {}): ScopeHead {
  const rows = entries.map(rowOf);
  return {
    v: 2,
    total: rows.length,
    rows,
    split: Math.min(rows.length, 2),
    archives: 0,
    changed: "2024-06-02T11:00:00Z",
    gone: [],
    ...options,
  };
}

export const goldenEntries: ArticleEntry[] = [
  {
    v: 1,
    slug: "gulf-talks",
    id: "urn:uuid:2b1c5c8e-6a43-5d0e-9a55-0c1f3e7a9b21",
    title: "Gulf talks: Q&A <with> the envoy",
    summary: "What was agreed & what was not.",
    html: '<p>Talks resumed in <a href="/tags/middle-east">the region</a>.</p>\n<p><img src="/media/map.png" alt="Map"></p>',
    publishedAt: "2024-06-01T08:00:00Z",
    updatedAt: "2024-06-02T10:30:00Z",
    authors: [{ name: "Ann Example", url: "https://ann.example/", email: "ann@example.com" }],
    tags: ["Middle East", "Diplomacy"],
    image: "https://news.example/media/talks.jpg",
    language: "ar",
    hash: "0123456789ab",
  },
  {
    v: 1,
    slug: "quiet-week",
    id: "urn:uuid:7f0e3d2c-1b4a-5c6d-8e9f-a0b1c2d3e4f5",
    title: "A quiet week",
    html: "<p>Nothing happened.</p>",
    publishedAt: "2024-05-30T00:00:00Z",
    authors: [],
    tags: [],
    hash: "ba9876543210",
  },
];

/** Page 1 of 2 of the whole site, with a hub: every link type appears. */
export const goldenView = (): FeedView =>
  buildFeedView(goldenSite, null, 1, headFor(goldenEntries, { total: 3 }), goldenEntries);
