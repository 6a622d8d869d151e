// Serves one rendered representation politely: 304 before rendering, then the isolate's memory
// or the edge cache when they hold the current validator's bytes, gzip made once per
// representation, and the last good copy when KV is down.
import type { Context } from "hono";
import { Lru } from "../lru.ts";
import { httpDate, isNotModified, notModified } from "./conditional.ts";
import { StoreUnavailableError } from "./problem.ts";

export interface Representation {
  etag: string;
  /** ISO date of the newest change shown, or null. */
  lastModified: string | null;
  contentType: string;
  cacheControl: string;
  /** Extra headers every answer carries (Link, CORS…). */
  headers?: Record<string, string>;
  /** Served gzipped by the Worker when the client accepts it (the edge does not compress this type). */
  compress: boolean;
  /**
   * The body; `etag` replaces the validator when the stored data turned out to be a mix of
   * versions (KV is eventually consistent), and such bytes are never cached.
   */
  render: () => Promise<{ body: string; etag?: string }>;
}

const CACHE_TTL = "public, max-age=604800";
/** Rendered bodies by URL and validator: a poll this isolate answered before costs no cache lookup. */
const bodyMemory = new Lru<ArrayBuffer | Uint8Array>(500, 16 * 1024 * 1024);
const ENCODING_HEADER = "X-Stored-Encoding";

/** What the client itself accepts: on Cloudflare the Worker sees `br, gzip` whatever it sent. */
export function clientAcceptsGzip(request: Request): boolean {
  const cf = (request as { cf?: { clientAcceptEncoding?: string } }).cf;
  const accepted = cf?.clientAcceptEncoding ?? request.headers.get("Accept-Encoding") ?? "";
  return accepted.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

function cacheKey(request: Request, encoding: string): Request {
  const url = new URL(request.url);
  const page = url.searchParams.get("page");
  url.search = "";
  if (page) url.searchParams.set("page", page);
  url.searchParams.set("encoding", encoding);
  return new Request(url.href, { method: "GET" });
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

function defaultCache(): Cache | null {
  return typeof caches === "undefined" ? null : caches.default;
}

function finalHeaders(rep: Representation, etag: string, encoding: string): Headers {
  const headers = new Headers(rep.headers);
  headers.set("Content-Type", rep.contentType);
  headers.set("Cache-Control", rep.cacheControl);
  headers.set("ETag", etag);
  if (rep.lastModified) headers.set("Last-Modified", httpDate(rep.lastModified));
  if (rep.compress) headers.append("Vary", "Accept-Encoding");
  if (encoding === "gzip") headers.set("Content-Encoding", "gzip");
  return headers;
}

function respond(body: BodyInit | null, headers: Headers, status = 200): Response {
  const manual = headers.get("Content-Encoding") === "gzip";
  return new Response(body, manual ? { status, headers, encodeBody: "manual" } : { status, headers });
}

/** A strong validator names exact bytes, so the gzipped variant has its own. */
const variantEtag = (etag: string, encoding: string) => (encoding === "gzip" ? `${etag.slice(0, -1)}-gz"` : etag);

export async function serveRepresentation(c: Context, rep: Representation): Promise<Response> {
  const request = c.req.raw;
  const encoding = rep.compress && clientAcceptsGzip(request) ? "gzip" : "identity";
  const etag = variantEtag(rep.etag, encoding);
  const headers = finalHeaders(rep, etag, encoding);
  if (isNotModified(request.headers, etag, rep.lastModified)) return notModified(headers);

  const key = cacheKey(request, encoding);
  const memoryKey = `${key.url}\n${etag}`;
  const remembered = bodyMemory.get(memoryKey);
  if (remembered) return respond(request.method === "HEAD" ? null : remembered, headers);

  const cache = defaultCache();
  const cached = cache ? await cache.match(key) : undefined;
  if (cached && cached.headers.get("ETag") === etag) {
    const bytes = await cached.arrayBuffer();
    bodyMemory.set(memoryKey, bytes, { weight: bytes.byteLength });
    return respond(request.method === "HEAD" ? null : bytes, headers);
  }

  const rendered = await rep.render();
  const text = rendered.body.toWellFormed();
  const body = encoding === "gzip" ? await gzip(text) : new TextEncoder().encode(text);
  if (rendered.etag) {
    headers.set("ETag", variantEtag(rendered.etag, encoding));
  } else {
    bodyMemory.set(memoryKey, body, { weight: body.byteLength });
    if (cache) {
      const stored = new Headers(headers);
      stored.set("Cache-Control", CACHE_TTL);
      stored.delete("Content-Encoding");
      stored.set(ENCODING_HEADER, encoding);
      c.executionCtx.waitUntil(cache.put(key, new Response(body, { headers: stored })));
    }
  }
  return respond(request.method === "HEAD" ? null : body, headers);
}

/**
 * When KV cannot answer, the last copy this location rendered is better than an error:
 * served as is, marked stale. Null when there is none.
 */
export async function serveLastGood(c: Context): Promise<Response | null> {
  const cache = defaultCache();
  if (!cache) return null;
  // Only routes that compress ever stored a gzip copy; any route may have an identity one.
  for (const encoding of clientAcceptsGzip(c.req.raw) ? ["gzip", "identity"] : ["identity"]) {
    const cached = await cache.match(cacheKey(c.req.raw, encoding));
    if (!cached) continue;
    const headers = new Headers(cached.headers);
    headers.delete(ENCODING_HEADER);
    headers.set("Cache-Control", "no-cache");
    headers.set("Warning", '110 - "Response is Stale"');
    if (encoding === "gzip") headers.set("Content-Encoding", "gzip");
    return respond(c.req.method === "HEAD" ? null : cached.body, headers);
  }
  return null;
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
