// Every route of the contract through the Worker's real entry point, and how errors read.

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../src/index.ts";
import { request, requestViaEntrypoint, requestWithEnv, resetStore, SEED_SLUG, storeSeed } from "./helpers.ts";

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});

describe("routes", () => {
  const routes: [string, string][] = [
    ["/", "text/html; charset=utf-8"],
    [`/articles/${SEED_SLUG}`, "text/html; charset=utf-8"],
    ["/rss.xml", "application/rss+xml; charset=utf-8"],
    ["/atom.xml", "application/atom+xml; charset=utf-8"],
    ["/feed.json", "application/feed+json; charset=utf-8"],
    ["/tags/russia", "text/html; charset=utf-8"],
    ["/tags/russia/rss.xml", "application/rss+xml; charset=utf-8"],
    ["/tags/russia/atom.xml", "application/atom+xml; charset=utf-8"],
    ["/tags/russia/feed.json", "application/feed+json; charset=utf-8"],
    [`/api/articles/${SEED_SLUG}`, "application/json; charset=utf-8"],
  ];
  for (const [path, type] of routes) {
    it(`GET ${path} answers 200 ${type} carrying the seed article`, async () => {
      const response = await requestViaEntrypoint(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(type);
      expect(await response.text()).toContain("ISIS-K");
    });
  }

  it("answers the public API with the stored article, links absolute", async () => {
    const article = (await (await request(`/api/articles/${SEED_SLUG}`)).json()) as Record<string, unknown>;
    expect(article.slug).toBe(SEED_SLUG);
    expect(article.publishedAt).toBe("2024-05-17T00:00:00Z");
    expect(article.url).toBe(`https://news.example/articles/${SEED_SLUG}`);
    expect(typeof article.content).toBe("string");
    expect(article.tags).toEqual(["Russia", "ISIS-K", "Afghanistan", "Terrorism"]);
  });
});

describe("errors", () => {
  it("answers an unknown page with the HTML 404 page", async () => {
    for (const path of ["/nowhere", "/articles/no-such-article", "/articles/Not_A_Slug"]) {
      const response = await request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("Content-Type"), path).toBe("text/html; charset=utf-8");
      expect(await response.text()).toMatch(/not found/i);
    }
  });

  it("answers an unknown API path with problem+json, readable from other origins", async () => {
    for (const path of ["/api/articles/no-such-article", "/tags/nothing/feed.json"]) {
      const response = await request(path, { headers: { Origin: "https://reader.example" } });
      expect(response.headers.get("Access-Control-Allow-Origin"), path).toBe("*");
    }
    for (const path of ["/api/nothing", "/api/articles/no-such-article"]) {
      const response = await request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json; charset=utf-8");
      const problem = (await response.json()) as { status: number; title: string };
      expect(problem).toMatchObject({ status: 404, title: "Not Found" });
    }
  });

  it("answers a wrong method with 405 and the methods that are allowed", async () => {
    const feed = await request("/rss.xml", { method: "POST", body: "x" });
    expect(feed.status).toBe(405);
    expect(feed.headers.get("Allow")).toContain("GET");
    expect(feed.headers.get("Allow")).not.toContain("PUT");
    const api = await request(`/api/articles/${SEED_SLUG}`, { method: "POST", body: "{}" });
    expect(api.status).toBe(405);
    expect(api.headers.get("Allow")?.split(/,\s*/)).toEqual(expect.arrayContaining(["GET", "PUT", "DELETE"]));
  });

  it("puts security headers on HTML pages: a CSP without inline script, nosniff, a referrer policy", async () => {
    for (const path of ["/", `/articles/${SEED_SLUG}`, "/tags/russia", "/nowhere"]) {
      const response = await request(path);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      expect(csp, path).toMatch(/default-src 'none'/);
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy"), path).toBeTruthy();
    }
  });
});

describe("configuration", () => {
  it("names the var that is wrong instead of guessing around it", async () => {
    const response = await requestWithEnv({ FEED_PAGE_SIZE: "0" }, "/rss.xml");
    expect(response.status).toBe(500);
    expect(((await response.json()) as { detail: string }).detail).toContain("FEED_PAGE_SIZE");
  });

  it("uses the request's own origin for every URL when SITE_URL is empty", async () => {
    const response = await requestWithEnv({ SITE_URL: "" }, "/feed.json");
    const feed = (await response.json()) as { feed_url: string; items: { url: string }[] };
    expect(feed.feed_url).toBe("https://news.example/feed.json");
    const other = await app.fetch(
      new Request("http://localhost:8787/feed.json"),
      { ...env, SITE_URL: "" },
      createExecutionContext(),
    );
    const local = (await other.json()) as { feed_url: string; items: { url: string }[] };
    expect(local.feed_url).toBe("http://localhost:8787/feed.json");
    expect(local.items[0]?.url).toBe(`http://localhost:8787/articles/${SEED_SLUG}`);
  });
});

describe("when KV fails", () => {
  const failing = new Proxy(env.ARTICLES, {
    get(target, property) {
      if (property === "get" || property === "list") return () => Promise.reject(new Error("KV is down"));
      return Reflect.get(target, property);
    },
  });

  it("answers 503 with Retry-After, never a 500 or a stack trace", async () => {
    for (const path of ["/tags/afghanistan/feed.json", `/api/articles/${SEED_SLUG}`]) {
      const response = await requestWithEnv({ ARTICLES: failing }, path);
      expect(response.status, path).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("30");
      const body = await response.text();
      expect(body).not.toMatch(/KV is down|\bat \w+ \(/);
    }
  });

  it("serves the last copy rendered here instead, marked stale", async () => {
    const good = await request("/tags/terrorism/atom.xml");
    const body = await good.text();
    const stale = await requestWithEnv({ ARTICLES: failing }, "/tags/terrorism/atom.xml");
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
    expect(stale.headers.get("Cache-Control")).toBe("no-cache");
  });
});
