// RFC 9110 validators, worked out before rendering so that a 304 costs no render.

/** A strong validator from the inputs that decide a representation's bytes. */
export async function strongEtag(parts: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\u0000")));
  const bytes = new Uint8Array(digest, 0, 15);
  let b64 = btoa(String.fromCharCode(...bytes));
  b64 = b64.replaceAll("+", "-").replaceAll("/", "_");
  return `"${b64}"`;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, "");

/** If-None-Match (weak comparison, `*`, lists) decides; If-Modified-Since only without it. */
export function isNotModified(headers: Headers, etag: string, lastModified: string | null): boolean {
  const inm = headers.get("If-None-Match");
  if (inm !== null) {
    if (inm.trim() === "*") return true;
    const wanted = opaque(etag);
    return inm.split(",").some((tag) => opaque(tag) === wanted);
  }
  const ims = headers.get("If-Modified-Since");
  if (ims !== null && lastModified !== null) {
    const since = Date.parse(ims);
    if (Number.isNaN(since)) return false;
    return Math.floor(Date.parse(lastModified) / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

export const httpDate = (iso: string) => new Date(iso).toUTCString();

/** The 304: validators and caching headers of the 200, no body. */
export function notModified(headers: Headers): Response {
  const kept = new Headers();
  for (const name of [
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Cloudflare-CDN-Cache-Control",
    "Cache-Tag",
    "Vary",
    "Link",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Cross-Origin-Resource-Policy",
  ]) {
    const value = headers.get(name);
    if (value !== null) kept.set(name, value);
  }
  return new Response(null, { status: 304, headers: kept });
}
