// What a polling client sees: validators, 304s, caching, compression, discovery, paging.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetReads } from "../src/store/kv.ts";
import { articleInput, ORIGIN, request, requestWithEnv, resetStore, storeArticle, storeSeed } from "./helpers.ts";

const FEEDS = ["/rss.xml", "/atom.xml", "/feed.json"] as const;

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});

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
    it(`${path} has a strong ETag and the newest article's date as Last-Modified`, async () => {
      const { etag, lastModified } = await validators(path);
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(lastModified).toBe("Fri, 17 May 2024 00:00:00 GMT");
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

  it("answers If-Modified-Since by the newest article's date", async () => {
    const at = (since: string) => request("/atom.xml", { headers: { "If-Modified-Since": since } });
    expect((await at("Fri, 17 May 2024 00:00:00 GMT")).status).toBe(304);
    expect((await at("Sat, 18 May 2024 00:00:00 GMT")).status).toBe(304);
    expect((await at("Thu, 16 May 2024 23:59:59 GMT")).status).toBe(200);
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
      expect(response.headers.get("Last-Modified")).toBe("Mon, 03 Feb 2025 04:05:06 GMT");
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

  it("varies on Accept-Encoding only where the Worker compresses (Atom, JSON Feed)", async () => {
    expect((await request("/rss.xml")).headers.get("Vary")).toBeNull();
    expect((await request("/atom.xml")).headers.get("Vary")).toBe("Accept-Encoding");
    expect((await request("/feed.json")).headers.get("Vary")).toBe("Accept-Encoding");
  });

  it("serves a repeated poll from the edge cache without rendering again", async () => {
    const first = await requestWithEnv({}, "/rss.xml");
    const body = await first.text();
    // Break the render input: a render would now lose the article, a cached copy would not.
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

describe("compression", () => {
  const gunzip = async (response: Response) =>
    new Response(response.body?.pipeThrough(new DecompressionStream("gzip"))).text();

  for (const path of ["/atom.xml", "/feed.json"]) {
    it(`gzips ${path} for clients that accept it, with its own ETag`, async () => {
      const plain = await requestWithEnv({}, path, { cf: { clientAcceptEncoding: "" } });
      const plainBody = await plain.text();
      expect(plain.headers.get("Content-Encoding")).toBeNull();
      const gz = await requestWithEnv({}, path, { cf: { clientAcceptEncoding: "gzip, deflate, br" } });
      expect(gz.headers.get("Content-Encoding")).toBe("gzip");
      expect(gz.headers.get("Vary")).toBe("Accept-Encoding");
      expect(gz.headers.get("ETag")).not.toBe(plain.headers.get("ETag"));
      expect(await gunzip(gz)).toBe(plainBody);

      const again = await requestWithEnv({}, path, {
        cf: { clientAcceptEncoding: "gzip" },
        headers: { "If-None-Match": gz.headers.get("ETag") as string },
      });
      expect(again.status).toBe(304);
    });
  }

  it("serves the cached gzip bytes on a repeated poll", async () => {
    const init = { cf: { clientAcceptEncoding: "gzip" } };
    const first = await gunzip(await requestWithEnv({}, "/atom.xml", init));
    await env.ARTICLES.put("items:all", "");
    forgetReads(env.ARTICLES);
    const second = await gunzip(await requestWithEnv({}, "/atom.xml", init));
    expect(second).toBe(first);
  });

  it("sends identity to a client that refuses gzip, and never gzips RSS (the edge does)", async () => {
    const refused = await requestWithEnv({}, "/atom.xml", { cf: { clientAcceptEncoding: "gzip;q=0, identity" } });
    expect(refused.headers.get("Content-Encoding")).toBeNull();
    const rss = await requestWithEnv({}, "/rss.xml", { cf: { clientAcceptEncoding: "gzip" } });
    expect(rss.headers.get("Content-Encoding")).toBeNull();
  });
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
    for (let day = 1; day <= 4; day++) {
      await storeArticle(`day-${day}`, articleInput({ title: `Day ${day}`, publishedAt: `2025-03-0${day}T08:00:00Z` }));
    }
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
    expect(two.headers.get("Last-Modified")).toBe("Mon, 03 Mar 2025 08:00:00 GMT".replace("Mon, 03", "Sun, 02"));
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
