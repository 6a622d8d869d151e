// `npm run publish` as a publisher runs it: the real command, against a running site, with its
// exit codes and its lines.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type LocalSite, ROOT, startSite } from "./site.ts";

let site: LocalSite;
let dir: string;

beforeAll(async () => {
  site = await startSite();
  dir = mkdtempSync(join(tmpdir(), "publish-test-"));
});
afterAll(async () => {
  await site?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the command in a child process; never synchronously, as this process serves the site. */
function publish(args: string[], token = ADMIN_TOKEN): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, "scripts", "publish.ts"), "--url", site.origin, ...args], {
    cwd: ROOT,
    env: { ...process.env, ADMIN_TOKEN: token },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

describe("npm run publish", () => {
  it("sends content/ through the admin API, then a second run sends nothing", async () => {
    const first = await publish([]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^created\s+isis-k-and-the-crocus-city-hall-attack/m);
    expect(first.out).toMatch(/1 created, 0 updated, 0 unchanged, 0 deleted in 1 batch/);
    await site.settled();
    const feed = (await (await fetch(`${site.origin}/feed.json`)).json()) as { items: { title: string }[] };
    expect(feed.items[0]?.title).toMatch(/^ISIS-K/);
    const again = await publish([]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/0 created, 0 updated, 1 unchanged, 0 deleted in 0 batch/);
  });

  it("exits 1 and names the file and field when a file is invalid, sending nothing", async () => {
    const path = join(dir, "broken-piece.md");
    writeFileSync(path, "---\ntitle: ''\npublishedAt: 2024-01-01T00:00:00Z\n---\nBody.\n");
    const run = await publish([path]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${path}: title: must not be empty`);
    expect((await fetch(`${site.origin}/api/articles/broken-piece`)).status).toBe(404);
  });

  it("exits 2 on a usage error and 3 when the site refuses the token", async () => {
    expect((await publish(["--prune", "content/x.md"])).code).toBe(2);
    const refused = await publish([], "not-the-token");
    expect(refused.code).toBe(3);
    expect(refused.err).toContain("refused the admin token");
  });
});
