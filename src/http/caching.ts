// The last word on what Workers Cache may store, for every answer: it keys entries by path, not
// by host, and stores answers without Cache-Control by heuristics, so this decides in one place.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { siteConfig } from "../site.ts";

const EDGE = "Cloudflare-CDN-Cache-Control";

export const edgeCaching: MiddlewareHandler<AppEnv> = async function edgeCaching(c, next) {
  await next();
  // In place: Hono's `c.res` setter would copy the old headers back over a new response's.
  const headers = c.res.headers;
  // Nothing is left to heuristic freshness (a 200 without Cache-Control would be kept two hours).
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  const noStore = /(?:^|,)\s*(?:no-store|private)\b/.test(headers.get("Cache-Control") ?? "");
  const authenticated = c.req.header("Authorization") !== undefined;
  // Absolute links name the request's host when SITE_URL is empty; the edge cache does not.
  const hostBound = siteConfig(c.env).origin === null;
  if (authenticated) headers.set("Cache-Control", "private, no-store");
  if (noStore || authenticated || hostBound) {
    headers.set(EDGE, "no-store");
    headers.delete("Cache-Tag");
  } else if (!headers.has(EDGE)) headers.set(EDGE, headers.get("Cache-Control") as string);
  headers.delete("Set-Cookie");
};
