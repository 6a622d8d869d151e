// The one article schema: what it accepts, what it rejects (with which path), what it cleans.
import { describe, expect, it } from "vitest";
import { type Article, normalizeDate, parseArticleInput } from "../src/article/model.ts";
import { articleFromInput, prepareArticle } from "../src/article/prepare.ts";
import { cleanText } from "../src/article/text.ts";

/** The example article of CONTRACT.md, every field filled. */
const CONTRACT_EXAMPLE = {
  title: "plain text, required",
  content: "Markdown, required (the body of a content/*.md file)",
  summary: "plain text, optional",
  publishedAt: "2024-05-17T09:00:00Z",
  updatedAt: "2024-05-18T10:30:00+02:00",
  authors: [{ name: "required", url: "https://example.com/ann", email: "ann@example.com" }],
  tags: ["optional", "plain", "words"],
  image: "https://example.com/picture.jpg",
  language: "en-GB",
};

function issuesOf(input: unknown) {
  const parsed = parseArticleInput(input);
  return parsed.ok ? [] : parsed.issues;
}

async function prepared(slug: string, input: unknown, existing: Article | null = null): Promise<Article> {
  const result = await articleFromInput(slug, input, existing);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe("parseArticleInput", () => {
  it("accepts the contract's example article", () => {
    const parsed = parseArticleInput(CONTRACT_EXAMPLE);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.updatedAt).toBe("2024-05-18T08:30:00Z");
    expect(parsed.value.authors).toEqual(CONTRACT_EXAMPLE.authors);
  });

  const broken: [string, unknown, string][] = [
    ["title", 7, "must be a string"],
    ["title", "x".repeat(301), "must be at most 300 characters"],
    ["title", "\u0000\u0007 \t", "must not be empty"],
    ["content", "  \n ", "must not be empty"],
    ["summary", "", "must not be empty"],
    ["publishedAt", "2024-05-17", "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z"],
    ["publishedAt", "2024-05-17T09:00:00", "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z"],
    ["publishedAt", 1715936400, "must be a string"],
    ["updatedAt", "17 May 2024", "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z"],
    ["authors", { name: "Ann" }, "must be an array"],
    ["authors", [], ""],
    ["tags", "world", "must be an array of strings"],
    ["tags", Array.from({ length: 11 }, (_, i) => `t${i}`), "must have at most 10 tags"],
    ["image", "ftp://example.com/x.png", "must be an absolute http(s) URL"],
    ["image", "example.com/x.png", "must be an absolute http(s) URL"],
    ["language", "en_GB", "must be a BCP 47 language tag, e.g. en or pt-BR"],
  ];
  for (const [field, value, message] of broken) {
    const label = `${field} = ${JSON.stringify(value).slice(0, 40)}`;
    it(message ? `rejects ${label}: ${message}` : `accepts ${label}`, () => {
      const issues = issuesOf({ ...CONTRACT_EXAMPLE, [field]: value });
      expect(issues).toEqual(message ? [{ path: field, message }] : []);
    });
  }

  it("names the author field at fault", () => {
    expect(issuesOf({ ...CONTRACT_EXAMPLE, authors: [{ name: "Ann", email: "not an email" }, { name: "" }] })).toEqual([
      { path: "authors.0.email", message: "must be an email address" },
      { path: "authors.1.name", message: "must not be empty" },
    ]);
  });

  it("reports every unknown field, not just the first", () => {
    expect(issuesOf({ ...CONTRACT_EXAMPLE, published: true, author: "Ann" }).map((i) => i.path)).toEqual([
      "published",
      "author",
    ]);
  });

  it("cleans text: characters XML forbids removed, lone surrogates replaced, whitespace collapsed", () => {
    const parsed = parseArticleInput({ ...CONTRACT_EXAMPLE, title: "  A\u0000B\u000b\uFFFE \n\t C\ud800 D\u0085 " });
    expect(parsed.ok && parsed.value.title).toBe("AB C\ufffd D");
  });

  it("normalises URLs as the URL parser serialises them", () => {
    const parsed = parseArticleInput({ ...CONTRACT_EXAMPLE, image: "HTTPS://Example.COM/a picture.jpg" });
    expect(parsed.ok && parsed.value.image).toBe("https://example.com/a%20picture.jpg");
  });
});

describe("normalizeDate (RFC 3339)", () => {
  const cases: [string, string | null][] = [
    ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"],
    ["2024-02-30T12:00:00Z", null],
    ["2023-02-29T12:00:00Z", null],
    ["2024-04-31T12:00:00Z", null],
    ["2024-13-01T12:00:00Z", null],
    ["2024-00-10T12:00:00Z", null],
    ["2024-05-17T24:00:00Z", null],
    ["2024-05-17T23:60:00Z", null],
    ["2024-05-17T09:00:00+24:00", null],
    ["2024-05-17T09:00:00+0200", null],
    ["2024-05-17T09:00Z", null],
    ["0999-05-17T09:00:00Z", null],
    ["2024-05-17T09:00:00+02:00", "2024-05-17T07:00:00Z"],
    ["2024-05-17T09:00:00-05:30", "2024-05-17T14:30:00Z"],
    ["2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"],
    ["2024-05-17T09:00:00-00:00", "2024-05-17T09:00:00Z"],
    ["2024-05-17t09:00:00z", "2024-05-17T09:00:00Z"],
    ["2024-05-17 09:00:00Z", "2024-05-17T09:00:00Z"],
    ["2024-05-17T09:00:00.999Z", "2024-05-17T09:00:00Z"],
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"],
    [" 2024-05-17T09:00:00Z", null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? "rejected"}`, () => {
      expect(normalizeDate(input)).toBe(expected);
    });
  }
});

describe("prepareArticle", () => {
  it("rejects updatedAt before publishedAt, also when publishedAt is the stored one", async () => {
    expect(issuesOf({ ...CONTRACT_EXAMPLE, updatedAt: "2024-05-17T08:59:59Z" })).toEqual([
      { path: "updatedAt", message: "must not be before publishedAt" },
    ]);
    const stored = await prepared("a", CONTRACT_EXAMPLE);
    const { publishedAt: _, ...withoutDate } = { ...CONTRACT_EXAMPLE, updatedAt: "2024-01-01T00:00:00Z" };
    const parsed = parseArticleInput(withoutDate);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(await prepareArticle("a", parsed.value, stored)).toEqual({
      ok: false,
      issues: [{ path: "updatedAt", message: "must not be before publishedAt" }],
    });
  });

  it("accepts updatedAt equal to publishedAt, whatever the offsets", async () => {
    const article = await prepared("a", { ...CONTRACT_EXAMPLE, updatedAt: "2024-05-17T11:00:00+02:00" });
    expect(article.updatedAt).toBe(article.publishedAt);
  });

  it("requires publishedAt for a new article only", async () => {
    const { publishedAt: _, ...withoutDate } = CONTRACT_EXAMPLE;
    expect(await articleFromInput("a", withoutDate, null)).toEqual({
      ok: false,
      issues: [{ path: "publishedAt", message: "is required" }],
    });
    const stored = await prepared("a", CONTRACT_EXAMPLE);
    const replaced = await prepared("a", { ...withoutDate, updatedAt: undefined, title: "New title" }, stored);
    expect(replaced.publishedAt).toBe("2024-05-17T09:00:00Z");
  });

  it("keeps the id on replace, even when publishedAt changes; mints a stable one otherwise", async () => {
    const stored = await prepared("a", CONTRACT_EXAMPLE);
    const moved = await prepared(
      "a",
      { ...CONTRACT_EXAMPLE, publishedAt: "2020-01-01T00:00:00Z", updatedAt: undefined },
      stored,
    );
    expect(moved.id).toBe(stored.id);
    expect((await prepared("a", CONTRACT_EXAMPLE)).id).toBe(stored.id);
    expect((await prepared("b", CONTRACT_EXAMPLE)).id).not.toBe(stored.id);
  });

  it("changes the hash when the content changes, and only then", async () => {
    const one = await prepared("a", CONTRACT_EXAMPLE);
    expect((await prepared("a", CONTRACT_EXAMPLE)).hash).toBe(one.hash);
    expect((await prepared("a", { ...CONTRACT_EXAMPLE, content: "Other" })).hash).not.toBe(one.hash);
  });

  it("derives a plain-text summary from the first paragraph when none is sent", async () => {
    const article = await prepared("a", {
      ...CONTRACT_EXAMPLE,
      summary: undefined,
      content: 'Tom &amp; Jerry said "hi" &mdash; <em>twice</em> & left.\n\nSecond.',
    });
    expect(article.summary).toBe('Tom & Jerry said "hi" \u2014 twice & left.');
  });
});

describe("cleanText", () => {
  it("removes every character XML 1.0 forbids and keeps tab, newline, emoji and RTL text", () => {
    const forbidden = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))
      .filter((c) => !"\t\n\r".includes(c))
      .join("");
    expect(cleanText(`a${forbidden}\uFFFE\uFFFFb`)).toBe("ab");
    expect(cleanText("a\r\nb\rc\td 🎉 שלום")).toBe("a\nb\nc\td 🎉 שלום");
    expect(cleanText("\udc00x\ud83d")).toBe("\ufffdx\ufffd");
  });
});
