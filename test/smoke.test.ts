import { beforeEach, describe, expect, it } from "vitest";
import { request, resetStore, storeSeed } from "./helpers.ts";

describe("smoke", () => {
  beforeEach(async () => {
    await resetStore();
    await storeSeed();
  });
  it("serves every route", async () => {
    for (const path of ["/", "/rss.xml", "/atom.xml", "/feed.json", "/articles/isis-k-and-the-crocus-city-hall-attack", "/tags/russia", "/tags/isis-k/atom.xml", "/api/articles/isis-k-and-the-crocus-city-hall-attack"]) {
      const res = await request(path);
      const body = await res.text();
      console.log(path, res.status, res.headers.get("content-type"), body.slice(0, 300));
      expect(res.status).toBe(200);
    }
  });
});
