// The publish command's core: content files → the Worker's own admin API, in batches the writer
// applies in one transaction each. Pure over `fetch`, so it runs in Node for the command and in
// workerd for the tests; local or remote is only a different origin.
import { type FieldIssue, parseArticleInput } from "../article/model.ts";
import { sourceHash } from "../article/prepare.ts";
import { parseContentFile } from "./content.ts";

export interface SourceFile {
  /** The path as the publisher named it; errors are reported against it. */
  name: string;
  text: string;
}

export interface FileIssue extends FieldIssue {
  file: string;
}

export type PublishAction = "created" | "updated" | "unchanged" | "deleted";

export interface PublishProgress {
  action: PublishAction;
  slug: string;
  /** Absent for a deleted article: its file is gone. */
  file?: string;
}

export interface PublishTarget {
  /** The site's origin, e.g. http://localhost:8787 or https://news.example. */
  origin: string;
  token: string;
  fetch?: (request: Request) => Promise<Response>;
}

export interface PublishOptions {
  /** Delete stored articles that no file names: the files are the whole truth. */
  prune?: boolean;
  onProgress?: (progress: PublishProgress) => void;
  /** Per batch: at most this many articles and about this many bytes of JSON. */
  batchArticles?: number;
  batchBytes?: number;
  /** Waits between retries of a busy writer (503) or a rate limit (429). */
  retryDelayMs?: number;
}

export type PublishResult =
  | { ok: false; issues: FileIssue[] }
  | { ok: true; counts: Record<PublishAction, number>; batches: number };

/** Anything the site answered that the command cannot go on from (exit 3). */
export class PublishError extends Error {
  override name = "PublishError";
}

/** `content/x.md: field: message`, the line the command prints for each problem. */
export function formatIssue(issue: FileIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

interface Planned {
  file: string;
  slug: string;
  input: Record<string, unknown>;
  source: string;
}

type Stored = Record<string, { source: string; status: string }>;

async function call(target: PublishTarget, path: string, init: RequestInit, retryDelayMs: number): Promise<Response> {
  const send = target.fetch ?? ((request: Request) => fetch(request));
  for (let attempt = 1; ; attempt++) {
    const request = new Request(`${target.origin}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${target.token}`, "Content-Type": "application/json", ...init.headers },
    });
    let response: Response;
    try {
      response = await send(request);
    } catch (error) {
      throw new PublishError(`could not reach ${target.origin}: ${(error as Error).message}`);
    }
    const busy = response.status === 503 || response.status === 429;
    if (busy && attempt < 10 && response.headers.get("Retry-After") !== null) {
      await response.body?.cancel();
      const seconds = Number(response.headers.get("Retry-After"));
      await new Promise((resolve) =>
        setTimeout(resolve, Number.isFinite(seconds) ? Math.min(seconds * 1000, retryDelayMs * attempt) : retryDelayMs),
      );
      continue;
    }
    if (response.status === 401) throw new PublishError(`${target.origin} refused the admin token (401)`);
    if (response.status === 503)
      throw new PublishError(`${target.origin} has the admin API disabled: ${await detail(response)}`);
    return response;
  }
}

async function detail(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { detail?: string }).detail ?? text;
  } catch {
    // Not problem+json (a proxy's error page): show its start.
    return text.slice(0, 200);
  }
}

/** Validates every file, with the same schema as the API; the stored articles say what a replacement keeps. */
async function plan(files: SourceFile[], stored: Stored): Promise<{ issues: FileIssue[]; planned: Planned[] }> {
  const issues: FileIssue[] = [];
  const planned: Planned[] = [];
  const fileOfSlug = new Map<string, string>();
  for (const { name, text } of files) {
    const report = (list: FieldIssue[]) => issues.push(...list.map((issue) => ({ file: name, ...issue })));
    const parsed = parseContentFile(name, text);
    if (!parsed.ok) {
      report(parsed.issues);
      continue;
    }
    const { slug, input } = parsed.value;
    const other = fileOfSlug.get(slug);
    if (other !== undefined) {
      report([{ path: "slug", message: `is also the slug of ${other}` }]);
      continue;
    }
    fileOfSlug.set(slug, name);
    const valid = parseArticleInput(input);
    if (!valid.ok) {
      report(valid.issues);
      continue;
    }
    if (valid.value.publishedAt === undefined && !(slug in stored)) {
      report([{ path: "publishedAt", message: "is required" }]);
      continue;
    }
    planned.push({ file: name, slug, input, source: await sourceHash(valid.value) });
  }
  return { issues, planned };
}

/** Splits what must be sent into batches the API takes: count and bytes both bounded. */
function batchesOf(planned: Planned[], deletions: string[], maxArticles: number, maxBytes: number) {
  const batches: { articles: Record<string, unknown>; delete: string[]; files: Map<string, string> }[] = [];
  let current = { articles: {} as Record<string, unknown>, delete: [] as string[], files: new Map<string, string>() };
  let bytes = 0;
  const full = (size: number) =>
    Object.keys(current.articles).length + current.delete.length >= maxArticles ||
    (bytes > 0 && bytes + size > maxBytes);
  const next = () => {
    batches.push(current);
    current = { articles: {}, delete: [], files: new Map() };
    bytes = 0;
  };
  for (const item of planned) {
    const size = JSON.stringify(item.input).length + item.slug.length + 8;
    if (full(size)) next();
    current.articles[item.slug] = item.input;
    current.files.set(item.slug, item.file);
    bytes += size;
  }
  for (const slug of deletions) {
    if (full(slug.length + 4)) next();
    current.delete.push(slug);
    bytes += slug.length + 4;
  }
  if (Object.keys(current.articles).length + current.delete.length > 0) batches.push(current);
  return batches;
}

/**
 * Publishes `files` to the site: nothing is sent unless every file is valid; files whose input is
 * what the site already holds are skipped; each batch is all or nothing on the writer's side.
 */
export async function publishContent(
  target: PublishTarget,
  files: SourceFile[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const listed = await call(target, "/api/articles", { method: "GET" }, retryDelayMs);
  if (!listed.ok)
    throw new PublishError(`listing the stored articles answered ${listed.status}: ${await detail(listed)}`);
  const stored = ((await listed.json()) as { articles: Stored }).articles;
  const { issues, planned } = await plan(files, stored);
  if (issues.length > 0) return { ok: false, issues };

  const counts: Record<PublishAction, number> = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  const progress = (p: PublishProgress) => {
    counts[p.action]++;
    options.onProgress?.(p);
  };
  const changed: typeof planned = [];
  for (const p of planned) {
    if (stored[p.slug]?.source !== p.source) changed.push(p);
    else progress({ action: "unchanged", slug: p.slug, file: p.file });
  }
  const named = new Set(planned.map((p) => p.slug));
  const deletions = options.prune ? Object.keys(stored).filter((slug) => !named.has(slug)) : [];

  const batches = batchesOf(changed, deletions, options.batchArticles ?? 100, options.batchBytes ?? 4 * 1024 * 1024);
  for (const batch of batches) {
    const response = await call(
      target,
      "/api/batch",
      { method: "POST", body: JSON.stringify({ articles: batch.articles, delete: batch.delete }) },
      retryDelayMs,
    );
    if (response.status === 422) {
      const problem = (await response.json()) as { errors?: FieldIssue[] };
      const issues = (problem.errors ?? []).map((e) => {
        const [, slug = "", ...rest] = e.path.split(".");
        return { file: batch.files.get(slug) ?? slug, path: rest.join("."), message: e.message };
      });
      return { ok: false, issues };
    }
    if (!response.ok) throw new PublishError(`a batch answered ${response.status}: ${await detail(response)}`);
    const { results } = (await response.json()) as { results: { slug: string; action: PublishAction }[] };
    for (const { slug, action } of results) {
      const file = batch.files.get(slug);
      progress(file ? { action, slug, file } : { action, slug });
    }
  }
  return { ok: true, counts, batches: batches.length };
}

/** Waits until the writer has put every change into KV (readers elsewhere see it within a minute). */
export async function waitUntilFlushed(target: PublishTarget, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await call(target, "/api/writer", { method: "GET" }, 1000);
    if (!response.ok) throw new PublishError(`the writer's state answered ${response.status}`);
    const state = (await response.json()) as { dirty: number };
    if (state.dirty === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
