// Turns dirty marks into KV writes: each key at most once per `spacingMs` (KV accepts one write a
// second per key), its value projected at flush time so a burst of changes lands as one write,
// and the last state always lands (a key marked meanwhile stays dirty for the next flush).
import { isoSeconds } from "../article/model.ts";
import { flushRank, tagsForKey } from "../cache/tags.ts";
import type { Logger } from "../store/keys.ts";
import { dirtyKeys, markUnchanged, markWritten } from "./dirty.ts";
import { type Projection, ProjectionMemo, project } from "./values.ts";

/** The slice of the KV API the writer uses. */
export interface KvWriter {
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface FlushOptions {
  now: number;
  spacingMs: number;
  pageSize: number;
  log: Logger;
  /** Writes in flight at once. */
  concurrency?: number;
}

export interface FlushResult {
  written: string[];
  unchanged: number;
  failed: string[];
  /** Cache tags of every value that changed. */
  tags: string[];
  /** When a deferred or failed key may be written (ms), or null when nothing is left. */
  nextAt: number | null;
}

/**
 * The flush's time as a value's change time, to the second. Two writes of one value never share a
 * second (see clockKey), so each change time is new; it never goes back, even if the clock does.
 */
export function nextChanged(previous: string | undefined, now: number): string {
  return isoSeconds(Math.max(Math.floor(now / 1000) * 1000, previous ? Date.parse(previous) : 0));
}

const RETRY_MS = 2_000;

/**
 * The key whose last write decides when `key` may carry a new change time: a scope's head, pages
 * and open archive move together; an article and a full archive on their own. Null: no time.
 */
function clockKey(key: string): string | null {
  const colon = key.indexOf(":");
  const kind = key.slice(0, colon);
  if (kind === "scope" || kind === "items" || kind === "rest") return `scope:${key.slice(colon + 1)}`;
  if (kind === "article" || kind === "archive") return key;
  return null;
}

interface Planned {
  key: string;
  version: number;
  stamp: string;
  value: string | null;
}

async function runLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++] as T);
  });
  await Promise.all(workers);
}

export async function flush(sql: SqlStorage, kv: KvWriter, options: FlushOptions): Promise<FlushResult> {
  const { now, spacingMs, pageSize, log } = options;
  const result: FlushResult = { written: [], unchanged: 0, failed: [], tags: [], nextAt: null };
  const later = (at: number) => {
    result.nextAt = result.nextAt === null ? at : Math.min(result.nextAt, at);
  };

  // Every value is projected before the first await, so all of them show one catalog state.
  const planned: Planned[] = [];
  const dirty = dirtyKeys(sql).sort((a, b) => flushRank(a.key) - flushRank(b.key) || (a.key < b.key ? -1 : 1));
  const writtenAt = new Map(dirty.map((d) => [d.key, d.writtenAt]));
  const lastWrite = (key: string) =>
    writtenAt.get(key) ?? sql.exec<{ at: number }>("SELECT at FROM written WHERE key = ?", key).toArray()[0]?.at ?? 0;
  // All dirty keys flush together, once every one of them may be written: one change is one
  // flush (and one purge), and values that depend on each other (a sitemap on its articles'
  // change times) are projected from the same state.
  const second = Math.floor(now / 1000);
  let waitUntil = 0;
  for (const { key, writtenAt: at } of dirty) {
    if (at > 0 && at + spacingMs > now) waitUntil = Math.max(waitUntil, at + spacingMs);
    // Two change times in one second would read the same to an If-Modified-Since poller.
    const clock = clockKey(key);
    if (clock !== null && Math.floor(lastWrite(clock) / 1000) === second)
      waitUntil = Math.max(waitUntil, (second + 1) * 1000);
  }
  if (waitUntil > now) {
    later(waitUntil);
    return result;
  }
  const memo = new ProjectionMemo();
  for (const { key, version, stamp: lastStamp } of dirty) {
    const projection: Projection = project(sql, key, pageSize, memo);
    if (projection.stamp === lastStamp || (lastStamp === "" && projection.stamp === "none")) {
      markUnchanged(sql, key, version);
      result.unchanged++;
      continue;
    }
    const changed = nextChanged(projection.previousChanged, now);
    if (projection.changedIn) {
      const { table, where, args } = projection.changedIn;
      sql.exec(`UPDATE ${table} SET changed = ? WHERE ${where}`, changed, ...args);
    }
    projection.onWrite?.();
    planned.push({ key, version, stamp: projection.stamp, value: projection.render(changed) });
  }

  // Entries and archives first, then the heads that name them, then the lists.
  const phases = [
    planned.filter((p) => flushRank(p.key) < flushRank("scope:")),
    planned.filter((p) => flushRank(p.key) === flushRank("scope:")),
    planned.filter((p) => flushRank(p.key) > flushRank("scope:")),
  ];
  for (const phase of phases) {
    await runLimited(phase, options.concurrency ?? 6, async (p) => {
      try {
        if (p.value === null) await kv.delete(p.key);
        else await kv.put(p.key, p.value, { metadata: { s: p.stamp } });
      } catch (error) {
        log("a KV write failed; it is retried", { key: p.key, error: String(error) });
        result.failed.push(p.key);
        later(now + RETRY_MS);
        return;
      }
      markWritten(sql, p.key, p.version, now, p.stamp);
      result.written.push(p.key);
      for (const tag of tagsForKey(p.key)) if (!result.tags.includes(tag)) result.tags.push(tag);
    });
  }
  // Keys marked again while the writes were in flight.
  if (dirtyKeys(sql).some((d) => !result.failed.includes(d.key))) later(now + spacingMs);
  return result;
}
