// Builds Workers exactly as `wrangler deploy --dry-run` would upload them, and measures them.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { atMost, ROOT, TARGETS } from "./plan.ts";
import { fmtKiB, fmtRatio, judged, type Row, row } from "./table.ts";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

export interface Build {
  /** The temporary directory holding everything built, removed with `removeBuild`. */
  root: string;
  dir: string;
  /** The entry module's file name inside `dir`. */
  main: string;
  raw: number;
  gzip: number;
  /** esbuild's own account of which inputs the bytes come from. */
  inputs: { path: string; bytes: number }[];
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `feed-bench-${name}-`));

/** `wrangler deploy --dry-run --outdir` with the project's wrangler, offline and quiet. */
export async function dryRun(root: string, configPath: string, outdir: string): Promise<Build> {
  const metafile = join(outdir, "meta.json");
  await promisify(execFile)(
    process.execPath,
    [WRANGLER, "deploy", "--dry-run", "--config", configPath, "--outdir", outdir, "--metafile", metafile],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error", NO_COLOR: "1" },
    },
  );
  const main = readdirSync(outdir).find((f) => f.endsWith(".js"));
  if (!main) throw new Error(`wrangler wrote no .js to ${outdir}`);
  const bytes = readFileSync(join(outdir, main));
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.entries(meta.outputs).find(([path]) => path.endsWith(main))?.[1];
  const inputs = Object.entries(output?.inputs ?? {})
    .map(([path, v]) => ({ path, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { root, dir: outdir, main, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, inputs };
}

/** The project's deployable Worker. */
export function buildApp(): Promise<Build> {
  const dir = tempDir("app");
  return dryRun(dir, join(ROOT, "wrangler.toml"), dir);
}

/** A bare Hono "hello" Worker built the same way: the floor any Hono Worker pays. */
export function buildHello(): Promise<Build> {
  const dir = tempDir("hello");
  mkdirSync(join(dir, "src"));
  // The project's node_modules, so the same hono version is bundled.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(
    join(dir, "src", "index.ts"),
    `import { Hono } from "hono";\nconst app = new Hono();\napp.get("/", (c) => c.text("Hello Hono!"));\nexport default app;\n`,
  );
  writeFileSync(
    join(dir, "wrangler.toml"),
    `name = "hello"\nmain = "src/index.ts"\ncompatibility_date = "2026-11-01"\n`,
  );
  return dryRun(dir, join(dir, "wrangler.toml"), join(dir, "dist"));
}

export function removeBuild(build: Build): void {
  rmSync(build.root, { recursive: true, force: true });
}

/** Groups esbuild inputs by package (or `src`), largest first. */
export function bundleBreakdown(build: Build): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const { path, bytes } of build.inputs) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? (path.includes("src/") ? "src" : "other");
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytes);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

const BUNDLE = "(f) deployable bundle (wrangler deploy --dry-run), gzip -9";

export function bundleRows(app: Build, hello: Build): Row[] {
  return [
    row(BUNDLE, "this Worker, gzipped", {
      value: fmtKiB(app.gzip),
      reference: `${fmtKiB(hello.gzip)} (Hono hello)`,
      ratio: fmtRatio(app.gzip / hello.gzip),
      ...judged(atMost(TARGETS.bundleGzipKiB, " KiB")(app.gzip / 1024)),
    }),
    row(BUNDLE, "this Worker, raw", {
      value: fmtKiB(app.raw),
      reference: `${fmtKiB(hello.raw)} (Hono hello)`,
      ratio: fmtRatio(app.raw / hello.raw),
    }),
    ...bundleBreakdown(app)
      .slice(0, 6)
      .map((part) => row(BUNDLE, `  of which ${part.name} (raw)`, { value: fmtKiB(part.bytes) })),
  ];
}
