// The read-only half of `npm run smoke`: a raw HTTP client, the report, and the checks any
// visitor could make (routes, icon, validators, identity bytes, Workers Cache).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { tagSlug } from "../src/article/model.ts";

const TIMEOUT_MS = 15_000;

export interface Reply {
  status: number;
  headers: Headers;
  /** The bytes as they came off the wire: nothing here decompresses. */
  body: Buffer;
}

/**
 * node:http rather than fetch: fetch always sends `Accept-Encoding: gzip, deflate, br` and
 * decodes what comes back, so it could neither ask for identity bytes nor see them.
 */
export function send(url: URL, method = "GET", headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers: { "User-Agent": "feed-publisher-smoke", ...headers } });
    outgoing.setTimeout(TIMEOUT_MS, () => outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    outgoing.on("error", reject);
    outgoing.on("response", (incoming: IncomingMessage) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => {
        const received = new Headers();
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
          received.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
        }
        resolve({ status: incoming.statusCode ?? 0, headers: received, body: Buffer.concat(chunks) });
      });
    });
    outgoing.end(body);
  });
}

/** What went wrong with a request; Node's AggregateError (one per address tried) has no message. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(reasonOf).join("; ");
  const { message, code } = error as NodeJS.ErrnoException;
  return message || code || String(error);
}

export class Report {
  readonly #print: (line: string) => void;
  readonly counts = { PASS: 0, FAIL: 0, SKIP: 0 };

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  #line(kind: keyof Report["counts"], name: string, detail: string) {
    this.counts[kind] += 1;
    this.#print(`${kind}  ${name}${detail ? ` — ${detail}` : ""}`);
  }

  pass = (name: string, detail = "") => this.#line("PASS", name, detail);
  fail = (name: string, detail: string) => this.#line("FAIL", name, detail);
  skip = (name: string, why: string) => this.#line("SKIP", name, why);

  /** PASS when there are no problems, else one FAIL naming them all. */
  judge(name: string, problems: string[], detail: string) {
    if (problems.length === 0) this.pass(name, detail);
    else this.fail(name, problems.join("; "));
  }

  /** Runs one check; a request that fails outright is that check's FAIL, and the run goes on. */
  async guard(name: string, check: () => Promise<void>) {
    try {
      await check();
    } catch (error) {
      this.fail(name, `could not check: ${reasonOf(error)}`);
    }
  }
}

export const expected = (what: string, want: string, got: string | null) =>
  `${what}: expected ${want}, got ${got === null ? "none" : got}`;

interface Route {
  path: string;
  /** A media type, or a full Content-Type when parameters matter too. */
  type: string;
  lastModified: boolean;
  /** A problem with the body, or null. */
  body?: (text: string) => string | null;
  cors?: boolean;
}

const contains = (marker: string) => (text: string) =>
  text.toLowerCase().includes(marker.toLowerCase()) ? null : `body: expected ${marker}, got none`;

function parsesAsJson(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return `body: not JSON (${(error as Error).message})`;
  }
}

export const ROUTES: Route[] = [
  { path: "/", type: "text/html", lastModified: true, body: contains("<html") },
  { path: "/rss.xml", type: "application/rss+xml; charset=utf-8", lastModified: true, body: contains("<rss") },
  { path: "/atom.xml", type: "application/atom+xml", lastModified: true, body: contains("<feed") },
  { path: "/feed.json", type: "application/feed+json", lastModified: true, body: parsesAsJson, cors: true },
  { path: "/feeds", type: "text/html", lastModified: false, body: contains("<html") },
  { path: "/feeds.opml", type: "text/x-opml", lastModified: false, body: contains("<opml") },
  { path: "/sitemap.xml", type: "application/xml", lastModified: true, body: contains("<urlset") },
  {
    path: "/robots.txt",
    type: "text/plain",
    lastModified: false,
    body: (text) => (/^Sitemap:\s*\S+\/sitemap\.xml\s*$/im.test(text) ? null : "body: names no /sitemap.xml"),
  },
];

export const FEEDS = ["/rss.xml", "/atom.xml", "/feed.json"];

function typeMatches(want: string, got: string | null): boolean {
  const normal = (type: string) => type.toLowerCase().replace(/\s+/g, "");
  if (got === null) return false;
  return want.includes(";") ? normal(got) === normal(want) : normal(got).split(";")[0] === normal(want);
}

/** One route: 200, its type, validators, caching, no cookie. Returns the reply for later checks. */
export async function checkRoute(origin: URL, route: Route, report: Report): Promise<Reply | null> {
  let reply: Reply | null = null;
  await report.guard(`route ${route.path}`, async () => {
    const got = await send(new URL(route.path, origin));
    reply = got;
    const h = got.headers;
    const problems: string[] = [];
    if (got.status !== 200) problems.push(expected("status", "200", String(got.status)));
    if (!typeMatches(route.type, h.get("Content-Type"))) {
      problems.push(expected("Content-Type", route.type, h.get("Content-Type")));
    }
    if (!h.has("ETag")) problems.push(expected("ETag", "one", null));
    if (route.lastModified && !h.has("Last-Modified")) problems.push(expected("Last-Modified", "one", null));
    if (!h.has("Cache-Control")) problems.push(expected("Cache-Control", "one", null));
    if (h.has("Set-Cookie")) problems.push(expected("Set-Cookie", "none", h.get("Set-Cookie")));
    if (route.cors && h.get("Access-Control-Allow-Origin") !== "*") {
      problems.push(expected("Access-Control-Allow-Origin", "*", h.get("Access-Control-Allow-Origin")));
    }
    const bodyProblem = got.status === 200 ? route.body?.(got.body.toString("utf8")) : null;
    if (bodyProblem) problems.push(bodyProblem);
    const maxAge = /max-age=\d+/.exec(h.get("Cache-Control") ?? "")?.[0] ?? "";
    const validators = route.lastModified ? "ETag, Last-Modified" : "ETag";
    report.judge(`route ${route.path}`, problems, `200 ${h.get("Content-Type")}, ${validators}, ${maxAge}`);
  });
  return reply;
}

interface FeedItem {
  url?: string;
  tags?: string[];
}

/** The newest article's page and a tag page, from the JSON Feed the site just served. */
export function discoveredRoutes(feed: Reply | null): { article: Route | string; tag: Route | string } {
  const page = (path: string): Route => ({ path, type: "text/html", lastModified: true, body: contains("<html") });
  let items: FeedItem[];
  try {
    items = (JSON.parse(feed?.body.toString("utf8") ?? "") as { items?: FeedItem[] }).items ?? [];
  } catch {
    // Reported by the /feed.json check already.
    return { article: "the JSON Feed could not be read", tag: "the JSON Feed could not be read" };
  }
  const first = items.find((item) => item.url);
  const tagged = items.find((item) => item.tags && item.tags.length > 0)?.tags?.[0];
  const slug = tagged === undefined ? "" : tagSlug(tagged);
  return {
    // The path only: SITE_URL may name another host than the one being checked.
    article: first?.url ? page(new URL(first.url).pathname) : "the site has no articles",
    tag: slug ? page(`/tags/${encodeURIComponent(slug)}`) : "no article in the feed has a tag",
  };
}

/** The first PNG icon the home page's head links to: served, PNG, cached for good. */
export async function checkIcon(origin: URL, home: Reply | null, report: Report) {
  const html = home?.body.toString("utf8") ?? "";
  const attributes = (tag: string) =>
    Object.fromEntries(
      [...tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)].map((m) => [
        (m[1] as string).toLowerCase(),
        (m[2] ?? m[3] ?? m[4] ?? "").replaceAll("&amp;", "&"),
      ]),
    );
  const link = [...html.matchAll(/<link\b[^>]*>/gi)]
    .map((m) => attributes(m[0]))
    .find((a) => a.rel?.toLowerCase().split(/\s+/).includes("icon") && a.type === "image/png" && a.href);
  if (!link?.href)
    return report.fail("icon", 'expected a <link rel="icon" type="image/png"> in the home page, got none');
  const url = new URL(link.href, origin);
  await report.guard(`icon ${url.pathname}`, async () => {
    const got = await send(url);
    const cacheControl = got.headers.get("Cache-Control");
    const problems: string[] = [];
    if (got.status !== 200) problems.push(expected("status", "200", String(got.status)));
    if (got.headers.get("Content-Type") !== "image/png")
      problems.push(expected("Content-Type", "image/png", got.headers.get("Content-Type")));
    if (!cacheControl?.includes("immutable")) problems.push(expected("Cache-Control", "…immutable", cacheControl));
    report.judge(`icon ${url.pathname}`, problems, `200 image/png, ${cacheControl}`);
  });
}

/** Each feed answers 304 to its own ETag, and to its own Last-Modified alone. */
export async function checkValidators(origin: URL, replies: Map<string, Reply | null>, report: Report) {
  for (const path of FEEDS) {
    const etag = replies.get(path)?.headers.get("ETag") ?? null;
    const lastModified = replies.get(path)?.headers.get("Last-Modified") ?? null;
    for (const [header, value] of [
      ["If-None-Match", etag],
      ["If-Modified-Since", lastModified],
    ] as const) {
      const name = `304 ${path} ${header}`;
      if (value === null) {
        report.fail(name, `the 200 had no ${header === "If-None-Match" ? "ETag" : "Last-Modified"} to send back`);
        continue;
      }
      await report.guard(name, async () => {
        const got = await send(new URL(path, origin), "GET", { [header]: value });
        const problems: string[] = [];
        if (got.status !== 304) problems.push(expected("status", "304", String(got.status)));
        if (etag !== null && got.headers.get("ETag") !== etag)
          problems.push(expected("ETag", etag, got.headers.get("ETag")));
        report.judge(name, problems, `304, ETag ${got.headers.get("ETag")}`);
      });
    }
  }
}

/** A client that sends no Accept-Encoding gets bytes it can read as they are. */
export async function checkIdentity(origin: URL, report: Report) {
  const parses: Record<string, (text: string) => string | null> = {
    "/atom.xml": contains("<feed"),
    "/feed.json": parsesAsJson,
  };
  for (const [path, parse] of Object.entries(parses)) {
    const name = `identity ${path}`;
    await report.guard(name, async () => {
      const got = await send(new URL(path, origin));
      const encoding = got.headers.get("Content-Encoding");
      const length = got.headers.get("Content-Length");
      const problems: string[] = [];
      if (got.status !== 200) problems.push(expected("status", "200", String(got.status)));
      if (encoding !== null && encoding !== "identity") problems.push(expected("Content-Encoding", "none", encoding));
      if (length !== null && Number(length) !== got.body.byteLength) {
        problems.push(expected("bytes", `Content-Length ${length}`, String(got.body.byteLength)));
      }
      const problem = parse(got.body.toString("utf8"));
      if (problem) problems.push(problem);
      const sized = length === null ? "no Content-Length (chunked)" : "= Content-Length";
      report.judge(
        name,
        problems,
        `no Accept-Encoding sent: ${got.body.byteLength} bytes ${sized}, not encoded, parses`,
      );
    });
  }
}

const CACHE_HINT =
  "is SITE_URL set? Without it the Worker tells the edge not to store anything (links name the request's host, the cache key does not)";

/** A fresh cache key (the query is part of it) is a MISS, then a HIT. Cloudflare only. */
export async function checkWorkersCache(origin: URL, report: Report) {
  const name = "workers cache /robots.txt";
  await report.guard(name, async () => {
    const url = new URL(`/robots.txt?smoke=${Math.random().toString(36).slice(2)}`, origin);
    const statuses: string[] = [];
    // The edge may store the first answer a moment after sending it: a few tries for the HIT.
    const going = (attempt: number) => attempt < 2 || (attempt < 4 && statuses[0] === "MISS");
    for (let attempt = 0; going(attempt) && statuses.at(-1) !== "HIT"; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 1000));
      statuses.push((await send(url)).headers.get("cf-cache-status")?.toUpperCase() ?? "none");
    }
    const [first] = statuses;
    const seen = statuses.join(" → ");
    if (first === "none" || first === "BYPASS" || first === "DYNAMIC") {
      return report.fail(name, `${expected("cf-cache-status", "MISS → HIT", seen)}; ${CACHE_HINT}`);
    }
    if (first !== "MISS") return report.fail(name, expected("first cf-cache-status", "MISS", seen));
    if (statuses.at(-1) !== "HIT") return report.fail(name, expected("cf-cache-status", "MISS → HIT", seen));
    report.pass(name, `cf-cache-status ${seen}`);
  });
}
