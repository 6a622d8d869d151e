// Input → stored record: the one path both the admin API and the publish command take.
import { decodeCharacterReferences, renderMarkdown } from "./markdown.ts";
import {
  type Article,
  type ArticleInput,
  type FieldIssue,
  type Parsed,
  parseArticleInput,
  RECORD_VERSION,
} from "./model.ts";
import { cleanText } from "./text.ts";

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * A name-based UUID: stable for (slug, first publication), so the feed id never changes. A slug
 * reused after a deletion counts its earlier lives, so the new article never takes the id a
 * tombstone still names.
 */
async function mintId(slug: string, publishedAt: string, generation: number): Promise<string> {
  const name = generation > 0 ? `${slug}\n${publishedAt}\n${generation}` : `${slug}\n${publishedAt}`;
  const h = hex((await sha256(name)).slice(0, 16));
  const variant = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** First paragraph as plain text, for feeds' summaries when the publisher gave none. */
function excerptOf(html: string): string | undefined {
  const paragraph = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1];
  if (!paragraph) return undefined;
  const text = cleanText(decodeCharacterReferences(paragraph.replace(/<[^>]*>/g, "")))
    .replace(/\s+/g, " ")
    .trim();
  if (text.length <= 280) return text || undefined;
  return `${text.slice(0, 279).replace(/\s+\S*$/, "")}…`;
}

export interface PrepareOptions {
  /** How many times this slug was deleted before: a reused slug gets a fresh id. */
  generation?: number;
  /** The writer's clock (ISO); with it, a live article cannot claim an update still to come. */
  now?: string;
}

/** Bumped when Markdown rendering changes the HTML it stores, so the publish command resends. */
export const RENDERING_VERSION = "2";

/**
 * What the publish command compares to skip unchanged files: the validated input as the server
 * will read it, and the rendering version. Computed the same way in Node and in workerd.
 */
export async function sourceHash(input: ArticleInput): Promise<string> {
  const { slug: _s, id: _i, html: _h, hash: _x, url: _u, v: _v, status: _t, changedAt: _c, ...source } = input;
  const canonical = Object.keys(source)
    .sort()
    .map((key) => [key, source[key as keyof typeof source]]);
  return hex((await sha256(`${RENDERING_VERSION}\n${JSON.stringify(canonical)}`)).slice(0, 12));
}

/**
 * Builds the record for `slug` from a publisher's input. Replacing an article keeps its id and,
 * unless sent, its publication date.
 */
export async function prepareArticle(
  slug: string,
  input: ArticleInput,
  existing: Article | null,
  options: PrepareOptions = {},
): Promise<Parsed<Article>> {
  const issues: FieldIssue[] = [];
  if (input.slug !== undefined && input.slug !== slug)
    issues.push({ path: "slug", message: `must be "${slug}", the slug in the URL` });
  const publishedAt = input.publishedAt ?? existing?.publishedAt;
  if (!publishedAt) issues.push({ path: "publishedAt", message: "is required" });
  // When both are sent, parseArticleInput has already compared them.
  if (!input.publishedAt && publishedAt && input.updatedAt && input.updatedAt < publishedAt) {
    issues.push({ path: "updatedAt", message: "must not be before publishedAt" });
  }
  // A scheduled article may carry a future update; a live one would show a date to come.
  const { now } = options;
  if (now && publishedAt && publishedAt <= now && input.updatedAt && input.updatedAt > now) {
    issues.push({
      path: "updatedAt",
      message: "must not be in the future (to schedule, set publishedAt in the future)",
    });
  }
  if (issues.length > 0 || !publishedAt) return { ok: false, issues };

  const id = existing?.id ?? (await mintId(slug, publishedAt, options.generation ?? 0));
  if (input.id !== undefined && input.id !== id) {
    return { ok: false, issues: [{ path: "id", message: `is assigned by the server; leave it out or send "${id}"` }] };
  }
  const html = renderMarkdown(input.content, slug);
  const record: Omit<Article, "hash"> = {
    v: RECORD_VERSION,
    slug,
    id,
    title: input.title,
    content: input.content,
    html,
    publishedAt,
    authors: input.authors ?? [],
    tags: input.tags ?? [],
  };
  const summary = input.summary ?? excerptOf(html);
  if (summary) record.summary = summary;
  if (input.updatedAt) record.updatedAt = input.updatedAt;
  if (input.image) record.image = input.image;
  if (input.language) record.language = input.language;
  const hash = hex((await sha256(JSON.stringify(record))).slice(0, 12));
  return { ok: true, value: { ...record, hash } };
}

/** Validation and preparation in one step, every problem reported with its field. */
export async function articleFromInput(
  slug: string,
  body: unknown,
  existing: Article | null,
  options: PrepareOptions = {},
): Promise<Parsed<Article>> {
  const parsed = parseArticleInput(body);
  if (!parsed.ok) return parsed;
  return prepareArticle(slug, parsed.value, existing, options);
}
