import { createExecutionContext, reset, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import seedText from "../content/isis-k-and-the-crocus-city-hall-attack.md?raw";
import type { Article } from "../src/article/model.ts";
import { articleFromInput } from "../src/article/prepare.ts";
import worker from "../src/index.ts";
import { parseContentFile } from "../src/publish/content.ts";
import { forgetReads, putArticle } from "../src/store/kv.ts";

export const ORIGIN = "https://news.example";
export const SEED_FILE = "isis-k-and-the-crocus-city-hall-attack.md";
export const SEED_SLUG = "isis-k-and-the-crocus-city-hall-attack";
export { seedText };

/**
 * Fetches a path from the Worker under test as a plain HTTP client would (redirects are not
 * followed), and waits for the work it left running (edge-cache writes, hub pings), so that
 * one test's background work never spills into the next.
 */
export function request(path: string, init?: TestRequestInit): Promise<Response> {
  return requestWithEnv({}, path, init);
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
  const response = await worker.fetch(request, { ...env, ...overrides }, ctx);
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

/** Stores an article through the same path the API takes. */
export async function storeArticle(slug: string, input: Record<string, unknown>): Promise<Article> {
  const parsed = await articleFromInput(slug, input, null);
  if (!parsed.ok) throw new Error(`invalid test article: ${JSON.stringify(parsed.issues)}`);
  await putArticle(env.ARTICLES, parsed.value);
  return parsed.value;
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
