// Resolves the page of a scope a request names: shared by feed and list-page routes.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { type ArticleEntry, tagSlug } from "../article/model.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { fromStore } from "../http/representation.ts";
import { buildFeedView, type FeedView } from "../render/view.ts";
import { siteFingerprint } from "../site.ts";
import { ALL, type CatalogRow, pageRows, readEntries, readScope, type ScopeHead, tagScope } from "../store/kv.ts";

/** Bumped whenever a renderer's output changes for the same articles, so old ETags stop matching. */
export const RENDER_VERSION = "1";

export class NotFound extends Error {}

export interface ScopePage {
  tag: { slug: string; name: string } | null;
  page: number;
  head: ScopeHead;
  rows: CatalogRow[];
  /** Newest change among the rows. */
  lastModified: string | null;
  /** Loads the entries and builds the view; `consistent` is false if KV served a mix of versions. */
  load: () => Promise<{ view: FeedView; consistent: boolean }>;
}

/** `?page=N`: absent → 1; junk is no page. `?page=1` is handled by a redirect to the plain URL. */
export function parsePage(value: string | undefined): number | null {
  if (value === undefined) return 1;
  if (!/^[1-9]\d{0,5}$/.test(value)) return null;
  return Number(value);
}

/** Each page has one URL: `?page=1` and `/tags/Middle%20East` move permanently to the canonical form. */
function canonicalRedirect(c: Context<AppEnv>, page: number, slug: string | null): void {
  const tagParam = c.req.param("tag");
  const otherSpelling = slug !== null && tagParam !== undefined && tagParam !== slug;
  if (!otherSpelling && c.req.query("page") !== "1") return;
  let path = c.req.path;
  if (otherSpelling) path = path.replace(/^\/tags\/[^/]+/, `/tags/${encodeURIComponent(slug)}`);
  throw new HTTPException(301, { res: c.redirect(`${path}${page > 1 ? `?page=${page}` : ""}`, 301) });
}

const EMPTY: ScopeHead = { v: 1, total: 0, head: [], split: 0 };

export async function resolveScopePage(c: Context<AppEnv>, tagParam: string | undefined): Promise<ScopePage> {
  const site = c.get("site");
  const page = parsePage(c.req.query("page"));
  if (page === null) throw new NotFound();
  const slug = tagParam === undefined ? null : tagSlug(tagParam);
  if (slug === "") throw new NotFound();
  canonicalRedirect(c, page, slug);
  const scope = slug === null ? ALL : tagScope(slug);
  const kv = c.env.ARTICLES;
  const head = (await fromStore(() => readScope(kv, scope))) ?? (slug === null ? EMPTY : null);
  if (!head || (slug !== null && head.total === 0)) throw new NotFound();
  const offset = (page - 1) * site.pageSize;
  if (page > 1 && offset >= head.total) throw new NotFound();
  const rows = await fromStore(() => pageRows(kv, scope, head, offset, site.pageSize));
  const tag = slug === null ? null : { slug, name: head.name ?? slug };
  const lastModified = rows.reduce<string | null>((max, r) => (max === null || r[3] > max ? r[3] : max), null);
  return {
    tag,
    page,
    head,
    rows,
    lastModified,
    async load() {
      const entries = await fromStore(() => readEntries(kv, scope, head, offset, rows));
      const consistent = sameVersions(rows, entries);
      return { view: buildFeedView(site, tag, page, head.total, entries), consistent };
    },
  };
}

function sameVersions(rows: CatalogRow[], entries: ArticleEntry[]): boolean {
  return (
    rows.length === entries.length &&
    rows.every(([slug, hash], i) => entries[i]?.slug === slug && entries[i]?.hash === hash)
  );
}

/**
 * The validator of one page of one scope in one format, known before anything is rendered.
 * `versions` are the [slug, hash] pairs shown: the rows, or the entries KV actually returned.
 */
export function scopeEtag(
  c: Context<AppEnv>,
  format: string,
  page: ScopePage,
  versions?: readonly { 0: string; 1: string }[],
): Promise<string> {
  const fingerprint = siteFingerprint(c.get("site"));
  const compute = () =>
    strongEtag([
      RENDER_VERSION,
      format,
      fingerprint,
      String(page.page),
      String(page.head.total),
      page.tag?.name ?? "",
      ...(versions ?? page.rows).map((v) => `${v[0]}:${v[1]}`),
    ]);
  if (versions) return compute();
  // A remembered head is the same object on every poll: its validators are worked out once.
  let byHead = etagsByHead.get(page.head);
  if (!byHead) {
    byHead = new Map();
    etagsByHead.set(page.head, byHead);
  }
  const key = `${format}\n${page.page}\n${fingerprint}`;
  let etag = byHead.get(key);
  if (!etag) {
    etag = compute();
    byHead.set(key, etag);
  }
  return etag;
}

const etagsByHead = new WeakMap<ScopeHead, Map<string, Promise<string>>>();

/** Renders a scope page; when KV mixed versions, the validator is recomputed from what was shown. */
export async function renderScope(
  c: Context<AppEnv>,
  format: string,
  page: ScopePage,
  render: (view: FeedView) => string | Promise<string>,
): Promise<{ body: string; etag?: string }> {
  const { view, consistent } = await page.load();
  const body = await render(view);
  if (consistent) return { body };
  const shown = view.entries.map((e) => [e.slug, e.hash] as const);
  return { body, etag: await scopeEtag(c, format, page, shown) };
}
