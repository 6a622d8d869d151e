// What follows a flush, persisted so a restart loses nothing: cache purges (one coalesced call per
// turn, within Cloudflare's rate, retried with backoff, and a second round after KV's 60 s window,
// since a miss in between may have cached an older KV read) and WebSub pings to the hub.
import type { Purger } from "../cache/purger.ts";
import { scopeOfTag } from "../cache/tags.ts";
import { FEED_FILES, type FeedFormat, feedUrl } from "../render/urls.ts";
import { type Logger, scopeTag } from "../store/keys.ts";
import { readMeta, writeMeta } from "./schema.ts";

/** After this, every KV location has the flushed values (KV: within about 60 s). */
export const SECOND_PURGE_MS = 65_000;
/** Tags per purge call, and Cloudflare's purge rate: a burst of 25, then 5 a minute. */
const TAGS_PER_CALL = 100;
const PURGE_BURST = 25;
const PURGE_REFILL_MS = 12_000;
const MAX_BACKOFF_MS = 10 * 60_000;
const PING_ATTEMPTS = 6;

const backoff = (attempts: number) => Math.min(5_000 * 2 ** attempts, MAX_BACKOFF_MS);

/** Queues both purge rounds of `tags`: the first as soon as allowed, the second after KV's window. */
export function queuePurges(sql: SqlStorage, tags: string[], now: number): void {
  for (const tag of tags) {
    sql.exec(
      `INSERT INTO purges (tag, round, due, attempts) VALUES (?, 1, ?, 0)
       ON CONFLICT (tag, round) DO UPDATE SET due = MIN(due, excluded.due)`,
      tag,
      now,
    );
    sql.exec(
      `INSERT INTO purges (tag, round, due, attempts) VALUES (?, 2, ?, 0)
       ON CONFLICT (tag, round) DO UPDATE SET due = excluded.due, attempts = 0`,
      tag,
      now + SECOND_PURGE_MS,
    );
  }
}

function takeToken(sql: SqlStorage, now: number): boolean {
  const tokens = Number(readMeta(sql, "purge_tokens") ?? PURGE_BURST);
  const since = Number(readMeta(sql, "purge_refilled") ?? now);
  const refilled = Math.min(PURGE_BURST, tokens + (now - since) / PURGE_REFILL_MS);
  writeMeta(sql, "purge_refilled", String(now));
  if (refilled < 1) {
    writeMeta(sql, "purge_tokens", String(refilled));
    return false;
  }
  writeMeta(sql, "purge_tokens", String(refilled - 1));
  return true;
}

export interface PurgeRun {
  calls: number;
  /** Tags purged in this run (either round), for the hub. */
  purged: string[];
  /** When the next purge is due (ms), or null. */
  nextAt: number | null;
}

/** Sends the due purges, as few calls as the tags allow; failures stay queued with backoff. */
export async function runPurges(sql: SqlStorage, purger: Purger, now: number, log: Logger): Promise<PurgeRun> {
  const run: PurgeRun = { calls: 0, purged: [], nextAt: null };
  for (;;) {
    const due = sql
      .exec<{ tag: string; round: number; attempts: number }>(
        "SELECT tag, round, attempts FROM purges WHERE due <= ? ORDER BY due, tag LIMIT ?",
        now,
        TAGS_PER_CALL * 2,
      )
      .toArray();
    if (due.length === 0) break;
    const tags = [...new Set(due.map((d) => d.tag))].slice(0, TAGS_PER_CALL);
    const batch = due.filter((d) => tags.includes(d.tag));
    if (!takeToken(sql, now)) {
      run.nextAt = now + PURGE_REFILL_MS;
      return run;
    }
    run.calls++;
    let failure: string | null = null;
    try {
      const outcome = await purger.purge(tags);
      if (!outcome.success) failure = JSON.stringify(outcome.errors);
    } catch (error) {
      failure = String(error);
    }
    for (const { tag, round, attempts } of batch) {
      if (failure === null) sql.exec("DELETE FROM purges WHERE tag = ? AND round = ?", tag, round);
      else {
        sql.exec(
          "UPDATE purges SET attempts = ?, due = ? WHERE tag = ? AND round = ?",
          attempts + 1,
          now + backoff(attempts),
          tag,
          round,
        );
      }
    }
    if (failure !== null) {
      log("cache purge failed; retrying with backoff", { tags: tags.length, failure });
      break;
    }
    run.purged.push(...tags);
  }
  const next = sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM purges").one().due;
  run.nextAt = next;
  return run;
}

/** The feed URLs a hub should fetch after `tags` were purged: page 1 of each scope, each format. */
export function feedUrlsForTags(origin: string, tags: string[]): string[] {
  const urls: string[] = [];
  for (const tag of tags) {
    const scope = scopeOfTag(tag);
    if (scope === null) continue;
    for (const format of Object.keys(FEED_FILES) as FeedFormat[]) urls.push(feedUrl(origin, scopeTag(scope), format));
  }
  return urls;
}

export function queuePings(sql: SqlStorage, urls: string[], now: number): void {
  for (const url of urls) {
    sql.exec(
      "INSERT INTO pings (url, due, attempts) VALUES (?, ?, 0) ON CONFLICT (url) DO UPDATE SET due = MIN(due, excluded.due)",
      url,
      now,
    );
  }
}

/** WebSub §7 publish pings for the due URLs; a hub that refuses (4xx but 429) is not asked again. */
export async function runPings(
  sql: SqlStorage,
  hub: string | null,
  now: number,
  log: Logger,
  send: typeof fetch = fetch,
): Promise<number | null> {
  const due = sql
    .exec<{ url: string; attempts: number }>("SELECT url, attempts FROM pings WHERE due <= ? ORDER BY url", now)
    .toArray();
  if (!hub) {
    sql.exec("DELETE FROM pings");
    return null;
  }
  await Promise.all(
    due.map(async ({ url, attempts }) => {
      let retry = true;
      try {
        const response = await send(hub, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ "hub.mode": "publish", "hub.url": url }),
        });
        await response.body?.cancel();
        if (response.ok) retry = false;
        else {
          log("WebSub hub refused a ping", { hub, url, status: response.status, attempt: attempts + 1 });
          if (response.status >= 400 && response.status < 500 && response.status !== 429) retry = false;
        }
      } catch (error) {
        log("WebSub hub unreachable", { hub, url, attempt: attempts + 1, error: String(error) });
      }
      if (!retry || attempts + 1 >= PING_ATTEMPTS) sql.exec("DELETE FROM pings WHERE url = ?", url);
      else sql.exec("UPDATE pings SET attempts = ?, due = ? WHERE url = ?", attempts + 1, now + backoff(attempts), url);
    }),
  );
  return sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM pings").one().due;
}
