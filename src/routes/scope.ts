// Resolves the page of a scope a request names: shared by feed and list-page routes.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { tagSlug } from "../article/model.ts";
import { CACHE_TAGS } from "../cache/tags.ts";
import type { AppEnv } from "../env.ts";
import { strongEtag } from "../http/conditional.ts";
import { fromStore } from "../http/representation.ts";
import { buildFeedView, type FeedView } from "../render/view.ts";
import { siteFingerprint } from "../site.ts";
import { ALL, type Scope, type ScopeHead, tagScope } from "../store/keys.ts";
import { type PageSource, readPage, readScope } from "../store/read.ts";

/** Bumped whenever a renderer's output changes for the same articles, so old ETags stop matching. */
export const RENDER_VERSION = "2";

/** A page that does not exist; `cacheTags` say what would make it exist. */
export class NotFound extends Error {
  readonly cacheTags: string[];
  constructor(cacheTags: string[] = [CACHE_TAGS.site]) {
    super("not found");
    this.cacheTags = cacheTags;
  }
}

export interface ScopePage {
  tag: { slug: string; name: string } | null;
  page: number;
  head: ScopeHead;
  source: PageSource;
  /** When this page last changed; null for a store nothing was ever written to. */
  lastModified: string | null;
  cacheTags: string[];
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
function canonicalRedirect(c: Context<AppEnv>, page: number | null, slug: string | null): void {
  const tagParam = c.req.param("tag");
  const otherSpelling = slug !== null && tagParam !== undefined && tagParam !== slug;
  if (!otherSpelling && c.req.query("page") !== "1") return;
  let path = c.req.path;
  if (otherSpelling) path = path.replace(/^\/tags\/[^/]+/, `/tags/${encodeURIComponent(slug)}`);
  const query = page !== null && page > 1 ? `?page=${page}` : "";
  throw new HTTPException(301, { res: c.redirect(`${path}${query}`, 301) });
}

const EMPTY: ScopeHead = { v: 2, total: 0, rows: [], split: 0, archives: 0, changed: "1970-01-01T00:00:00Z", gone: [] };

/** The scope a route names (the site, or a tag), redirected to its canonical URL; 404 when unknown. */
export async function resolveScope(
  c: Context<AppEnv>,
  tagParam: string | undefined,
  page: number | null = null,
): Promise<{ scope: Scope; head: ScopeHead; tag: { slug: string; name: string } | null }> {
  const slug = tagParam === undefined ? null : tagSlug(tagParam);
  if (slug === "") throw new NotFound();
  canonicalRedirect(c, page, slug);
  const scope = slug === null ? ALL : tagScope(slug);
  const head = (await fromStore(() => readScope(c.env.ARTICLES, scope))) ?? (slug === null ? EMPTY : null);
  if (!head || (slug !== null && head.total === 0)) throw new NotFound([CACHE_TAGS.site, CACHE_TAGS.scope(scope)]);
  return { scope, head, tag: slug === null ? null : { slug, name: head.name ?? slug } };
}

export async function resolveScopePage(c: Context<AppEnv>, tagParam: string | undefined): Promise<ScopePage> {
  const site = c.get("site");
  const page = parsePage(c.req.query("page"));
  const { scope, head, tag } = await resolveScope(c, tagParam, page);
  if (page === null) throw new NotFound([CACHE_TAGS.site, CACHE_TAGS.scope(scope)]);
  const offset = (page - 1) * site.pageSize;
  if (page > 1 && offset >= head.total) throw new NotFound([CACHE_TAGS.site, CACHE_TAGS.scope(scope)]);
  const source = await fromStore(() => readPage(c.env.ARTICLES, scope, head, offset, site.pageSize));
  return {
    tag,
    page,
    head,
    source,
    // A store nothing was ever written to has no change to date.
    lastModified: head === EMPTY ? null : (source.lastModified ?? head.changed),
    cacheTags: [CACHE_TAGS.site, CACHE_TAGS.scope(scope)],
    async load() {
      const { entries, consistent } = await fromStore(() => source.load());
      return { view: buildFeedView(site, tag, page, head, entries), consistent };
    },
  };
}

/**
 * The validator of one page of one scope in one format, known before anything is rendered.
 * `shown` are the [slug, hash] pairs actually rendered, when KV mixed versions.
 */
export async function scopeEtag(
  c: Context<AppEnv>,
  format: string,
  page: ScopePage,
  shown?: readonly { 0: string; 1: string }[],
): Promise<string> {
  const fingerprint = siteFingerprint(c.get("site"));
  const compute = () =>
    strongEtag([
      RENDER_VERSION,
      format,
      fingerprint,
      String(page.page),
      page.head.changed,
      String(page.head.total),
      page.tag?.name ?? "",
      ...(shown ? shown.map((v) => `${v[0]}:${v[1]}`) : page.source.stamps),
    ]);
  if (shown) return compute();
  // A remembered head is the same object on every poll: its validators are worked out once. The
  // strings are kept, never the promises: a request must not await another request's promise.
  let byHead = etagsByHead.get(page.head);
  if (!byHead) {
    byHead = new Map();
    etagsByHead.set(page.head, byHead);
  }
  const key = `${format}\n${page.page}\n${fingerprint}`;
  let etag = byHead.get(key);
  if (etag === undefined) {
    etag = await compute();
    byHead.set(key, etag);
  }
  return etag;
}

const etagsByHead = new WeakMap<ScopeHead, Map<string, string>>();

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
