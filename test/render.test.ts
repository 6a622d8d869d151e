// The serialisers as pure functions: exact bytes for a fixed view, and nothing from the clock.
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderAtom } from "../src/render/atom.ts";
import { renderJsonFeed } from "../src/render/json-feed.ts";
import { renderRss } from "../src/render/rss.ts";
import { buildFeedView } from "../src/render/view.ts";
import { escapeRssText, escapeXml, looksLikeMarkup, textToHtml } from "../src/render/xml.ts";
import goldenAtom from "./golden/atom.xml?raw";
import goldenJson from "./golden/feed.json?raw";
import { goldenEntries, goldenSite, goldenView, headFor } from "./golden/fixture.ts";
import goldenRss from "./golden/rss.xml?raw";

const RENDERERS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed };

afterEach(() => {
  vi.useRealTimers();
});

describe("golden files", () => {
  it("RSS matches test/golden/rss.xml byte for byte", () => {
    expect(renderRss(goldenView())).toBe(goldenRss);
  });

  it("Atom matches test/golden/atom.xml byte for byte", () => {
    expect(renderAtom(goldenView())).toBe(goldenAtom);
  });

  it("JSON Feed matches test/golden/feed.json byte for byte", () => {
    expect(renderJsonFeed(goldenView())).toBe(goldenJson);
  });
});

describe("determinism", () => {
  for (const [format, render] of Object.entries(RENDERERS)) {
    it(`${format}: the same view gives the same bytes, whatever the clock says`, () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2025-01-01T00:00:00Z"));
      const first = render(goldenView());
      vi.setSystemTime(new Date("2031-07-15T12:34:56Z"));
      const second = render(goldenView());
      expect(second).toBe(first);
    });
  }
});

describe("an empty site", () => {
  const empty = () => buildFeedView(goldenSite, null, 1, headFor([], { changed: "2024-07-01T00:00:00Z" }), []);

  it("dates the feed by the store's last change, not by an invented date", () => {
    expect(renderRss(empty())).toContain("<lastBuildDate>Mon, 01 Jul 2024 00:00:00 +0000</lastBuildDate>");
    expect(renderAtom(empty())).toContain("<updated>2024-07-01T00:00:00Z</updated>");
  });

  it("has no paging links beyond first and last, which are the feed itself", () => {
    const json = JSON.parse(renderJsonFeed(empty()));
    expect(json).not.toHaveProperty("next_url");
    expect(json.items).toEqual([]);
    expect(renderAtom(empty())).not.toMatch(/rel="(?:next|previous)"/);
  });
});

describe("RSS item bodies", () => {
  it("put the summary in description and the full text in content:encoded, in that order", () => {
    const rss = renderRss(goldenView());
    const item = rss.slice(rss.indexOf("<item>"), rss.indexOf("</item>"));
    expect(item.indexOf("<description>")).toBeLessThan(item.indexOf("<content:encoded>"));
  });

  it("put the full text in description when there is no summary", () => {
    const only = [goldenEntries[1] as (typeof goldenEntries)[number]];
    const rss = renderRss(buildFeedView(goldenSite, null, 1, headFor(only), only));
    expect(rss).toContain("<description>&lt;p&gt;Nothing happened.&lt;/p&gt;</description>");
    expect(rss).not.toContain("content:encoded>");
  });
});

describe("escaping", () => {
  it("escapes the five XML specials and drops characters XML 1.0 forbids", () => {
    expect(escapeXml(`a & b < c > d " e ' f \u0000\u0008\u000B\uFFFE ]]>`)).toBe(
      "a &amp; b &lt; c &gt; d &quot; e &apos; f  ]]&gt;",
    );
  });

  it("keeps emoji and right-to-left text, and drops lone surrogates", () => {
    expect(escapeXml("🎉 שלום مرحبا \uD800x")).toBe("🎉 שלום مرحبا \uFFFDx");
  });

  it("uses hexadecimal references in RSS plain text only when it could be read as markup", () => {
    expect(escapeRssText("Q&A: 1 < 2")).toBe("Q&amp;A: 1 &lt; 2");
    expect(escapeRssText("Use <b> & </b>")).toBe("Use &#x3C;b&#x3E; &#x26; &#x3C;/b&#x3E;");
    expect(escapeRssText("AT&amp;T")).toBe("AT&#x26;amp;T");
  });

  it("tells text that looks like markup from text that does not", () => {
    for (const text of ["<b>", "</i>", "<!-- x -->", "&amp;", "&#38;", "&copy;"])
      expect(looksLikeMarkup(text), text).toBe(true);
    for (const text of ["Q&A", "1 < 2", "a > b", "AT&T", "R & D", "x <3"])
      expect(looksLikeMarkup(text), text).toBe(false);
  });

  it("turns plain text into HTML that shows the same text", () => {
    expect(textToHtml(`<i>&"'`)).toBe("&lt;i&gt;&amp;&quot;&#39;");
  });
});
