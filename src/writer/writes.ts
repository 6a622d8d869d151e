// The writer's operations as plain functions over its SQLite: validated input in, catalog
// changed, KV keys marked dirty. Each runs whole or not at all (one transaction).
import {
  type Article,
  type ArticleInput,
  type ArticleStatus,
  type FieldIssue,
  parseArticleInput,
} from "../article/model.ts";
import { prepareArticle, sourceHash } from "../article/prepare.ts";
import {
  applyChange,
  dueArticles,
  generationOf,
  type NextState,
  readArticleRow,
  readRecord,
  visibleAt,
} from "./catalog.ts";

export interface WriteSettings {
  now: string;
  pageSize: number;
}

export type PutOutcome =
  | { ok: true; action: "created" | "updated" | "unchanged"; status: ArticleStatus; article: Article }
  | { ok: false; issues: FieldIssue[] };

/** A validated write, ready to commit; `changed` is the stored article's change time, if any. */
export interface ReadyWrite {
  ok: true;
  slug: string;
  next: NextState;
  action: "created" | "updated" | "unchanged";
  changed: string | null;
}

export type Prepared = ReadyWrite | { ok: false; issues: FieldIssue[] };

/** Where an article stands at `now`: a draft, scheduled until its later date, or public. */
export function statusOf(record: Article, draft: boolean | undefined, now: string): ArticleStatus {
  if (draft) return "draft";
  return visibleAt(record) > now ? "scheduled" : "public";
}

/**
 * Builds the new state of `slug` from what a publisher sent: validated and its Markdown rendered
 * here, once, where the CPU limit is 30 s rather than a Worker's 10 ms.
 */
export async function prepareWrite(
  sql: SqlStorage,
  slug: string,
  body: unknown,
  settings: WriteSettings,
): Promise<Prepared> {
  const parsed = parseArticleInput(body);
  if (!parsed.ok) return parsed;
  const input: ArticleInput = parsed.value;
  const row = readArticleRow(sql, slug);
  const existing = row ? readRecord(sql, slug) : null;
  const prepared = await prepareArticle(slug, input, existing, {
    generation: generationOf(sql, slug),
    now: settings.now,
  });
  if (!prepared.ok) return prepared;
  const record = prepared.value;
  const status = statusOf(record, input.draft, settings.now);
  const source = await sourceHash(input);
  // The same record in the same state: nothing any reader sees changes, whatever the input's form.
  const same = row !== null && row.hash === record.hash && row.status === status;
  const action = row === null ? "created" : same ? "unchanged" : "updated";
  return { ok: true, slug, next: { record, status, source }, action, changed: row?.changed ?? null };
}

/** Applies prepared writes (and deletions) in one transaction. */
export function commitWrites(
  storage: DurableObjectStorage,
  writes: ReadyWrite[],
  deletions: string[],
  settings: WriteSettings,
): void {
  storage.transactionSync(() => {
    for (const write of writes) {
      if (write.action !== "unchanged") applyChange(storage.sql, write.slug, write.next, settings);
      else storage.sql.exec("UPDATE articles SET source = ? WHERE slug = ?", write.next.source, write.slug);
    }
    for (const slug of deletions) applyChange(storage.sql, slug, null, settings);
  });
}

/** Publishes the scheduled articles whose time has come, with every side effect of a publish. */
export function publishDue(storage: DurableObjectStorage, settings: WriteSettings): string[] {
  const due = dueArticles(storage.sql, settings.now);
  storage.transactionSync(() => {
    for (const slug of due) {
      const row = readArticleRow(storage.sql, slug);
      const record = readRecord(storage.sql, slug);
      if (!row || !record) continue;
      applyChange(storage.sql, slug, { record, status: "public", source: row.source }, settings);
    }
  });
  return due;
}

export const articleExists = (sql: SqlStorage, slug: string) => readArticleRow(sql, slug) !== null;

/** An article as the admin sees it, drafts and scheduled ones included. */
export function readForAdmin(sql: SqlStorage, slug: string): { article: Article; status: ArticleStatus } | null {
  const row = readArticleRow(sql, slug);
  const article = row ? readRecord(sql, slug) : null;
  if (!row || !article) return null;
  return { article: { ...article, changedAt: row.changed }, status: row.status };
}

/** Every stored article's input hash and status: what the publish command compares. */
export function listSources(sql: SqlStorage): Record<string, { source: string; status: ArticleStatus }> {
  const out: Record<string, { source: string; status: ArticleStatus }> = {};
  for (const row of sql.exec<{ slug: string; source: string; status: ArticleStatus }>(
    "SELECT slug, source, status FROM articles ORDER BY slug",
  )) {
    out[row.slug] = { source: row.source, status: row.status };
  }
  return out;
}
