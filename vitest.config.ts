import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // KV_WRITE_INTERVAL_MS 0: the local KV has no per-key limit, so tests need not wait a second.
              bindings: {
                SITE_URL: "https://news.example",
                ADMIN_TOKEN: "test-admin-token",
                KV_WRITE_INTERVAL_MS: "0",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
          exclude: ["test/browser/**", "test/runtime/**"],
          // The writer writes a value at most once a second, so tests of several changes take seconds.
          testTimeout: 30_000,
        },
      },
      {
        // The built Worker served by Miniflare, driven from Node through Debian's Chromium.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Tests that need Node itself: files on disk, child processes.
        test: {
          name: "runtime",
          include: ["test/runtime/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
