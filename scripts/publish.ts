// `npm run publish`: content/*.md → the site's admin API, locally (the dev runtime, started for the
// command when none runs) or with --remote (SITE_URL and ADMIN_TOKEN). The logic is src/publish/.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import {
  formatIssue,
  PublishError,
  type PublishProgress,
  type PublishTarget,
  publishContent,
  type SourceFile,
  waitUntilFlushed,
} from "../src/publish/client.ts";
import {
  DEFAULT_PORT,
  isUp,
  localAdminToken,
  ROOT,
  RuntimeStartError,
  startWrangler,
  stop,
  waitUntilUp,
} from "./local.ts";

/** Exit codes, as --help states them. */
const EXIT = { ok: 0, invalid: 1, usage: 2, site: 3 } as const;

const HELP = `Usage: npm run publish -- [--local | --remote] [--prune] [--quiet] [--url URL] [files…]

Validates content files (YAML front matter + Markdown) with the same schema as the admin API,
then sends them through the site's own admin API in batches (POST /api/batch): the same writer,
validation and side effects (feeds, purges, WebSub) as every other write. Nothing is sent
unless every file is valid. Files whose content the site already holds are skipped (one
request learns what it holds); a replaced article keeps its id and publishedAt.

  files       the content files to publish (default: content/*.md)
  --local     the local dev site (default): http://localhost:${DEFAULT_PORT}, or --url; started with
              wrangler dev for the command when nothing answers there. Token from .dev.vars.
  --remote    the deployed site: SITE_URL (environment, else wrangler.toml) and ADMIN_TOKEN
              (environment)
  --url URL   publish to this origin instead (ADMIN_TOKEN from the environment, else .dev.vars)
  --prune     content/ is the source of truth: delete every stored article that has no file
              in content/, INCLUDING articles sent through the admin API. Needs the whole of
              content/, so it cannot be combined with file names.
  --quiet     print only errors and the summary line
  -h, --help  show this text

Exit status: 0 published, 1 a file is invalid (each problem printed as file: field: message),
2 usage error, 3 the site could not be reached or refused the request.`;

class UsageError extends Error {}

const SPEC = {
  local: { type: "boolean" },
  remote: { type: "boolean" },
  prune: { type: "boolean" },
  quiet: { type: "boolean" },
  url: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function readOptions(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof SPEC; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help" as const;
  if ([values.local, values.remote, values.url !== undefined].filter(Boolean).length > 1) {
    throw new UsageError("choose one of --local, --remote and --url");
  }
  if (values.prune && positionals.length > 0) {
    throw new UsageError(
      "--prune deletes every article without a file, so it takes the whole of content/, not file names",
    );
  }
  return { ...values, files: positionals };
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

async function contentFiles(): Promise<string[]> {
  const dir = join(ROOT, "content");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".md")).sort();
  return names.map((name) => relative(process.cwd(), join(dir, name)));
}

/** SITE_URL as the deployed Worker sees it: the environment, else wrangler.toml's var. */
async function remoteOrigin(): Promise<string> {
  let url = process.env.SITE_URL?.trim();
  if (!url) {
    const { unstable_readConfig } = await import("wrangler");
    const configured = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }).vars.SITE_URL;
    url = typeof configured === "string" ? configured.trim() : "";
  }
  if (!url || !URL.canParse(url))
    throw new UsageError("--remote needs SITE_URL (environment or wrangler.toml) as an absolute URL");
  return new URL(url).origin;
}

function progressLine({ action, slug, file }: PublishProgress): string {
  return `${action.padEnd(9)} ${slug}${file ? `  (${file})` : ""}`;
}

async function main(argv: string[]): Promise<number> {
  let options: Exclude<ReturnType<typeof readOptions>, "help">;
  let files: SourceFile[];
  let target: PublishTarget;
  try {
    const read = readOptions(argv);
    if (read === "help") {
      console.log(HELP);
      return EXIT.ok;
    }
    options = read;
    const paths = options.files.length > 0 ? options.files : await contentFiles();
    if (paths.length === 0 && options.prune)
      throw new UsageError("content/ has no .md files; --prune would delete every article");
    files = await readSources(paths);
    if (options.remote) {
      const token = process.env.ADMIN_TOKEN?.trim();
      if (!token) throw new UsageError("--remote needs ADMIN_TOKEN in the environment");
      target = { origin: await remoteOrigin(), token };
    } else {
      if (options.url !== undefined && !URL.canParse(options.url))
        throw new UsageError(`--url needs an absolute URL, not ${JSON.stringify(options.url)}`);
      const origin = options.url ? new URL(options.url).origin : `http://localhost:${DEFAULT_PORT}`;
      target = { origin, token: process.env.ADMIN_TOKEN?.trim() || localAdminToken((line) => console.error(line)) };
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`publish: ${error.message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { quiet, prune } = options;
  const say = (line: string) => {
    if (!quiet) console.log(line);
  };

  // Locally, the command brings its own dev runtime when none is running, and stops it after.
  const local = !options.remote && !options.url;
  const started =
    local && !(await isUp(target.origin)) ? startWrangler(["dev", "--port", String(DEFAULT_PORT)], "pipe") : null;
  try {
    if (started) {
      say(`starting wrangler dev on ${target.origin} for this run…`);
      await waitUntilUp(target.origin, started);
    }
    const result = await publishContent(target, files, {
      ...(prune ? { prune } : {}),
      onProgress: (p) => say(progressLine(p)),
    });
    if (!result.ok) {
      for (const issue of result.issues) console.error(formatIssue(issue));
      const count = new Set(result.issues.map((i) => i.file)).size;
      console.error(`publish: nothing written; ${result.issues.length} problem(s) in ${count} file(s)`);
      return EXIT.invalid;
    }
    const { counts, batches } = result;
    // Locally the dev runtime may stop right after: wait until the writer has put it all in KV.
    const flushed = batches === 0 || (await waitUntilFlushed(target));
    console.log(
      `publish (${target.origin}): ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ` +
        `${counts.deleted} deleted in ${batches} batch(es)` +
        (flushed ? "" : "; the writer is still flushing (readers see it shortly)"),
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof PublishError) && !(error instanceof RuntimeStartError)) throw error;
    console.error(`publish: ${error.message}`);
    return EXIT.site;
  } finally {
    if (started) await stop(started);
  }
}

process.exitCode = await main(process.argv.slice(2));
