// Serves one rendered representation politely: 304 before rendering, the isolate's memory of
// bodies it rendered for the current validator, explicit freshness for clients and for Workers
// Cache, Cache-Tags for purges, and a last good copy for when KV is down.
import type { Context } from "hono";
import { Lru } from "../lru.ts";
import { POLL_MINUTES } from "../render/rss.ts";
import { httpDate, isNotModified, notModified } from "./conditional.ts";
import { StoreUnavailableError } from "./problem.ts";

export interface Freshness {
  /** For clients (browsers, feed readers). */
  client: string;
  /** For Workers Cache only (`Cloudflare-CDN-Cache-Control`, stripped before clients). */
  edge: string;
}

export const FRESHNESS = {
  /** Feeds and list pages: readers poll every few minutes; purges make the edge's hour safe. */
  feed: {
    client: `public, max-age=${POLL_MINUTES * 60}, stale-while-revalidate=600, stale-if-error=86400`,
    edge: "max-age=3600, stale-while-revalidate=300, stale-if-error=86400",
  },
  page: {
    client: "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400",
    edge: "max-age=3600, stale-while-revalidate=300, stale-if-error=86400",
  },
  /** A full archive, or a file whose URL names its content. */
  immutable: { client: "public, max-age=31536000, immutable", edge: "max-age=31536000" },
  /** 404 and 410: cached briefly, purged when the address gets content. */
  missing: { client: "public, max-age=60", edge: "max-age=300" },
} as const satisfies Record<string, Freshness>;

export interface Representation {
  etag: string;
  /** ISO date the representation last changed, or null. */
  lastModified: string | null;
  contentType: string;
  freshness: Freshness;
  /** What this answer depends on, for purges (see src/cache/tags.ts). */
  cacheTags: string[];
  /** Extra headers every answer carries (Link, CORS…). */
  headers?: Record<string, string>;
  /**
   * The body; `etag` replaces the validator when the stored data turned out to be a mix of
   * versions (KV is eventually consistent), and such bytes are never remembered.
   */
  render: () => Promise<{ body: string; etag?: string }>;
}

/** Rendered bodies by URL and validator: a repeated request this isolate answered costs no render. */
const bodyMemory = new Lru<Uint8Array>(500, 16 * 1024 * 1024);
const LAST_GOOD_TTL = "public, max-age=604800";

export function cachingHeaders(freshness: Freshness, cacheTags: string[]): Record<string, string> {
  return {
    "Cache-Control": freshness.client,
    "Cloudflare-CDN-Cache-Control": freshness.edge,
    "Cache-Tag": cacheTags.join(","),
  };
}

/**
 * RFC 9110 §8.8.2.1: a Last-Modified later than the answer's own date is replaced by that date.
 * The writer never records one (see writer/flush.ts); this holds against a skewed clock.
 */
function notAfterNow(iso: string | null): string | null {
  if (iso === null) return null;
  const now = new Date().toISOString();
  return iso > now ? now : iso;
}

function finalHeaders(rep: Representation, etag: string, lastModified: string | null): Headers {
  const headers = new Headers(rep.headers);
  headers.set("Content-Type", rep.contentType);
  for (const [name, value] of Object.entries(cachingHeaders(rep.freshness, rep.cacheTags))) headers.set(name, value);
  headers.set("ETag", etag);
  if (lastModified) headers.set("Last-Modified", httpDate(lastModified));
  return headers;
}

/** The last good copy's address: the URL with only `page` kept, so junk queries cannot fill the cache. */
function lastGoodUrl(request: Request): string {
  const url = new URL(request.url);
  const page = url.searchParams.get("page");
  url.search = "";
  if (page) url.searchParams.set("page", page);
  return url.href;
}

function defaultCache(): Cache | null {
  return typeof caches === "undefined" ? null : caches.default;
}

export async function serveRepresentation(c: Context, rep: Representation): Promise<Response> {
  const request = c.req.raw;
  const lastModified = notAfterNow(rep.lastModified);
  const headers = finalHeaders(rep, rep.etag, lastModified);
  if (isNotModified(request.headers, rep.etag, lastModified)) return notModified(headers);
  const keyUrl = lastGoodUrl(request);
  const memoryKey = `${keyUrl}\n${rep.etag}`;
  const remembered = bodyMemory.get(memoryKey);
  if (remembered) return new Response(request.method === "HEAD" ? null : remembered, { headers });

  const rendered = await rep.render();
  const body = new TextEncoder().encode(rendered.body.toWellFormed());
  if (rendered.etag) headers.set("ETag", rendered.etag);
  else {
    bodyMemory.set(memoryKey, body, { weight: body.byteLength });
    const cache = defaultCache();
    if (cache) {
      // Kept only for serveLastGood: Workers Cache answers repeat requests before the Worker runs.
      const stored = new Headers(headers);
      stored.set("Cache-Control", LAST_GOOD_TTL);
      c.executionCtx.waitUntil(
        cache.put(new Request(keyUrl, { method: "GET" }), new Response(body, { headers: stored })),
      );
    }
  }
  return new Response(request.method === "HEAD" ? null : body, { headers });
}

/**
 * When KV cannot answer, the last copy this location rendered is better than an error: served
 * as is, marked stale, and never stored by the edge. Null when there is none.
 */
export async function serveLastGood(c: Context): Promise<Response | null> {
  const cache = defaultCache();
  const cached = cache ? await cache.match(new Request(lastGoodUrl(c.req.raw), { method: "GET" })) : undefined;
  if (!cached) return null;
  const headers = new Headers(cached.headers);
  headers.set("Cache-Control", "no-cache");
  headers.set("Cloudflare-CDN-Cache-Control", "no-store");
  headers.delete("Cache-Tag");
  headers.set("Warning", '110 - "Response is Stale"');
  return new Response(c.req.method === "HEAD" ? null : cached.body, { headers });
}

/** Runs a store call, turning any KV failure into StoreUnavailableError. */
export async function fromStore<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError("KV did not answer", { cause: error });
  }
}
