// Generated articles the size of the seed article, prepared and stored by the project's own code.
import { readFileSync } from "node:fs";
import { type Article, type ArticleEntry, tagSlug, toEntry } from "../src/article/model.ts";
import { articleFromInput } from "../src/article/prepare.ts";
import { parseContentFile } from "../src/publish/content.ts";
import { type KvLike, putArticle, rebuildIndexes, writeArticleRecord } from "../src/store/kv.ts";

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

export interface KvRecord {
  key: string;
  value: string;
  metadata: unknown;
}

/** The KV writes `writeArticleRecord` makes, collected instead of made, to be sent in bulk. */
async function recordsOf(articles: Article[]): Promise<KvRecord[]> {
  const records: KvRecord[] = [];
  const refuse = () => Promise.reject(new Error("writeArticleRecord was expected only to put"));
  const collector: KvLike = {
    put: async (key, value, options) => {
      records.push({ key, value, metadata: options?.metadata });
    },
    get: refuse,
    delete: refuse,
    list: refuse,
  };
  for (const article of articles) await writeArticleRecord(collector, article.slug, article);
  return records;
}

/**
 * Stores `articles` the way the code does: records as the store's batch writer writes them (sent
 * in bulk), one rebuildIndexes for every index, as the publish command does; a few articles
 * through putArticle, the API's write path; and a last rebuildIndexes that must find nothing
 * to rewrite, which proves the three agree.
 */
export async function seedStore(
  kv: KvLike,
  articles: Article[],
  putRecords: (records: KvRecord[]) => Promise<void>,
): Promise<void> {
  const viaPut = articles.slice(0, 3);
  const bulk = articles.slice(3);
  await putRecords(await recordsOf(bulk));
  await rebuildIndexes(kv, { fresh: bulk, log: failOnLog });
  for (const article of viaPut) await putArticle(kv, article, failOnLog);
  const report = await rebuildIndexes(kv, { log: failOnLog });
  if (report.articles !== articles.length || report.rewritten.length > 0 || report.skipped.length > 0) {
    const summary = { ...report, rewritten: report.rewritten.length };
    throw new Error(`the seeded store is not consistent: ${JSON.stringify(summary)}`);
  }
}

function failOnLog(message: string, detail?: Record<string, unknown>): void {
  throw new Error(`store complained while seeding: ${message} ${JSON.stringify(detail ?? {})}`);
}
