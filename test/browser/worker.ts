// The Worker as `wrangler dev` runs it, served locally by wrangler's test harness on a real
// socket (see test/runtime/site.ts), with articles put through its own admin API.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseContentFile } from "../../src/publish/content.ts";
import { ROOT, startSite as startLocalSite } from "../runtime/site.ts";

export { ROOT };
export const SEED_FILE = "isis-k-and-the-crocus-city-hall-attack.md";
export const SEED_SLUG = "isis-k-and-the-crocus-city-hall-attack";

export interface LocalSite {
  origin: string;
  /** Creates or replaces an article through `PUT /api/articles/:slug`. */
  put: (slug: string, input: Record<string, unknown>) => Promise<void>;
  /** Waits until every article put is in KV and readers see it. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Serves the Worker on 127.0.0.1 with an empty ARTICLES namespace. */
export async function startSite(vars: Record<string, string> = {}): Promise<LocalSite> {
  const site = await startLocalSite(vars);
  return {
    origin: site.origin,
    async put(slug, input) {
      const response = await site.admin("PUT", `/api/articles/${slug}`, input);
      if (!response.ok) throw new Error(`PUT ${slug} answered ${response.status}: ${await response.text()}`);
    },
    settled: site.settled,
    stop: site.stop,
  };
}

/** The seed article as the publish command reads it from content/. */
export function seedInput(): { slug: string; input: Record<string, unknown> } {
  const file = parseContentFile(SEED_FILE, readFileSync(join(ROOT, "content", SEED_FILE), "utf8"));
  if (!file.ok) throw new Error(`the seed file does not parse: ${JSON.stringify(file.issues)}`);
  return file.value;
}
