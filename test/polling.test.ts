// What a polling client sees: validators, 304s, honest Last-Modified, encodings, discovery, paging.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetReads } from "../src/store/read.ts";
import {
  articleInput,
  ORIGIN,
  request,
  requestWithEnv,
  resetStore,
  storeArticle,
  storeArticles,
  storeSeed,
} from "./helpers.ts";

const FEEDS = ["/rss.xml", "/atom.xml", "/feed.json"] as const;

let storedAt: number;
beforeEach(async () => {
  await resetStore();
  storedAt = Math.floor(Date.now() / 1000) * 1000;
  await storeSeed();
});

/** A Last-Modified the writer set: when the change reached KV, never before it was made. */
function expectChangedSince(lastModified: string | null, since: number): void {
  expect(lastModified).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const at = Date.parse(lastModified as string);
  expect(at).toBeGreaterThanOrEqual(since);
  expect(at).toBeLessThanOrEqual(Date.now() + 2_000);
}

async function validators(path: string) {
  const response = await request(path);
  await response.arrayBuffer();
  return {
    etag: response.headers.get("ETag") as string,
    lastModified: response.headers.get("Last-Modified") as string,
  };
}

describe("conditional GET", () => {
  for (const path of [...FEEDS, "/", "/tags/russia", "/articles/isis-k-and-the-crocus-city-hall-attack"]) {
    it(`${path} has a strong ETag, and as Last-Modified when it last changed (not the article's date)`, async () => {
      const { etag, lastModified } = await validators(path);
      expect(etag).toMatch(/^"[\w-]+"$/);
      expectChangedSince(lastModified, storedAt);
    });

    it(`${path} answers a matching If-None-Match with an empty 304`, async () => {
      const { etag, lastModified } = await validators(path);
      const response = await request(path, { headers: { "If-None-Match": etag } });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe("");
      expect(response.headers.get("ETag")).toBe(etag);
      expect(response.headers.get("Last-Modified")).toBe(lastModified);
      expect(response.headers.get("Cache-Control")).toBeTruthy();
    });
  }

  it("compares If-None-Match weakly, in lists, and honours *", async () => {
    const { etag } = await validators("/rss.xml");
    for (const header of [`W/${etag}`, `"nope", ${etag}`, `"a",W/${etag} , "b"`, "*"]) {
      const response = await request("/rss.xml", { headers: { "If-None-Match": header } });
      expect(response.status, header).toBe(304);
    }
    const miss = await request("/rss.xml", { headers: { "If-None-Match": '"something-else"' } });
    expect(miss.status).toBe(200);
    expect(await miss.text()).toContain("<rss");
  });

  it("answers If-Modified-Since by when the feed last changed", async () => {
    const { lastModified } = await validators("/atom.xml");
    const changed = Date.parse(lastModified);
    const at = (since: number | string) =>
      request("/atom.xml", {
        headers: { "If-Modified-Since": typeof since === "string" ? since : new Date(since).toUTCString() },
      });
    expect((await at(changed)).status).toBe(304);
    expect((await at(changed + 60_000)).status).toBe(304);
    expect((await at(changed - 1_000)).status).toBe(200);
    // The article's own date is long before: a poller that saw the feed then gets it now.
    expect((await at("Fri, 17 May 2024 00:00:00 GMT")).status).toBe(200);
    expect((await at("not a date")).status).toBe(200);
  });

  it("lets If-None-Match take precedence over If-Modified-Since", async () => {
    const { etag } = await validators("/feed.json");
    const stale = await request("/feed.json", {
      headers: { "If-None-Match": '"old"', "If-Modified-Since": "Sat, 18 May 2030 00:00:00 GMT" },
    });
    expect(stale.status).toBe(200);
    const fresh = await request("/feed.json", {
      headers: { "If-None-Match": etag, "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT" },
    });
    expect(fresh.status).toBe(304);
  });

  it("changes every feed's ETag when an article is published, and the old one no longer matches", async () => {
    const before = await Promise.all(FEEDS.map((path) => validators(path)));
    await storeArticle(
      "a-newer-article",
      articleInput({ title: "A newer article", publishedAt: "2025-02-03T04:05:06Z" }),
    );
    for (const [i, path] of FEEDS.entries()) {
      const response = await request(path, { headers: { "If-None-Match": before[i]?.etag as string } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("ETag")).not.toBe(before[i]?.etag);
      expect(Date.parse(response.headers.get("Last-Modified") as string)).toBeGreaterThan(
        Date.parse(before[i]?.lastModified as string),
      );
      expect(await response.text()).toContain("A newer article");
    }
  });

  it("keeps the ETag when nothing changed", async () => {
    const first = await validators("/rss.xml");
    const second = await validators("/rss.xml");
    expect(second.etag).toBe(first.etag);
  });
});

describe("HEAD", () => {
  const routes = [
    ...FEEDS,
    "/",
    "/tags/russia",
    "/tags/russia/rss.xml",
    "/tags/russia/atom.xml",
    "/tags/russia/feed.json",
    "/articles/isis-k-and-the-crocus-city-hall-attack",
    "/api/articles/isis-k-and-the-crocus-city-hall-attack",
  ];
  for (const path of routes) {
    it(`answers HEAD ${path} with GET's headers and no body`, async () => {
      const get = await request(path);
      await get.arrayBuffer();
      const head = await request(path, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      for (const name of [
        "Content-Type",
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "Link",
        "Access-Control-Allow-Origin",
      ]) {
        expect(head.headers.get(name), name).toBe(get.headers.get(name));
      }
    });
  }
});

describe("caching", () => {
  it("tells pollers to come back in minutes and lets caches serve stale copies on errors", async () => {
    for (const path of FEEDS) {
      const cacheControl = (await request(path)).headers.get("Cache-Control") ?? "";
      expect(cacheControl).toMatch(/\bmax-age=\d+/);
      expect(cacheControl).toMatch(/\bstale-while-revalidate=\d+/);
      expect(cacheControl).toMatch(/\bstale-if-error=\d+/);
    }
  });

  it("serves a repeated request from the isolate's memory of what it rendered", async () => {
    const first = await requestWithEnv({}, "/rss.xml");
    const body = await first.text();
    // Break the render input: a render would now lose the article, the remembered bytes would not.
    await env.ARTICLES.put("items:all", "");
    forgetReads(env.ARTICLES);
    const second = await requestWithEnv({}, "/rss.xml");
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(await second.text()).toBe(body);
  });

  it("shows a publish on the very next request", async () => {
    await (await requestWithEnv({}, "/feed.json")).arrayBuffer();
    await storeArticle("fresh-news", articleInput({ title: "Fresh news", publishedAt: "2025-01-01T00:00:00Z" }));
    const feed = (await (await requestWithEnv({}, "/feed.json")).json()) as { items: { title: string }[] };
    expect(feed.items.map((i) => i.title)).toContain("Fresh news");
  });
});

describe("encoding", () => {
  // Workers Cache keeps one copy per URL and compares Vary values verbatim after Cloudflare has
  // rewritten Accept-Encoding, so the Worker sends identity bytes and the edge compresses them.
  for (const path of [...FEEDS, "/", "/api/articles/isis-k-and-the-crocus-city-hall-attack"]) {
    it(`sends ${path} as one identity representation, whatever the client accepts`, async () => {
      const answers = await Promise.all(
        ["", "gzip", "gzip, deflate, br", "identity"].map((accepted) =>
          requestWithEnv({}, path, {
            cf: { clientAcceptEncoding: accepted },
            headers: { "Accept-Encoding": accepted },
          }),
        ),
      );
      const etags = new Set(answers.map((a) => a.headers.get("ETag")));
      expect(etags.size).toBe(1);
      for (const answer of answers) {
        expect(answer.headers.get("Content-Encoding")).toBeNull();
        expect(answer.headers.get("Vary") ?? "").not.toMatch(/accept-encoding/i);
      }
      const bodies = await Promise.all(answers.map((a) => a.text()));
      expect(new Set(bodies).size).toBe(1);
    });
  }
});

describe("discovery and CORS", () => {
  it("links every feed from the home page", async () => {
    const html = await (await request("/")).text();
    const feeds: [string, string][] = [
      ["application/rss+xml", "rss.xml"],
      ["application/atom+xml", "atom.xml"],
      ["application/feed+json", "feed.json"],
    ];
    for (const [type, file] of feeds) {
      expect(html).toMatch(
        new RegExp(`<link[^>]*rel="alternate"[^>]*type="${type.replace("+", "\\+")}"[^>]*href="${ORIGIN}/${file}"`),
      );
    }
  });

  it("sends Link headers for self and alternates on feeds, and the hub when one is set", async () => {
    const plain = (await request("/atom.xml")).headers.get("Link") ?? "";
    expect(plain).toContain(`<${ORIGIN}/atom.xml>; rel="self"`);
    expect(plain).toContain(`<${ORIGIN}/>; rel="alternate"; type="text/html"`);
    expect(plain).toContain(`<${ORIGIN}/rss.xml>; rel="alternate"`);
    expect(plain).not.toContain('rel="hub"');
    const withHub = await requestWithEnv({ WEBSUB_HUB: "https://hub.example/" }, "/tags/russia/feed.json");
    expect(withHub.headers.get("Link")).toContain('<https://hub.example/>; rel="hub"');
    expect(withHub.headers.get("Link")).toContain(`<${ORIGIN}/tags/russia/feed.json>; rel="self"`);
  });

  for (const path of [...FEEDS, "/tags/russia/feed.json", "/api/articles/isis-k-and-the-crocus-city-hall-attack"]) {
    it(`opens ${path} to every origin and answers its preflight`, async () => {
      const response = await request(path, { headers: { Origin: "https://reader.example" } });
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(response.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
      const preflight = await request(path, {
        method: "OPTIONS",
        headers: {
          Origin: "https://reader.example",
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "if-none-match",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("GET");
      expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("if-none-match");
    });
  }
});

describe("paging", () => {
  const small = { FEED_PAGE_SIZE: "2" };
  beforeEach(async () => {
    const days = [1, 2, 3, 4].map((day) => [
      `day-${day}`,
      articleInput({ title: `Day ${day}`, publishedAt: `2025-03-0${day}T08:00:00Z` }),
    ]);
    await storeArticles(Object.fromEntries(days));
  });

  it("splits feeds and pages into FEED_PAGE_SIZE items, newest first", async () => {
    const titles = async (path: string) =>
      ((await (await requestWithEnv(small, path)).json()) as { items: { title: string }[] }).items.map((i) => i.title);
    expect(await titles("/feed.json")).toEqual(["Day 4", "Day 3"]);
    expect(await titles("/feed.json?page=2")).toEqual(["Day 2", "Day 1"]);
    expect((await titles("/feed.json?page=3"))[0]).toMatch(/^ISIS-K/);
  });

  it("answers a page past the end, or a page that is not a number, with 404", async () => {
    for (const path of [
      "/rss.xml?page=4",
      "/atom.xml?page=99",
      "/feed.json?page=0",
      "/?page=abc",
      "/tags/russia?page=2",
    ]) {
      expect((await requestWithEnv(small, path)).status, path).toBe(404);
    }
  });

  it("moves ?page=1 permanently to the plain URL, so every page has one address", async () => {
    const response = await requestWithEnv(small, "/atom.xml?page=1");
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get("Location") as string, ORIGIN).pathname).toBe("/atom.xml");
    expect(new URL(response.headers.get("Location") as string, ORIGIN).search).toBe("");
  });

  it("gives every page its own validators", async () => {
    const one = await requestWithEnv(small, "/rss.xml");
    const two = await requestWithEnv(small, "/rss.xml?page=2");
    expect(one.headers.get("ETag")).not.toBe(two.headers.get("ETag"));
    expectChangedSince(two.headers.get("Last-Modified"), storedAt);
  });
});

describe("per-tag feeds", () => {
  beforeEach(async () => {
    await storeArticle("middle-east-news", articleInput({ title: "Elsewhere", tags: ["Middle East"] }));
  });

  it("carry only that tag's articles and show the tag as written", async () => {
    const feed = (await (await request("/tags/middle-east/feed.json")).json()) as {
      title: string;
      items: { title: string }[];
    };
    expect(feed.items.map((i) => i.title)).toEqual(["Elsewhere"]);
    expect(feed.title).toContain("Middle East");
    const rss = await (await request("/tags/russia/rss.xml")).text();
    expect(rss).toContain("ISIS-K");
    expect(rss).not.toContain("Elsewhere");
  });

  it("answer 404 for a tag nobody used", async () => {
    for (const path of [
      "/tags/nothing",
      "/tags/nothing/rss.xml",
      "/tags/nothing/atom.xml",
      "/tags/nothing/feed.json",
    ]) {
      expect((await request(path)).status, path).toBe(404);
    }
  });

  it("move a tag written another way to its URL form", async () => {
    const response = await request("/tags/Middle%20East/atom.xml");
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe("/tags/middle-east/atom.xml");
  });
});
