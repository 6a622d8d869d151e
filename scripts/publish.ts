// `npm run publish`: content/*.md → the ARTICLES KV namespace, local (wrangler dev's state) or
// remote (the deployed Worker's, through wrangler's kv commands). The logic is src/publish/.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatIssue, type PublishProgress, publishContent, type SourceFile } from "../src/publish/publish.ts";
import { type CommandResult, type RunWrangler, WranglerKv } from "../src/publish/wrangler-kv.ts";
import { readSiteConfig } from "../src/site.ts";
import type { KvLike, Logger } from "../src/store/kv.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BINDING = "ARTICLES";

/** Exit codes, as --help states them. */
const EXIT = { ok: 0, invalid: 1, usage: 2, store: 3 } as const;

const HELP = `Usage: npm run publish -- [--local | --remote] [--prune] [--quiet] [files…]

Validates content files (YAML front matter + Markdown) with the same schema and Markdown
sanitiser as the admin API, then writes the articles into the ${BINDING} KV namespace.
Nothing is written unless every file is valid. Unchanged articles (same content hash) are
skipped; a replaced article keeps its id and publishedAt. Feed indexes are then brought up
to date from the stored articles.

  files       the content files to publish (default: content/*.md)
  --local     write the local KV that \`npm run dev\` (wrangler dev) serves (default)
  --remote    write the deployed Worker's KV through \`wrangler kv\` (needs \`npx wrangler login\`
              or CLOUDFLARE_API_TOKEN, and the namespace id in wrangler.toml; no admin token)
  --prune     content/ is the source of truth: delete every stored article that has no file
              in content/, INCLUDING articles sent through the admin API. Needs the whole of
              content/, so it cannot be combined with file names.
  --quiet     print only errors and the summary line
  -h, --help  show this text

Exit status: 0 published, 1 a file is invalid (each problem printed as file: field: message),
2 usage error, 3 the store could not be read or written.`;

class UsageError extends Error {}

interface Options {
  remote: boolean;
  prune: boolean;
  quiet: boolean;
  files: string[];
}

const SPEC = {
  local: { type: "boolean" },
  remote: { type: "boolean" },
  prune: { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function readOptions(argv: string[]): Options | "help" {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) return "help";
  if (values.local && values.remote) throw new UsageError("choose one of --local and --remote");
  if (values.prune && positionals.length > 0) {
    throw new UsageError(
      "--prune deletes every article without a file, so it takes the whole of content/, not file names",
    );
  }
  return {
    remote: values.remote ?? false,
    prune: values.prune ?? false,
    quiet: values.quiet ?? false,
    files: positionals,
  };
}

async function contentFiles(): Promise<string[]> {
  const dir = join(ROOT, "content");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".md")).sort();
  return names.map((name) => relative(process.cwd(), join(dir, name)));
}

async function readSources(paths: string[]): Promise<SourceFile[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { name: path, text: await readFile(path, "utf8") };
      } catch (error) {
        throw new UsageError(
          `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }),
  );
}

/** Runs the project's own wrangler with this Node; a `file` goes through a temporary file. */
const runWrangler: RunWrangler = async (args, file) => {
  const bin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
  const dir = file === undefined ? null : await mkdtemp(join(tmpdir(), "publish-"));
  try {
    const extra: string[] = [];
    if (dir !== null && file !== undefined) {
      const path = join(dir, "pairs.json");
      await writeFile(path, file);
      extra.push(path);
    }
    return await new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args, ...extra], {
        cwd: ROOT,
        // Values and listings arrive on stdout: keep wrangler's debug lines (also stdout) out of it.
        env: { ...process.env, WRANGLER_LOG: "log" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code) =>
        resolve({
          ok: code === 0,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        }),
      );
    });
  } finally {
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  }
};

/** FEED_PAGE_SIZE as the Worker reads it from wrangler.toml, validated the same way. */
async function configuredPageSize(): Promise<number> {
  const { unstable_readConfig } = await import("wrangler");
  const { vars } = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const strings = Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  return readSiteConfig(strings).pageSize;
}

/** The local namespace `wrangler dev` serves: same config, same persisted state under .wrangler/. */
async function withLocalKv<T>(use: (kv: KvLike) => Promise<T>): Promise<T> {
  // Only warnings: its "Using secrets defined in .dev.vars" line is about the Worker, not us.
  process.env.WRANGLER_LOG ??= "warn";
  const { getPlatformProxy } = await import("wrangler");
  const proxy = await getPlatformProxy<{ [BINDING]: KvLike }>({
    configPath: join(ROOT, "wrangler.toml"),
    persist: true,
    remoteBindings: false,
  });
  try {
    return await use(proxy.env[BINDING]);
  } finally {
    await proxy.dispose();
  }
}

function progressLine({ action, slug, file }: PublishProgress): string {
  return `${action.padEnd(9)} ${slug}${file ? `  (${file})` : ""}`;
}

async function main(argv: string[]): Promise<number> {
  let options: Options | "help";
  let files: SourceFile[];
  try {
    options = readOptions(argv);
    if (options === "help") {
      console.log(HELP);
      return EXIT.ok;
    }
    const paths = options.files.length > 0 ? options.files : await contentFiles();
    if (paths.length === 0 && options.prune)
      throw new UsageError("content/ has no .md files; --prune would delete every article");
    files = await readSources(paths);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`publish: ${error.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { remote, prune, quiet } = options;
  const where = remote ? "remote" : "local";
  const log: Logger = (message, detail) => console.error(`warning: ${message}`, detail ?? "");
  const onProgress = (p: PublishProgress) => {
    if (!quiet) console.log(progressLine(p));
  };

  const publish = async (kv: KvLike) => {
    const result = await publishContent(kv, files, { prune, onProgress, log, pageSize: await configuredPageSize() });
    if (kv instanceof WranglerKv && result.ok) {
      const sent = await kv.flush();
      if (!quiet) console.log(`sent ${sent.put} write(s) and ${sent.deleted} delete(s) with wrangler kv bulk`);
    }
    return result;
  };
  let result: Awaited<ReturnType<typeof publish>>;
  try {
    result = remote
      ? await publish(new WranglerKv(runWrangler, { binding: BINDING, target: ["--remote"] }))
      : await withLocalKv(publish);
  } catch (error) {
    console.error(`publish: could not update the ${where} ${BINDING} namespace: ${(error as Error).message}`);
    return EXIT.store;
  }
  if (!result.ok) {
    for (const issue of result.issues) console.error(formatIssue(issue));
    const fileCount = new Set(result.issues.map((i) => i.file)).size;
    console.error(`publish: nothing written; ${result.issues.length} problem(s) in ${fileCount} file(s)`);
    return EXIT.invalid;
  }
  const { counts, indexes } = result;
  const changedScopes = indexes.rewritten.length + indexes.removed.length;
  console.log(
    `publish (${where}): ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
      `${counts.deleted} deleted; ${changedScopes} feed index(es) rewritten`,
  );
  if (indexes.skipped.length > 0)
    console.error(`warning: unreadable article records left out of the feeds: ${indexes.skipped.join(", ")}`);
  return EXIT.ok;
}

process.exitCode = await main(process.argv.slice(2));
