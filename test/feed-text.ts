// Test-side readers of feed bodies: plain text out of HTML, and JSON Feed 1.1's required fields.

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes the character references an HTML or XML serialiser writes. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return String.fromCodePoint(code);
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** What a reader sees of an HTML fragment: tags removed, references decoded, spaces collapsed. */
export function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
}

/** Every href/src/cite value in an HTML fragment, decoded. */
export function urlsIn(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|cite)="([^"]*)"/g)].map((m) => decodeEntities(m[1] as string));
}

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
export const RFC822 =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (?:[+-]\d{4}|GMT|UT)$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Problems with a parsed JSON Feed against JSON Feed 1.1 (https://jsonfeed.org/version/1.1):
 * its required fields, and the shape of the optional ones we emit. Empty when it conforms.
 */
export function jsonFeedProblems(feed: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(feed)) return ["top level is not an object"];
  if (feed.version !== "https://jsonfeed.org/version/1.1") problems.push("version is not 1.1");
  if (typeof feed.title !== "string" || feed.title === "") problems.push("title is missing");
  for (const key of ["home_page_url", "feed_url", "next_url"]) {
    if (key in feed && (typeof feed[key] !== "string" || !URL.canParse(feed[key] as string)))
      problems.push(`${key} is not a URL`);
  }
  const authorsProblems = (where: string, authors: unknown) => {
    if (!Array.isArray(authors)) return problems.push(`${where}.authors is not an array`);
    for (const a of authors) {
      if (!isObject(a) || !["name", "url", "avatar"].some((k) => typeof a[k] === "string")) {
        problems.push(`${where}.authors has an author with no name, url or avatar`);
      }
    }
  };
  if ("authors" in feed) authorsProblems("feed", feed.authors);
  if ("author" in feed) problems.push("feed.author is JSON Feed 1.0, deprecated in 1.1");
  if ("hubs" in feed) {
    const hubs = feed.hubs;
    if (
      !Array.isArray(hubs) ||
      !hubs.every((h) => isObject(h) && typeof h.type === "string" && typeof h.url === "string")
    ) {
      problems.push("hubs must be objects with type and url");
    }
  }
  if (!Array.isArray(feed.items)) return [...problems, "items is not an array"];
  const ids = new Set<string>();
  for (const [i, item] of (feed.items as unknown[]).entries()) {
    const where = `items[${i}]`;
    if (!isObject(item)) {
      problems.push(`${where} is not an object`);
      continue;
    }
    if (typeof item.id !== "string" || item.id === "") problems.push(`${where}.id is missing`);
    else if (ids.has(item.id)) problems.push(`${where}.id repeats`);
    else ids.add(item.id);
    if (typeof item.content_html !== "string" && typeof item.content_text !== "string") {
      problems.push(`${where} has neither content_html nor content_text`);
    }
    for (const key of ["date_published", "date_modified"]) {
      if (key in item && !(typeof item[key] === "string" && RFC3339.test(item[key] as string))) {
        problems.push(`${where}.${key} is not RFC 3339`);
      }
    }
    if ("url" in item && (typeof item.url !== "string" || !URL.canParse(item.url)))
      problems.push(`${where}.url is not a URL`);
    if ("tags" in item && !(Array.isArray(item.tags) && item.tags.every((t) => typeof t === "string"))) {
      problems.push(`${where}.tags is not an array of strings`);
    }
    if ("authors" in item) authorsProblems(where, item.authors);
    if ("author" in item) problems.push(`${where}.author is JSON Feed 1.0, deprecated in 1.1`);
  }
  return problems;
}
