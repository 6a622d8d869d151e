// The one article model: what a publisher sends, what the store keeps, what every renderer reads.
import * as v from "valibot";
import { cleanText } from "./text.ts";

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 100;
/** Whether `slug` could name an article: what every route and the content loader check first. */
export const isSlug = (slug: string): boolean => SLUG_PATTERN.test(slug) && slug.length <= SLUG_MAX;
export const TAGS_MAX = 10;
export const TAG_MAX = 40;
/** Bumped when the stored shape changes; older records are skipped, never served half-read. */
export const RECORD_VERSION = 1;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 date-time → `YYYY-MM-DDTHH:MM:SSZ` in UTC, or null when it is not a real instant. */
export function normalizeDate(value: string): string | null {
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offsetMinutes * 60_000;
  if (year < 1000 || Number.isNaN(ms)) return null;
  return isoSeconds(ms);
}

/** A time as the model stores it: RFC 3339 in UTC, to the second. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A tag as it appears in URLs: lower-cased, every run of other characters one `-`. */
export function tagSlug(tag: string): string {
  return tag
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
}

const text = (max: number) =>
  v.pipe(
    v.string("must be a string"),
    v.transform((s) => cleanText(s).replace(/\s+/g, " ").trim()),
    v.minLength(1, "must not be empty"),
    v.maxLength(max, `must be at most ${max} characters`),
  );

const absoluteUrl = v.pipe(
  v.string("must be a string"),
  v.transform((s) => cleanText(s).trim()),
  v.check((s) => {
    if (!URL.canParse(s)) return false;
    const { protocol } = new URL(s);
    return protocol === "https:" || protocol === "http:";
  }, "must be an absolute http(s) URL"),
  // Stored as the parser serialises it: spaces and quotes percent-encoded, host lower-cased.
  v.transform((s) => new URL(s).href),
  v.maxLength(2000, "must be at most 2000 characters"),
);

const dateTime = v.pipe(
  v.string("must be a string"),
  v.check((s) => normalizeDate(s) !== null, "must be an RFC 3339 date-time, e.g. 2024-05-17T09:00:00Z"),
  v.transform((s) => normalizeDate(s) as string),
);

const AuthorSchema = v.strictObject({
  name: text(200),
  url: v.optional(absoluteUrl),
  email: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.transform((s) => cleanText(s).trim()),
      v.email("must be an email address"),
      v.maxLength(254, "must be at most 254 characters"),
    ),
  ),
});

const TagsSchema = v.pipe(
  v.array(
    v.pipe(
      text(TAG_MAX),
      v.check((t) => tagSlug(t) !== "", "must contain a letter or a digit"),
    ),
    "must be an array of strings",
  ),
  v.maxLength(TAGS_MAX, `must have at most ${TAGS_MAX} tags`),
  v.check(
    (tags) => new Set(tags.map(tagSlug)).size === tags.length,
    "must not repeat a tag (tags are compared by their URL form)",
  ),
);

const LanguageSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, "must be a BCP 47 language tag, e.g. en or pt-BR"),
);

/** What a publisher sends: the body of `PUT /api/articles/:slug` and a content file's front matter. */
export const ArticleInputSchema = v.strictObject({
  title: text(300),
  content: v.pipe(
    v.string("must be a string"),
    v.transform(cleanText),
    v.check((s) => s.trim() !== "", "must not be empty"),
  ),
  summary: v.optional(text(1000)),
  publishedAt: v.optional(dateTime),
  updatedAt: v.optional(dateTime),
  authors: v.optional(
    v.pipe(v.array(AuthorSchema, "must be an array"), v.maxLength(10, "must have at most 10 authors")),
  ),
  tags: v.optional(TagsSchema),
  image: v.optional(absoluteUrl),
  language: v.optional(LanguageSchema),
  /** Stored but shown nowhere public (nor in the public API) until sent again without it. */
  draft: v.optional(v.boolean("must be true or false")),
  // What GET /api/articles/:slug adds; accepted so a fetched article can be edited and sent
  // back. The server computes them: slug and id must match, the others are ignored.
  slug: v.optional(v.string("must be a string")),
  id: v.optional(v.string("must be a string")),
  html: v.optional(v.string("must be a string")),
  hash: v.optional(v.string("must be a string")),
  url: v.optional(v.string("must be a string")),
  v: v.optional(v.number("must be a number")),
  status: v.optional(v.string("must be a string")),
  changedAt: v.optional(v.string("must be a string")),
});
export type ArticleInput = v.InferOutput<typeof ArticleInputSchema>;

export interface Author {
  name: string;
  url?: string | undefined;
  email?: string | undefined;
}

const StoredAuthor = v.object({
  name: v.string(),
  url: v.optional(v.string()),
  email: v.optional(v.string()),
});

/** The stored record. `html` is the sanitised rendering of `content`, made once at write time. */
export const ArticleSchema = v.object({
  v: v.literal(RECORD_VERSION),
  slug: v.pipe(v.string(), v.regex(SLUG_PATTERN)),
  id: v.string(),
  title: v.string(),
  summary: v.optional(v.string()),
  content: v.string(),
  html: v.string(),
  publishedAt: v.string(),
  updatedAt: v.optional(v.string()),
  authors: v.array(StoredAuthor),
  tags: v.array(v.string()),
  image: v.optional(v.string()),
  language: v.optional(v.string()),
  hash: v.string(),
  /** When the store last changed this article (absent in records written before it was kept). */
  changedAt: v.optional(v.string()),
});
export type Article = v.InferOutput<typeof ArticleSchema>;

/** What feeds and list pages render: the record without its Markdown source. */
export const ArticleEntrySchema = v.omit(ArticleSchema, ["content", "changedAt"]);
export type ArticleEntry = v.InferOutput<typeof ArticleEntrySchema>;

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `authors.0.url`; empty for the document itself. */
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const AUTHOR_FIELDS = new Set(Object.keys(AuthorSchema.entries));
const ARTICLE_FIELDS = new Set(Object.keys(ArticleInputSchema.entries));

/**
 * What the schema library reports only partly: every unknown field (valibot stops at the first)
 * and authors that are not objects (it takes an array for an object).
 */
function shapeIssues(input: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const unknown = (fields: Set<string>, object: Record<string, unknown>, prefix: string) => {
    for (const key of Object.keys(object)) {
      if (!fields.has(key)) issues.push({ path: `${prefix}${key}`, message: "is not a known field" });
    }
  };
  unknown(ARTICLE_FIELDS, input, "");
  if (Array.isArray(input.authors)) {
    input.authors.forEach((author: unknown, i) => {
      if (isJsonObject(author)) unknown(AUTHOR_FIELDS, author, `authors.${i}.`);
      else issues.push({ path: `authors.${i}`, message: "must be a JSON object" });
    });
  }
  return issues;
}

/** updatedAt before publishedAt, when both are sent and valid; prepareArticle checks the stored date. */
function dateOrderIssue(input: Record<string, unknown>): FieldIssue | null {
  const { publishedAt, updatedAt } = input;
  if (typeof publishedAt !== "string" || typeof updatedAt !== "string") return null;
  const published = normalizeDate(publishedAt);
  const updated = normalizeDate(updatedAt);
  if (!published || !updated || updated >= published) return null;
  return { path: "updatedAt", message: "must not be before publishedAt" };
}

/**
 * Validates a publisher's article, collecting every problem, one per field, with its path.
 * Rules that need the stored article (publishedAt kept on replace) live in prepareArticle.
 */
export function parseArticleInput(input: unknown): Parsed<ArticleInput> {
  if (!isJsonObject(input)) return { ok: false, issues: [{ path: "", message: "must be a JSON object" }] };
  const result = v.safeParse(ArticleInputSchema, input, { abortPipeEarly: true });
  const shape = shapeIssues(input);
  const order = dateOrderIssue(input);
  if (result.success && shape.length === 0 && !order) return { ok: true, value: result.output };

  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const add = (issue: FieldIssue) => {
    // One entry per field; a field inside an author that is not an object is that author's problem.
    const covered = [...seen].some((path) => path !== "" && issue.path.startsWith(`${path}.`));
    if (seen.has(issue.path) || covered) return;
    seen.add(issue.path);
    issues.push(issue);
  };
  for (const issue of shape.filter((i) => i.message === "must be a JSON object")) add(issue);
  for (const issue of result.issues ?? []) {
    if (issue.type === "strict_object" && issue.expected === "never") continue; // reported by shapeIssues
    add({ path: v.getDotPath(issue) ?? "", message: describeIssue(issue) });
  }
  for (const issue of shape) add(issue);
  if (order) add(order);
  return { ok: false, issues };
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.input === undefined && issue.path?.at(-1)?.origin === "key") return "is required";
  if (issue.type === "object" || issue.type === "strict_object") return "must be a JSON object";
  return issue.message;
}

/** A stored record, or null when it is corrupt or from an incompatible schema version. */
export function parseArticle(value: unknown): Article | null {
  const result = v.safeParse(ArticleSchema, value);
  return result.success ? result.output : null;
}

export function parseArticleEntry(value: unknown): ArticleEntry | null {
  const result = v.safeParse(ArticleEntrySchema, value);
  return result.success ? result.output : null;
}

export function toEntry(article: Article): ArticleEntry {
  const { content: _content, changedAt: _changed, ...entry } = article;
  return entry;
}

/** Where an article stands: only `public` ones appear in any feed, page, sitemap or public API. */
export type ArticleStatus = "public" | "draft" | "scheduled";

/** The date an article last changed: what feeds call `updated` and HTTP calls Last-Modified. */
export function modifiedAt(article: Pick<Article, "publishedAt" | "updatedAt">): string {
  return article.updatedAt ?? article.publishedAt;
}

/** The latest of some RFC 3339 UTC dates (as stored: they compare as strings), or `floor`. */
export function latestDate(dates: Iterable<string>, floor = "1970-01-01T00:00:00Z"): string {
  let latest = floor;
  for (const date of dates) if (date > latest) latest = date;
  return latest;
}
