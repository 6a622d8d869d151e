// WebSub: with a hub configured, every change is announced for each feed it touched, by the
// writer once the change is in KV and purged, with retries that survive a restart.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runPings } from "../src/writer/effects.ts";
import { articleInput, requestWithEnv, resetStore, SEED_SLUG, settle, storeSeed, writer } from "./helpers.ts";

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

const put = (slug: string, hub: string, input = articleInput({ tags: ["Afghanistan"] })) =>
  requestWithEnv({ WEBSUB_HUB: hub }, `/api/articles/${slug}`, {
    method: "PUT",
    headers: admin,
    body: JSON.stringify(input),
  });

describe("WebSub", () => {
  it("pings the hub for every feed a new article appears in, once it is in KV", async () => {
    const { pings } = spyOnHub(() => new Response(null, { status: 204 }));
    expect((await put("kabul-report", HUB)).status).toBe(201);
    await settle();
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
    await settle();
    const urls = pings.map((p) => p.get("hub.url"));
    expect(urls).toContain("https://news.example/rss.xml");
    expect(urls).toContain("https://news.example/tags/isis-k/feed.json");
    expect(urls).toHaveLength(3 * 5);
  });

  it("sends nothing when no hub is configured", async () => {
    const { spy } = spyOnHub(() => new Response(null, { status: 204 }));
    await put("quiet", "");
    await settle();
    expect(spy).not.toHaveBeenCalled();
  });

  it("never fails the publish when the hub is down, and keeps the pings for later", async () => {
    spyOnHub(() => {
      throw new TypeError("network down");
    });
    expect((await put("despite-the-hub", HUB)).status).toBe(201);
    await settle();
    const { pings } = await writer().state();
    expect(pings).toHaveLength(6);
    expect(pings.every((p) => p.attempts === 1 && p.due > Date.now())).toBe(true);
  });

  it("retries a failed ping with growing delays, and stops on a refusal that will not change", async () => {
    const { pings } = spyOnHub((attempt) => new Response(null, { status: attempt < 3 ? 503 : 204 }));
    const log = vi.fn();
    // The queue lives in the writer's SQLite: exercise it there, with a clock of our own.
    await runInDurableObject(writer(), async (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM pings");
      sql.exec("INSERT INTO pings (url, due, attempts) VALUES ('https://news.example/rss.xml', 0, 0)");
      let now = 1_000;
      const delays: number[] = [];
      for (let turn = 0; turn < 3; turn++) {
        const next = await runPings(sql, HUB, now, log);
        if (next !== null) delays.push(next - now);
        now = next ?? now;
      }
      expect(pings).toHaveLength(3);
      expect(delays).toEqual([5_000, 10_000]);
      expect(sql.exec("SELECT COUNT(*) AS n FROM pings").one().n).toBe(0);
      expect(log).toHaveBeenCalledTimes(2);

      vi.restoreAllMocks();
      const refused = spyOnHub(() => new Response(null, { status: 400 }));
      sql.exec("INSERT INTO pings (url, due, attempts) VALUES ('https://news.example/atom.xml', 0, 0)");
      expect(await runPings(sql, HUB, now, () => {})).toBeNull();
      expect(refused.pings).toHaveLength(1);
    });
  });
});
