// `npm run smoke` as a publisher runs it after a deploy: the real command against a running
// local site, with its lines and exit codes.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type LocalSite, ROOT, startSite } from "./site.ts";

let site: LocalSite;

beforeAll(async () => {
  site = await startSite();
  const put = await site.admin("PUT", "/api/articles/a-tagged-article", {
    title: "A tagged article",
    content: "Something for every route to show.",
    publishedAt: "2026-01-05T09:00:00Z",
    tags: ["Middle East"],
  });
  expect(put.status).toBe(201);
  await site.settled();
});
afterAll(async () => {
  await site?.stop();
});

/** Runs the command in a child process; never synchronously, as this process serves the site. */
function smoke(url: string, token?: string): Promise<{ code: number | null; out: string; err: string }> {
  const { ADMIN_TOKEN: _inherited, ...env } = process.env;
  const child = spawn(process.execPath, [join(ROOT, "scripts", "smoke.ts"), url], {
    cwd: ROOT,
    env: token === undefined ? env : { ...env, ADMIN_TOKEN: token },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

const ROUTES = ["/", "/rss.xml", "/atom.xml", "/feed.json", "/feeds", "/feeds.opml", "/sitemap.xml", "/robots.txt"];

describe("npm run smoke", () => {
  it("passes every check a local site can answer, publishing and deleting a scratch article", async () => {
    const run = await smoke(site.origin, ADMIN_TOKEN);
    expect(run.err).toBe("");
    expect(run.out).not.toMatch(/^FAIL/m);
    expect(run.code).toBe(0);
    for (const path of ROUTES)
      expect(run.out).toMatch(new RegExp(`^PASS  route ${path.replace(".", "\\.")} — 200`, "m"));
    expect(run.out).toMatch(/^PASS {2}route \/articles\/a-tagged-article — 200 text\/html/m);
    expect(run.out).toMatch(/^PASS {2}route \/tags\/middle-east — 200 text\/html/m);
    expect(run.out).toMatch(/^PASS {2}icon \/icons\/icon-\d+\.[0-9a-f]+\.png — 200 image\/png/m);
    for (const feed of ["rss.xml", "atom.xml", "feed.json"]) {
      expect(run.out).toMatch(new RegExp(`^PASS  304 /${feed.replace(".", "\\.")} If-None-Match`, "m"));
      expect(run.out).toMatch(new RegExp(`^PASS  304 /${feed.replace(".", "\\.")} If-Modified-Since`, "m"));
    }
    expect(run.out).toMatch(/^PASS {2}identity \/atom\.xml — no Accept-Encoding sent/m);
    expect(run.out).toMatch(/^PASS {2}identity \/feed\.json — no Accept-Encoding sent/m);
    expect(run.out).toMatch(/^SKIP {2}workers cache \/robots\.txt — needs Cloudflare/m);
    expect(run.out).toMatch(/^PASS {2}publish — PUT \/api\/articles\/smoke-check-\d+ → 201/m);
    for (const check of ["writer flushed", "feed lists it", "delete", "page gone", "feed drops it"]) {
      expect(run.out).toMatch(new RegExp(`^PASS  ${check} — `, "m"));
    }
    expect(run.out).toMatch(
      /^smoke http:\/\/\S+: \d+ passed, 0 failed, 1 skipped \(local: 1 check needs Cloudflare\)$/m,
    );
    // The scratch article is gone from the store's public views.
    const feed = (await (await fetch(`${site.origin}/feed.json`)).json()) as { items: { url: string }[] };
    expect(feed.items.map((item) => item.url)).toEqual([`${site.origin}/articles/a-tagged-article`]);
  }, 90_000);

  it("lists the write checks as skipped without ADMIN_TOKEN, and still exits 0", async () => {
    const run = await smoke(site.origin);
    expect(run.code).toBe(0);
    for (const check of ["publish", "writer flushed", "feed lists it", "delete", "page gone", "feed drops it"]) {
      expect(run.out).toMatch(new RegExp(`^SKIP  ${check} — ADMIN_TOKEN is not set`, "m"));
    }
    expect(run.out).not.toMatch(/^FAIL/m);
  }, 90_000);

  it("exits 1 saying nothing answered when nothing listens at the URL", async () => {
    const run = await smoke("http://127.0.0.1:9");
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^FAIL {2}reach — nothing answered at http:\/\/127\.0\.0\.1:9: connect ECONNREFUSED/m);
    expect(run.out).toMatch(/0 passed, 1 failed, 0 skipped$/m);
  });

  it("exits 2 on a usage error", async () => {
    const run = await smoke("not-a-url");
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^smoke: not an http\(s\) URL: not-a-url/);
  });
});
