// Cache-Tag names: what each cached response says it depends on, and what each KV key's change
// purges. Tags must be printable ASCII, so scope names (tag slugs may be any script) are
// percent-encoded.
import { KEYS, type Scope } from "../store/keys.ts";

const scopeName = (scope: Scope) => encodeURIComponent(scope);

export const CACHE_TAGS = {
  /** Every cacheable answer: a rebuild or a site-wide change purges this one tag. */
  site: "site",
  article: (slug: string) => `a:${slug}`,
  /** A scope's feeds, list pages, paged pages and open archive. */
  scope: (scope: Scope) => `s:${scopeName(scope)}`,
  /** One full archive document of a scope, in every format. */
  archive: (scope: Scope, archive: number) => `s:${scopeName(scope)}:${archive}`,
  /** The feeds page and the OPML file, which list every tag. */
  tags: "tags",
  sitemap: "sitemap",
} as const;

/** The scope a `CACHE_TAGS.scope` tag names, or null for any other tag. */
export function scopeOfTag(tag: string): Scope | null {
  const match = /^s:([^:]+)$/.exec(tag);
  return match ? decodeURIComponent(match[1] as string) : null;
}

/** The cache tags a change of `key` invalidates. */
export function tagsForKey(key: string): string[] {
  const [kind, ...rest] = key.split(":");
  const name = rest.join(":");
  switch (kind) {
    case "article":
      return [CACHE_TAGS.article(name)];
    case "scope":
    case "items":
    case "rest":
    case "chunks":
      return [CACHE_TAGS.scope(name)];
    case "archive": {
      const at = name.lastIndexOf(":");
      return [CACHE_TAGS.archive(name.slice(0, at), Number(name.slice(at + 1)))];
    }
    case "tags":
      return [CACHE_TAGS.tags];
    case "sitemap":
      return [CACHE_TAGS.sitemap];
    default:
      return [];
  }
}

/** The key kinds, in the order a flush writes them: entries before the heads that name them. */
export function flushRank(key: string): number {
  const kind = key.slice(0, key.indexOf(":") === -1 ? key.length : key.indexOf(":"));
  const order = ["article", "archive", "chunks", "items", "rest", "catalog", "scope", "tags", "sitemap"];
  const rank = order.indexOf(kind);
  // The sitemap index after its parts.
  if (key === KEYS.sitemap) return order.length;
  return rank === -1 ? order.length + 1 : rank;
}
