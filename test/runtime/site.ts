// The Worker as `wrangler dev` runs it (its own wrangler.toml: KV, the writer, static assets),
// served locally on a real socket by wrangler's test harness, for tests that need separate
// HTTP requests, files on disk or child processes.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestHarness, type TestHarness } from "wrangler";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ADMIN_TOKEN = "runtime-test-admin-token";

export interface LocalSite {
  origin: string;
  harness: TestHarness;
  /** An admin request: the token and a JSON body when one is given. */
  admin: (method: string, path: string, body?: unknown) => Promise<Response>;
  /** Waits until the writer has put every acknowledged change into KV. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startSite(vars: Record<string, string> = {}): Promise<LocalSite> {
  const harness = createTestHarness({
    root: ROOT,
    workers: [
      {
        configPath: join(ROOT, "wrangler.toml"),
        // SITE_URL empty: every link points back at this local origin.
        vars: { SITE_URL: "", ...vars },
        secrets: { ADMIN_TOKEN },
      },
    ],
  });
  const { url } = await harness.listen();
  const origin = url.origin;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${origin}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    origin,
    harness,
    admin,
    async settled() {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const state = (await (await admin("GET", "/api/writer")).json()) as { dirty: number };
        if (state.dirty === 0) {
          // Readers in this isolate trust a scope head for 5 s.
          await new Promise((resolve) => setTimeout(resolve, 5_100));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error("the writer did not flush within a minute");
    },
    stop: () => harness.close(),
  };
}
