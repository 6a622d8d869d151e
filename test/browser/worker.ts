// The Worker as it would be deployed (`wrangler deploy --dry-run`), served locally by Miniflare
// on a real socket, with articles put through its own admin API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { parseContentFile } from "../../src/publish/content.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const ADMIN_TOKEN = "browser-test-admin-token";

export const SEED_FILE = "isis-k-and-the-crocus-city-hall-attack.md";
export const SEED_SLUG = "isis-k-and-the-crocus-city-hall-attack";

export interface LocalSite {
  origin: string;
  /** Creates or replaces an article through `PUT /api/articles/:slug`. */
  put: (slug: string, input: Record<string, unknown>) => Promise<void>;
  stop: () => Promise<void>;
}

function build(outdir: string): string {
  execFileSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return join(outdir, "index.js");
}

/** Builds the Worker and serves it on 127.0.0.1 with an empty ARTICLES namespace. */
export async function startSite(vars: Record<string, string> = {}): Promise<LocalSite> {
  const outdir = mkdtempSync(join(tmpdir(), "feed-browser-"));
  const scriptPath = build(outdir);
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const configured = Object.fromEntries(Object.entries(config.vars).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      scriptPath,
      modulesRoot: outdir,
      compatibilityDate: config.compatibility_date,
      compatibilityFlags: config.compatibility_flags,
      kvNamespaces: ["ARTICLES"],
      // SITE_URL empty: every link points back at this local origin.
      bindings: { ...configured, SITE_URL: "", ADMIN_TOKEN, ...vars },
    }),
  );
  const origin = (await mf.ready).origin;
  return {
    origin,
    async put(slug, input) {
      const response = await fetch(`${origin}/api/articles/${slug}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(input),
      });
      if (!response.ok) throw new Error(`PUT ${slug} answered ${response.status}: ${await response.text()}`);
    },
    async stop() {
      await mf.dispose();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** The seed article as the publish command reads it from content/. */
export function seedInput(): { slug: string; input: Record<string, unknown> } {
  const file = parseContentFile(SEED_FILE, readFileSync(join(ROOT, "content", SEED_FILE), "utf8"));
  if (!file.ok) throw new Error(`the seed file does not parse: ${JSON.stringify(file.issues)}`);
  return file.value;
}
