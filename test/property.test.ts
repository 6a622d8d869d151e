// Property tests: whatever Unicode a publisher sends as title and body, every feed stays
// parseable and the title reads back exactly as the model cleaned it.
import { parseFeed } from "@rowanmanning/feed-parser";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanText } from "../src/article/text.ts";
import { decodeEntities } from "./feed-text.ts";
import { request, resetStore } from "./helpers.ts";

const AUTH = { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" };
// One slug, replaced on every run: each run sees exactly its own article, whatever ran before.
const SLUG = "property";

/** The documented cleaning of a plain-text field. */
const cleanTitle = (title: string) => cleanText(title).replace(/\s+/g, " ").trim();

async function titlesEverywhere(): Promise<Record<string, string | undefined>> {
  const [rss, atom, json, page] = await Promise.all(
    ["/rss.xml", "/atom.xml", "/feed.json", `/articles/${SLUG}`].map(async (path) => (await request(path)).text()),
  );
  for (const xml of [rss, atom] as string[]) expect(XMLValidator.validate(xml)).toBe(true);
  const h1 = /<h1[^>]*>([^<]*)<\/h1>/.exec(page as string)?.[1];
  return {
    rss: parseFeed(rss as string).items[0]?.title ?? undefined,
    atom: parseFeed(atom as string).items[0]?.title ?? undefined,
    json: (JSON.parse(json as string) as { items: { title: string }[] }).items[0]?.title,
    html: h1 === undefined ? undefined : decodeEntities(h1),
  };
}

async function putArticle(title: string, content: string): Promise<Response> {
  const body = JSON.stringify({ title, content, publishedAt: "2024-01-01T00:00:00Z" });
  return request(`/api/articles/${SLUG}`, { method: "PUT", headers: AUTH, body });
}

/** Titles as publishers (and attackers) write them: any code points, markup-ish, controls. */
const titles = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 60 }),
  fc.string({ unit: "grapheme-composite", minLength: 1, maxLength: 30 }),
  fc
    .array(
      fc.constantFrom(
        "<",
        ">",
        "&",
        "]]>",
        "&amp;",
        "&#x3C;",
        '"',
        "'",
        "<b>",
        "\u0000",
        "\ud800",
        "\u202e",
        "🎉",
        " ",
        "a",
      ),
      {
        minLength: 1,
        maxLength: 20,
      },
    )
    .map((parts) => parts.join("")),
);

const bodies = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        "<script>",
        "</p>",
        "]]>",
        "<![CDATA[",
        "[a](javascript:x)",
        "\n\n",
        "# h",
        "&",
        "<img src=x>",
        "*",
        "`",
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => `text ${parts.join("")}`),
);

describe("arbitrary Unicode titles and bodies", () => {
  beforeAll(async () => {
    await resetStore();
  });

  it("keep every feed parseable and round-trip the cleaned title through RSS, Atom, JSON Feed and HTML", async () => {
    await fc.assert(
      fc.asyncProperty(titles, bodies, async (title, content) => {
        const response = await putArticle(title, content);
        const expected = cleanTitle(title);
        if (expected === "" || expected.length > 300 || cleanText(content).trim() === "") {
          expect(response.status).toBe(422);
          return;
        }
        expect(response.status).toBeLessThan(300);
        expect(await titlesEverywhere()).toEqual({ rss: expected, atom: expected, json: expected, html: expected });
      }),
      // Each run replaces the article: the writer spaces writes of one value by a second.
      { numRuns: 30 },
    );
  }, 150_000);
});
