import { createExecutionContext, reset, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import seedText from "../content/isis-k-and-the-crocus-city-hall-attack.md?raw";
import { type Article, type ArticleInput, parseArticleInput } from "../src/article/model.ts";
import { app } from "../src/index.ts";
import { parseContentFile } from "../src/publish/content.ts";
import { forgetReads } from "../src/store/read.ts";
import { newsroomOf } from "../src/writer/stub.ts";

export const ORIGIN = "https://news.example";
export const SEED_FILE = "isis-k-and-the-crocus-city-hall-attack.md";
export const SEED_SLUG = "isis-k-and-the-crocus-city-hall-attack";
export { seedText };

/**
 * Fetches a path from the Worker under test as a plain HTTP client would (redirects are not
 * followed), and waits for the work it left running; after a write, waits for the writer to
 * flush it to KV, as a reader a moment later would find it.
 */
export async function request(path: string, init?: TestRequestInit): Promise<Response> {
  const response = await requestWithEnv({}, path, init);
  if (init?.method && !["GET", "HEAD", "OPTIONS"].includes(init.method)) await settle();
  return response;
}

/** The one writer, as the Worker reaches it. */
export const writer = () => newsroomOf(env);

/**
 * Runs the writer's alarm until every change is in KV (its first purges sent, each ping tried
 * once), then forgets what this isolate remembers of KV, as another isolate would within seconds.
 */
export async function settle(): Promise<void> {
  const stub = writer();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const state = await stub.state();
    const pending =
      state.dirty > 0 ||
      state.adoption === "running" ||
      state.purges.some((p) => p.round === 1) ||
      state.pings.some((p) => p.attempts === 0);
    if (!pending) {
      forgetReads(env.ARTICLES);
      return;
    }
    // The writer spaces writes of one value by a second: wait for its alarm, then run it now.
    const wait = state.alarm === null ? 10 : Math.min(Math.max(state.alarm - Date.now(), 0), 1_100);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await runDurableObjectAlarm(stub);
  }
  throw new Error(`the writer did not settle: ${JSON.stringify(await writer().state())}`);
}

/** The same through the Worker's real entry point, as the runtime delivers a request. */
export function requestViaEntrypoint(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

/** A request as a test builds it: `cf` carries only the properties the test cares about. */
export type TestRequestInit = Omit<RequestInit, "cf"> & { cf?: Partial<IncomingRequestCfProperties> };

/**
 * Calls the Worker directly with some bindings replaced (a broken KV, other vars), waiting for
 * its background work (cache writes, hub pings) before returning.
 */
export async function requestWithEnv(overrides: Partial<Env>, path: string, init?: TestRequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`${ORIGIN}${path}`, init as RequestInit);
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A minimal valid article, with fixed dates. */
export function articleInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "A title",
    content: "Some *Markdown* text.",
    publishedAt: "2024-01-01T12:00:00Z",
    ...overrides,
  };
}

/** Stores an article through the writer, as the API does, and waits until readers see it. */
export async function storeArticle(slug: string, input: Record<string, unknown>): Promise<Article> {
  const parsed = parseArticleInput(input);
  if (!parsed.ok) throw new Error(`invalid test article: ${JSON.stringify(parsed.issues)}`);
  const outcome = await writer().putArticle(slug, parsed.value, { origin: ORIGIN, hub: null });
  if (!outcome.ok) throw new Error(`the writer refused a test article: ${JSON.stringify(outcome)}`);
  await settle();
  return outcome.article;
}

/** Stores several articles in one transaction of the writer (one flush), as the publish command does. */
export async function storeArticles(articles: Record<string, Record<string, unknown>>): Promise<void> {
  const puts = Object.entries(articles).map(([slug, input]): [string, ArticleInput] => {
    const parsed = parseArticleInput(input);
    if (!parsed.ok) throw new Error(`invalid test article ${slug}: ${JSON.stringify(parsed.issues)}`);
    return [slug, parsed.value];
  });
  const outcome = await writer().applyBatch(puts, [], { origin: ORIGIN, hub: null });
  if (!outcome.ok) throw new Error(`the writer refused test articles: ${JSON.stringify(outcome)}`);
  await settle();
}

export async function storeSeed(): Promise<Article> {
  const file = parseContentFile(SEED_FILE, seedText);
  if (!file.ok) throw new Error("seed file does not parse");
  return storeArticle(file.value.slug, file.value.input);
}

/** Empties KV, and the isolate's memory of it (the store cannot see `reset()`). */
export async function resetStore(): Promise<void> {
  await reset();
  forgetReads(env.ARTICLES);
}

/** The seed's body paragraphs, as plain text: what every full-content representation must carry. */
export function seedParagraphs(): string[] {
  const body = seedText.split(/^---$/m).slice(2).join("---");
  return body
    .split(/\n\n+/)
    .map((block) =>
      block
        .replace(/^(?:#+|>)\s?/gm, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((p) => p.length > 0);
}
