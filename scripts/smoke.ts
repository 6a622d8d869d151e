// `npm run smoke -- URL`: checks a running site from outside, as a publisher does after a deploy.
// The read-only checks are in smoke-checks.ts; the scratch article's round trip is here.
import { parseArgs } from "node:util";
import {
  checkIcon,
  checkIdentity,
  checkRoute,
  checkValidators,
  checkWorkersCache,
  discoveredRoutes,
  expected,
  type Reply,
  Report,
  ROUTES,
  reasonOf,
  send,
} from "./smoke-checks.ts";

/** Exit codes, as --help states them. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const HELP = `Usage: npm run smoke -- URL        e.g. https://news.example or http://localhost:8787

Checks a running site from outside, one line per check (PASS, FAIL with what was expected and
what came, or SKIP with why), then a summary:

  routes      /, /rss.xml, /atom.xml, /feed.json, /feeds, /feeds.opml, /sitemap.xml, /robots.txt,
              the newest article's page and a tag page: 200, Content-Type, ETag, Last-Modified
              where the route has one, Cache-Control, no Set-Cookie; a PNG icon from the page head
  validators  each feed answers 304 to If-None-Match and to If-Modified-Since
  identity    a client sending no Accept-Encoding gets unencoded Atom and JSON Feed that parse
  cache       cf-cache-status MISS then HIT on a fresh URL (needs Cloudflare)
  writes      with ADMIN_TOKEN in the environment: publishes a scratch article, waits (up to
              75 s, KV's window) for the feed to list it, deletes it, waits for its page to
              answer 410 and the feed to drop it; the article is deleted even when a check fails

A site is local when it sends no cf-ray header (or the host is localhost or 127.0.0.1); the
checks that need Cloudflare are then skipped, saying so.

Exit status: 0 every check that applies passed, 1 a check failed, 2 usage error.`;

const POLL_EVERY_MS = 2000;
const POLL_FOR_MS = 75_000;
const WRITE_CHECKS = ["publish", "writer flushed", "feed lists it", "delete", "page gone", "feed drops it"];

class UsageError extends Error {}

function readTarget(argv: string[]): URL | "help" {
  const options = { help: { type: "boolean", short: "h" } } as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return "help";
  const [url, ...extra] = parsed.positionals;
  if (url === undefined) throw new UsageError("name the site to check, e.g. https://news.example");
  if (extra.length > 0) throw new UsageError(`one URL only, got ${parsed.positionals.length}`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`not an http(s) URL: ${url}`);
  }
  return new URL(new URL(url).origin);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

/** Asks `done` every 2 s for up to 75 s; the last thing it saw when it never came true. */
async function poll(done: () => Promise<true | string>): Promise<true | string> {
  const deadline = Date.now() + POLL_FOR_MS;
  for (;;) {
    const outcome = await done();
    if (outcome === true || Date.now() + POLL_EVERY_MS > deadline) return outcome;
    await sleep(POLL_EVERY_MS);
  }
}

function problemDetail(reply: Reply): string {
  try {
    return (JSON.parse(reply.body.toString("utf8")) as { detail?: string }).detail ?? `status ${reply.status}`;
  } catch {
    // Not a problem document: the status says enough.
    return `status ${reply.status}`;
  }
}

/** Why the admin API refused, in the publisher's terms. */
function refusal(reply: Reply, want: number): string {
  if (reply.status === 401) return `ADMIN_TOKEN refused (401): ${problemDetail(reply)}`;
  if (reply.status === 503) return `admin API disabled on the site, or busy (503): ${problemDetail(reply)}`;
  return `${expected("status", String(want), String(reply.status))} (${problemDetail(reply)})`;
}

/** The scratch article's round trip: published, in the feed, deleted, gone, out of the feed. */
async function checkWrites(origin: URL, token: string, report: Report) {
  const stamp = new Date().toISOString();
  const slug = `smoke-check-${stamp.replace(/\D/g, "").slice(0, 14)}`;
  const path = `/api/articles/${slug}`;
  const admin = (method: string, to: string, body?: unknown) =>
    send(
      new URL(to, origin),
      method,
      { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body === undefined ? undefined : JSON.stringify(body),
    );
  /** Whether the feed lists the scratch article, or what came instead of the feed. */
  const inFeed = async (): Promise<boolean | string> => {
    const feed = await send(new URL("/feed.json", origin));
    if (feed.status !== 200) return `/feed.json answered ${feed.status}`;
    const { items } = JSON.parse(feed.body.toString("utf8")) as { items: { url?: string }[] };
    return items.some((item) => item.url && new URL(item.url).pathname === `/articles/${slug}`);
  };
  const remaining = new Set(WRITE_CHECKS);
  let last = "";
  const run = async (name: string, check: () => Promise<void>) => {
    remaining.delete(name);
    last = name;
    await report.guard(name, check);
  };
  let stored = false;
  let published = false;
  try {
    await run("publish", async () => {
      // A minute back: a site whose clock runs behind this one would otherwise schedule it.
      const publishedAt = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const article = {
        title: `Smoke check ${stamp}`,
        content: "Written by npm run smoke; deleted a moment later.",
        publishedAt,
        tags: ["Smoke Check"],
      };
      const put = await admin("PUT", path, article);
      // Only a 201 is ours to delete: a 200 replaced an article some other run made.
      stored = put.status === 201;
      const status = stored ? (JSON.parse(put.body.toString("utf8")) as { status?: string }).status : null;
      if (put.status !== 201) report.fail("publish", `PUT ${path}: ${refusal(put, 201)}`);
      else if (status !== "public") {
        const hint = status === "scheduled" ? " (is the site's clock more than a minute behind this one?)" : "";
        report.fail("publish", `${expected(`PUT ${path} status`, "public", String(status))}${hint}`);
      } else {
        published = true;
        report.pass("publish", `PUT ${path} → 201`);
      }
    });
    if (!published) return;
    const acknowledged = Date.now();
    await run("writer flushed", async () => {
      const outcome = await poll(async () => {
        const state = await admin("GET", "/api/writer");
        if (state.status !== 200) return refusal(state, 200);
        const { dirty } = JSON.parse(state.body.toString("utf8")) as { dirty: number };
        return dirty === 0 || `GET /api/writer: dirty ${dirty}`;
      });
      if (outcome === true) report.pass("writer flushed", `GET /api/writer dirty: 0 after ${seconds(acknowledged)}`);
      else report.fail("writer flushed", `${outcome} after ${seconds(acknowledged)}`);
    });
    await run("feed lists it", async () => {
      const outcome = await poll(async () => {
        const seen = await inFeed();
        return seen === true || seen || "/feed.json does not list it";
      });
      if (outcome === true) report.pass("feed lists it", `/feed.json lists ${slug} after ${seconds(acknowledged)}`);
      else report.fail("feed lists it", `${outcome} after ${seconds(acknowledged)}`);
    });
    await run("delete", async () => {
      const deleted = await admin("DELETE", path);
      if (deleted.status === 204) {
        stored = false;
        report.pass("delete", `DELETE ${path} → 204`);
      } else report.fail("delete", `DELETE ${path}: ${refusal(deleted, 204)}`);
    });
    if (stored) return;
    const removed = Date.now();
    await run("page gone", async () => {
      const outcome = await poll(async () => {
        const page = await send(new URL(`/articles/${slug}`, origin));
        return page.status === 410 || expected(`/articles/${slug}`, "410", String(page.status));
      });
      if (outcome === true) report.pass("page gone", `/articles/${slug} answers 410 after ${seconds(removed)}`);
      else report.fail("page gone", `${outcome} after ${seconds(removed)}`);
    });
    await run("feed drops it", async () => {
      const outcome = await poll(async () => {
        const seen = await inFeed();
        return seen === false || (seen === true ? "/feed.json still lists it" : seen);
      });
      if (outcome === true) report.pass("feed drops it", `/feed.json no longer lists it after ${seconds(removed)}`);
      else report.fail("feed drops it", `${outcome} after ${seconds(removed)}`);
    });
  } finally {
    for (const name of remaining) report.skip(name, `needs the ${last} check to pass`);
    // The scratch article never outlives the run, whatever failed.
    if (stored) {
      const cleanup = await admin("DELETE", path).catch((error: unknown) => reasonOf(error));
      if (typeof cleanup === "string" || cleanup.status !== 204) {
        const why = typeof cleanup === "string" ? cleanup : refusal(cleanup, 204);
        report.fail("cleanup", `could not delete ${slug}; delete it by hand: ${why}`);
      } else report.pass("cleanup", `deleted ${slug}`);
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let origin: URL;
  try {
    const target = readTarget(argv);
    if (target === "help") {
      console.log(HELP);
      return EXIT.ok;
    }
    origin = target;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`smoke: ${error.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const report = new Report((line) => console.log(line));
  const summary = (note: string) => {
    const { PASS, FAIL, SKIP } = report.counts;
    console.log(`smoke ${origin.origin}: ${PASS} passed, ${FAIL} failed, ${SKIP} skipped${note}`);
    return FAIL > 0 ? EXIT.failed : EXIT.ok;
  };

  let first: Reply;
  try {
    // The first answer tells whether anything listens, and whether Cloudflare is in front.
    first = await send(new URL("/", origin));
  } catch (error) {
    report.fail("reach", `nothing answered at ${origin.origin}: ${reasonOf(error)}`);
    return summary("");
  }
  const ray = first.headers.get("cf-ray");
  const local = /^(?:localhost|127\.0\.0\.1|\[::1\])$/.test(origin.hostname) || ray === null;
  console.log(
    `smoke ${origin.origin}: ` +
      (local ? "local (no cf-ray header); the Workers Cache check needs Cloudflare" : `Cloudflare (cf-ray ${ray})`),
  );

  const replies = new Map<string, Reply | null>();
  for (const route of ROUTES) replies.set(route.path, await checkRoute(origin, route, report));
  const discovered = discoveredRoutes(replies.get("/feed.json") ?? null);
  for (const [kind, route] of Object.entries(discovered)) {
    if (typeof route === "string") report.skip(`route (${kind} page)`, route);
    else await checkRoute(origin, route, report);
  }
  await checkIcon(origin, replies.get("/") ?? null, report);
  await checkValidators(origin, replies, report);
  await checkIdentity(origin, report);

  const cacheCheck = "workers cache /robots.txt";
  // Workers Cache belongs to the Worker, so it runs on *.workers.dev and custom domains alike.
  if (local) report.skip(cacheCheck, "needs Cloudflare: the local runtime has no Workers Cache");
  else await checkWorkersCache(origin, report);

  const token = process.env.ADMIN_TOKEN?.trim();
  if (token) await checkWrites(origin, token, report);
  else for (const name of WRITE_CHECKS) report.skip(name, "ADMIN_TOKEN is not set in the environment");

  return summary(local ? " (local: 1 check needs Cloudflare)" : "");
}

process.exitCode = await main(process.argv.slice(2));
