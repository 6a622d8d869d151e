// WebSub: with a hub configured, every change is announced for each feed it touched.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pingHub } from "../src/websub.ts";
import { articleInput, requestWithEnv, resetStore, SEED_SLUG, storeSeed } from "./helpers.ts";

const HUB = "https://hub.example/publish";
const admin = { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" };

function spyOnHub(answer: (attempt: number) => Response | Promise<Response>) {
  let attempts = 0;
  const pings: URLSearchParams[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== HUB) throw new Error(`unexpected fetch to ${request.url}`);
    expect(request.method).toBe("POST");
    expect(request.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    pings.push(new URLSearchParams(await request.text()));
    return answer(++attempts);
  });
  return { spy, pings };
}

beforeEach(async () => {
  await resetStore();
  await storeSeed();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("WebSub", () => {
  it("pings the hub for every feed a new article appears in", async () => {
    const { pings } = spyOnHub(() => new Response(null, { status: 204 }));
    const response = await requestWithEnv({ WEBSUB_HUB: HUB }, "/api/articles/kabul-report", {
      method: "PUT",
      headers: admin,
      body: JSON.stringify(articleInput({ tags: ["Afghanistan"] })),
    });
    expect(response.status).toBe(201);
    expect(pings.every((p) => p.get("hub.mode") === "publish")).toBe(true);
    expect(pings.map((p) => p.get("hub.url")).sort()).toEqual(
      [
        "https://news.example/atom.xml",
        "https://news.example/feed.json",
        "https://news.example/rss.xml",
        "https://news.example/tags/afghanistan/atom.xml",
        "https://news.example/tags/afghanistan/feed.json",
        "https://news.example/tags/afghanistan/rss.xml",
      ].sort(),
    );
  });

  it("pings for the feeds an article left when it is deleted", async () => {
    const { pings } = spyOnHub(() => new Response(null, { status: 202 }));
    const response = await requestWithEnv({ WEBSUB_HUB: HUB }, `/api/articles/${SEED_SLUG}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(response.status).toBe(204);
    const urls = pings.map((p) => p.get("hub.url"));
    expect(urls).toContain("https://news.example/rss.xml");
    expect(urls).toContain("https://news.example/tags/isis-k/feed.json");
    expect(urls).toHaveLength(3 * 5);
  });

  it("sends nothing when no hub is configured", async () => {
    const { spy } = spyOnHub(() => new Response(null, { status: 204 }));
    await requestWithEnv({ WEBSUB_HUB: "" }, "/api/articles/quiet", {
      method: "PUT",
      headers: admin,
      body: JSON.stringify(articleInput()),
    });
    expect(spy).not.toHaveBeenCalled();
  });

  it("never fails the publish when the hub is down", async () => {
    spyOnHub(() => {
      throw new TypeError("network down");
    });
    const response = await requestWithEnv({ WEBSUB_HUB: HUB }, "/api/articles/despite-the-hub", {
      method: "PUT",
      headers: admin,
      body: JSON.stringify(articleInput()),
    });
    expect(response.status).toBe(201);
  }, 30_000);

  it("retries a failed ping with growing delays, and stops on a refusal that will not change", async () => {
    const { pings } = spyOnHub((attempt) => new Response(null, { status: attempt < 3 ? 503 : 204 }));
    const log = vi.fn();
    const delivered = await pingHub(HUB, ["https://news.example/rss.xml"], { baseDelayMs: 5, log });
    expect(delivered).toEqual([true]);
    expect(pings).toHaveLength(3);
    expect(log).toHaveBeenCalledTimes(2);

    vi.restoreAllMocks();
    const refused = spyOnHub(() => new Response(null, { status: 400 }));
    expect(await pingHub(HUB, ["https://news.example/rss.xml"], { baseDelayMs: 5, log: () => {} })).toEqual([false]);
    expect(refused.pings).toHaveLength(1);
  });
});
