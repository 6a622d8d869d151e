// The local site the dev commands share: its admin token (.dev.vars, made on first use), its
// port, and a `wrangler dev` started and stopped on demand.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_PORT = 8787;
const DEV_VARS = join(ROOT, ".dev.vars");

/** ADMIN_TOKEN from .dev.vars; a fresh machine gets a random one, written there once. */
export function localAdminToken(announce: (line: string) => void = () => {}): string {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const found = /^ADMIN_TOKEN\s*=\s*"?([^"\n]*)"?\s*$/m.exec(text)?.[1]?.trim();
  if (found) return found;
  const token = randomBytes(24).toString("base64url");
  writeFileSync(DEV_VARS, `${text}${text && !text.endsWith("\n") ? "\n" : ""}ADMIN_TOKEN=${token}\n`);
  announce(`wrote a new local ADMIN_TOKEN to .dev.vars (gitignored): ${token}`);
  return token;
}

/** Whether a site answers at `origin` within a second. */
export async function isUp(origin: string): Promise<boolean> {
  try {
    const response = await fetch(`${origin}/robots.txt`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    // Refused or timed out: nothing listens there yet.
    return false;
  }
}

/** The local runtime did not come up: the site, not the command line, is at fault. */
export class RuntimeStartError extends Error {}

export async function waitUntilUp(origin: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new RuntimeStartError(`wrangler dev exited (${child.exitCode}) before serving ${origin}`);
    if (await isUp(origin)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new RuntimeStartError(`wrangler dev did not answer at ${origin} within ${timeoutMs / 1000} s`);
}

/** Runs the project's own wrangler with this Node (Node 22, from the devDependency). */
export function startWrangler(args: string[], stdio: "inherit" | "pipe"): ChildProcess {
  const bin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
  return spawn(process.execPath, [bin, ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
