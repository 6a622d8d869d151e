// The publish command's core: content files → validated records → KV, all or nothing.
// Pure (no fs, no processes) so it runs in Node for the command and in workerd for the tests.
import type { Article, FieldIssue } from "../article/model.ts";
import { articleFromInput } from "../article/prepare.ts";
import {
  getArticle,
  type KvLike,
  type Logger,
  listArticleSlugs,
  type RebuildReport,
  rebuildIndexes,
  writeArticleRecord,
} from "../store/kv.ts";
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

export interface PublishOptions {
  /** Delete stored articles that no file names: the files are the whole truth. */
  prune?: boolean;
  onProgress?: (progress: PublishProgress) => void;
  log?: Logger;
  /** The Worker's FEED_PAGE_SIZE: the indexes keep one first page apart (see the store). */
  pageSize?: number;
}

export type PublishResult =
  | { ok: false; issues: FileIssue[] }
  | { ok: true; counts: Record<PublishAction, number>; indexes: RebuildReport };

/** `content/x.md: field: message`, the line the command prints for each problem. */
export function formatIssue(issue: FileIssue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

interface Planned {
  file: string;
  article: Article;
  action: "created" | "updated" | "unchanged";
}

/** Validates every file; on success the record each one becomes, with what changes. */
async function plan(
  kv: KvLike,
  files: SourceFile[],
  log?: Logger,
): Promise<{ issues: FileIssue[]; planned: Planned[] }> {
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
    // The stored record supplies the id and publishedAt a replacement keeps.
    const existing = await getArticle(kv, slug, log);
    const prepared = await articleFromInput(slug, input, existing);
    if (!prepared.ok) {
      report(prepared.issues);
      continue;
    }
    const action = existing === null ? "created" : existing.hash === prepared.value.hash ? "unchanged" : "updated";
    planned.push({ file: name, article: prepared.value, action });
  }
  return { issues, planned };
}

/**
 * Publishes `files` into `kv`: nothing is written unless every file is valid. Changed records
 * are written, unchanged ones (same content hash) skipped, and the indexes brought up to date
 * from the records, so a run also heals indexes a crashed run or a lost update left behind.
 */
export async function publishContent(
  kv: KvLike,
  files: SourceFile[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { issues, planned } = await plan(kv, files, options.log);
  if (issues.length > 0) return { ok: false, issues };

  const counts: Record<PublishAction, number> = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  const progress = (p: PublishProgress) => {
    counts[p.action]++;
    options.onProgress?.(p);
  };
  const fresh: Article[] = [];
  for (const { file, article, action } of planned) {
    if (action !== "unchanged") {
      await writeArticleRecord(kv, article.slug, article);
      fresh.push(article);
    }
    progress({ action, slug: article.slug, file });
  }
  const named = new Set(planned.map((p) => p.article.slug));
  const gone = options.prune ? (await listArticleSlugs(kv)).filter((slug) => !named.has(slug)) : [];
  // Indexes first, records after: no feed ever names a record that is already gone.
  const indexes = await rebuildIndexes(kv, {
    fresh,
    gone,
    ...(options.log ? { log: options.log } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
  for (const slug of gone) {
    await writeArticleRecord(kv, slug, null);
    progress({ action: "deleted", slug });
  }
  return { ok: true, counts, indexes };
}
