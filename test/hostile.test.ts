// A hostile article sent through the admin API and read back everywhere: every feed stays
// well-formed, the page carries nothing executable from the content, titles survive exactly.
import { parseFeed } from "@rowanmanning/feed-parser";
import { XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeEntities, textOf, urlsIn } from "./feed-text.ts";
import { request, resetStore } from "./helpers.ts";

const SLUG = "hostile";
const AUTH = { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" };

const TITLE =
  '<script>alert("t")</script> ]]> & <![CDATA[x]]> \u0000\u0008\u001b "quoted" \'single\' 🎉👩🏽‍💻 مرحبا بالعالم \u202Eevil\u202C \ud800 &amp; end';
/** The title after the documented cleaning: forbidden characters removed, lone surrogates U+FFFD, spaces collapsed. */
const CLEAN_TITLE =
  '<script>alert("t")</script> ]]> & <![CDATA[x]]> "quoted" \'single\' 🎉👩🏽‍💻 مرحبا بالعالم \u202Eevil\u202C \ufffd &amp; end';

const CONTENT = [
  "Intro ]]> with <![CDATA[ cdata ]]> and emoji 🎉 and עברית text \u0000\u0007.",
  "<script>alert(1)</script>",
  "",
  '<p onclick="alert(3)">clickable</p><img src=x onerror="alert(4)"><iframe src="https://evil.example/"></iframe>',
  '<object data="x.swf"></object><embed src="x.swf"><style>body{display:none}</style><svg onload="alert(5)"><circle/></svg>',
  "",
  "[plain](javascript:alert(6)) [mixed](JaVaScRiPt:alert(7)) [data](data:text/html;base64,PHNjcmlwdD4=)",
  "",
  '<a href="java&#x09;script:alert(8)">tab</a> <a href="&#106;avascript:alert(9)">entity</a>',
  '<a href="javascript&colon;alert(10)">colon</a> <a href=" \u0001javascript:alert(11)">control</a>',
  '<a href="vbscript:msgbox(12)">vb</a> <img src="data:image/svg+xml,<svg onload=alert(13)>">',
  "",
  '</div></article><h1>Outside the content</h1><a href="relative/path">relative</a> <a href="/root">root</a>',
  "",
  // Never closed: a browser would read the rest as script, so it goes with everything after it.
  "<script>alert(14)",
].join("\n");

const HOSTILE = {
  title: TITLE,
  summary: "Summary ]]> <b>bold?</b> & \u0001 🎉",
  content: CONTENT,
  publishedAt: "2024-03-01T10:00:00+01:00",
  authors: [{ name: "Ann <img src=x onerror=alert(1)> & Co ]]>", url: "https://example.com/ann?a=1&b=2" }],
  tags: ["<script>", "Middle East ]]>", "مرحبا"],
};

/** Rejects characters XML 1.0 forbids and lone surrogates anywhere in a document. */
const FORBIDDEN_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What nobody may find in HTML that came from the content. A whole page legitimately has
 * <meta> and <link> in its head, so `page` leaves those two out.
 */
function executableIn(html: string, page = false): string[] {
  const found: string[] = [];
  if (page) {
    // The layout's own JSON-LD is the one script a page may carry: data, with `<` escaped.
    for (const m of html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)) {
      if ((m[1] as string).includes("<")) found.push("< inside JSON-LD");
      JSON.parse(m[1] as string);
    }
    html = html.replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/g, "");
  }
  const elements = page
    ? /<\s*(script|iframe|object|embed|style|svg|math|base|form)\b/gi
    : /<\s*(script|iframe|object|embed|style|svg|math|base|meta|form|link)\b/gi;
  for (const m of html.matchAll(elements)) found.push(m[0]);
  for (const m of html.matchAll(/<[a-z][^>]*?\s(on[a-z]+)\s*=/gi)) found.push(m[1] as string);
  for (const url of urlsIn(html)) {
    // As a browser reads it: tabs, newlines and controls ignored, scheme case-insensitive.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers drop these from URLs
    const scheme = url.replace(/[\u0000-\u0020]/g, "").toLowerCase();
    if (/^(?:javascript|vbscript|data):/.test(scheme)) found.push(url);
  }
  return found;
}

const xmlFeeds = ["/rss.xml", "/atom.xml", "/tags/script/rss.xml", "/tags/script/atom.xml"];
const bodies = new Map<string, string>();

beforeAll(async () => {
  await resetStore();
  const response = await request(`/api/articles/${SLUG}`, {
    method: "PUT",
    headers: AUTH,
    body: JSON.stringify(HOSTILE),
  });
  expect(response.status).toBe(201);
  for (const path of [
    ...xmlFeeds,
    "/feed.json",
    "/tags/script/feed.json",
    `/articles/${SLUG}`,
    "/",
    "/tags/script",
    `/api/articles/${SLUG}`,
  ]) {
    const res = await request(path);
    expect(res.status, path).toBe(200);
    bodies.set(path, await res.text());
  }
});

describe("a hostile article", () => {
  for (const path of xmlFeeds) {
    it(`leaves ${path} well-formed XML that a feed reader parses, title intact`, () => {
      const xml = bodies.get(path) as string;
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).not.toMatch(FORBIDDEN_XML);
      expect(xml).not.toContain("]]>");
      const feed = parseFeed(xml);
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]?.title).toBe(CLEAN_TITLE);
      expect(executableIn(feed.items[0]?.content ?? "")).toEqual([]);
      expect(feed.items[0]?.content).toContain("clickable");
    });
  }

  for (const path of ["/feed.json", "/tags/script/feed.json"]) {
    it(`leaves ${path} valid JSON with the title intact and nothing executable in content_html`, () => {
      const feed = JSON.parse(bodies.get(path) as string) as {
        items: { title: string; content_html: string; tags: string[] }[];
      };
      const [item] = feed.items;
      expect(item?.title).toBe(CLEAN_TITLE);
      expect(item?.tags).toEqual(["<script>", "Middle East ]]>", "مرحبا"]);
      expect(executableIn(item?.content_html ?? "")).toEqual([]);
    });
  }

  it("sanitises the stored HTML: only the harmless parts survive, links resolved against the permalink", async () => {
    const { html } = JSON.parse(bodies.get(`/api/articles/${SLUG}`) as string) as { html: string };
    expect(executableIn(html)).toEqual([]);
    expect(textOf(html)).not.toMatch(/alert\(|display:none|\[removed\]/);
    expect(urlsIn(html)).toEqual([
      "https://news.example/articles/x",
      "https://news.example/articles/relative/path",
      "https://news.example/root",
    ]);
    expect(html).toContain("🎉");
    expect(html).toContain("עברית");
    expect(html).not.toMatch(FORBIDDEN_XML);
  });

  it("renders a page with no script, handler or script URL from the content, and the exact title", () => {
    const page = bodies.get(`/articles/${SLUG}`) as string;
    expect(executableIn(page, true)).toEqual([]);
    const h1 = [...page.matchAll(/<h1[^>]*>([\s\S]*?)<\/h1>/g)].map((m) => decodeEntities(m[1] as string));
    // The content's own <h1> stays inside the content area, after the article's title.
    expect(h1[0]).toBe(CLEAN_TITLE);
    const title = /<title>([\s\S]*?)<\/title>/.exec(page)?.[1] ?? "";
    expect(decodeEntities(title)).toBe(`${CLEAN_TITLE} – World Brief`);
    const content = /<div class="content[^"]*">([\s\S]*)<\/div>/.exec(page)?.[1] ?? "";
    expect(content).toContain("Outside the content");
    expect(executableIn(content)).toEqual([]);
    // The content could not close its container: the article and footer follow it intact.
    expect(page.indexOf("Outside the content")).toBeLessThan(page.lastIndexOf("</article>"));
  });

  for (const path of ["/", "/tags/script"]) {
    it(`lists it on ${path} with the exact title and nothing executable`, () => {
      const page = bodies.get(path) as string;
      expect(executableIn(page, true)).toEqual([]);
      const link =
        new RegExp(`<a [^>]*href="https://news.example/articles/${SLUG}"[^>]*>([^<]*)</a>`).exec(page)?.[1] ?? "";
      expect(decodeEntities(link)).toBe(CLEAN_TITLE);
    });
  }
});
