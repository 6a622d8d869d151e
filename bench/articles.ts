// Generated articles the size of the seed article, prepared and stored by the project's own code.
import { readFileSync } from "node:fs";
import { type Article, type ArticleEntry, tagSlug, toEntry } from "../src/article/model.ts";
import { articleFromInput } from "../src/article/prepare.ts";
import { parseContentFile } from "../src/publish/content.ts";

const SEED_FILE = "isis-k-and-the-crocus-city-hall-attack.md";
const SEED_URL = new URL(`../content/${SEED_FILE}`, import.meta.url);

const TAGS = [
  "Russia",
  "ISIS-K",
  "Afghanistan",
  "Terrorism",
  "Middle East",
  "Ukraine",
  "China",
  "Sahel",
  "Elections",
  "Energy",
  "Cyber",
  "NATO",
  "Iran",
  "India",
  "Pakistan",
  "Syria",
];
const SUBJECTS = [
  "Border talks",
  "A ceasefire",
  "The sanctions regime",
  "A new coalition",
  "The naval build-up",
  "Grain exports",
  "The insurgency",
  "A disputed election",
  "The pipeline deal",
  "Drone strikes",
];
const ANGLES = [
  "and what it means for the region",
  "explained in five points",
  "a year on",
  "and the risks nobody is pricing in",
  "seen from the ground",
];

/** The seed article's front matter and body: the size every generated article copies. */
export function seedInput(): Record<string, unknown> {
  const parsed = parseContentFile(SEED_FILE, readFileSync(SEED_URL, "utf8"));
  if (!parsed.ok) throw new Error(`the seed article does not parse: ${JSON.stringify(parsed.issues)}`);
  return parsed.value.input;
}

const HOUR = 3_600_000;
const NEWEST = Date.parse("2026-10-01T08:00:00Z");

/**
 * Article `i` of a generated store, newest first: a store of N holds articles 0…N-1, so every
 * store shows the same newest page and feeds differ only in what the store size decides.
 */
export function generatedInput(
  seed: Record<string, unknown>,
  i: number,
): { slug: string; input: Record<string, unknown> } {
  const subject = SUBJECTS[i % SUBJECTS.length] as string;
  const angle = ANGLES[Math.floor(i / SUBJECTS.length) % ANGLES.length] as string;
  const published = NEWEST - i * 7 * HOUR;
  const tags = [0, 5, 11].map((step) => TAGS[(i + step) % TAGS.length] as string);
  const input: Record<string, unknown> = {
    ...seed,
    title: `${subject} ${angle} (no. ${i + 1})`,
    publishedAt: new Date(published).toISOString().replace(".000Z", "Z"),
    tags,
  };
  if (i % 3 === 0) input.updatedAt = new Date(published + 5 * HOUR).toISOString().replace(".000Z", "Z");
  return { slug: `${subject} ${angle} ${i + 1}`.toLowerCase().replace(/[^a-z0-9]+/g, "-"), input };
}

/** Articles 0…count-1, each through `articleFromInput` as the API and the publish command do. */
export async function generateArticles(count: number): Promise<Article[]> {
  const seed = seedInput();
  const articles: Article[] = [];
  for (let i = 0; i < count; i++) {
    const { slug, input } = generatedInput(seed, i);
    const prepared = await articleFromInput(slug, input, null);
    if (!prepared.ok) throw new Error(`generated article ${slug} is invalid: ${JSON.stringify(prepared.issues)}`);
    articles.push(prepared.value);
  }
  return articles;
}

export const entriesOf = (articles: Article[]): ArticleEntry[] => articles.map(toEntry);

/** A tag every generated store of at least 20 articles uses, in its URL form. */
export const SAMPLE_TAG = tagSlug(TAGS[0] as string);

/** Article `i` of a store, as the admin API receives it: [slug, body]. */
export type Input = [slug: string, input: Record<string, unknown>];

/** Articles count-1…0 the size of the seed article, oldest first, as a site publishes them. */
export function seedSizedInputs(count: number): Input[] {
  const seed = seedInput();
  return Array.from({ length: count }, (_, k) => {
    const { slug, input } = generatedInput(seed, count - 1 - k);
    return [slug, input];
  });
}

const SMALL_BODY = [
  "Talks resumed on **Monday** after a month's pause, officials said. A [briefing](https://example.org/brief)",
  "lists the points still open.",
  "",
  "- Troop positions along the line",
  "- Water rights",
  "- Trade corridors",
  "",
  "Few on either side expect a breakthrough before the end of the month.",
].join("\n");

/**
 * Article `i` of a big write store: about 1 KB stored, since what a write costs depends on how
 * many articles are stored, not on their size. Same dates, tags and slugs scheme as above.
 */
export function smallInputs(count: number): Input[] {
  return Array.from({ length: count }, (_, k) => {
    const i = count - 1 - k;
    const published = NEWEST - i * HOUR;
    const input = {
      title: `${SUBJECTS[i % SUBJECTS.length]} (brief no. ${i + 1})`,
      content: SMALL_BODY,
      publishedAt: new Date(published).toISOString().replace(".000Z", "Z"),
      tags: [0, 5, 11].map((step) => TAGS[(i + step) % TAGS.length] as string),
    };
    return [`brief-${i + 1}`, input];
  });
}

/** New articles for the write figures, newer than any stored one: seed-sized, slugs under `prefix`. */
export function newInputs(prefix: string, count: number): Input[] {
  const seed = seedInput();
  return Array.from({ length: count }, (_, k) => {
    const { input } = generatedInput(seed, k);
    const publishedAt = new Date(NEWEST + (k + 1) * 60_000).toISOString().replace(".000Z", "Z");
    const { updatedAt: _updated, ...rest } = input;
    return [`${prefix}-${k + 1}`, { ...rest, title: `${String(input.title)} (${prefix})`, publishedAt }];
  });
}
