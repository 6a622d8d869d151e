// The one writer: a SQLite-backed Durable Object, one per site, that owns the index of record and
// is the only code that writes KV. Thin RPC methods and an alarm over plain functions.
import { DurableObject } from "cloudflare:workers";
import { isoSeconds } from "../article/model.ts";
import type { Purger } from "../cache/purger.ts";
import { siteConfig } from "../site.ts";
import { consoleLogger } from "../store/keys.ts";
import { adoptionState, adoptStep, type VerifyReport, verifyStore } from "./adopt.ts";
import { expireTombstones, nextScheduled, nextTombstoneExpiry } from "./catalog.ts";
import { countDirty } from "./dirty.ts";
import { feedUrlsForTags, queuePings, queuePurges, runPings, runPurges } from "./effects.ts";
import { flush } from "./flush.ts";
import { migrate, readMeta, writeMeta } from "./schema.ts";
import {
  articleExists,
  commitWrites,
  listSources,
  type PutOutcome,
  prepareWrite,
  publishDue,
  type ReadyWrite,
  readForAdmin,
} from "./writes.ts";

/** A write refused because the store is still being adopted; the caller should retry shortly. */
export interface Adopting {
  ok: false;
  adopting: true;
}

export type BatchOutcome =
  | { ok: true; results: { slug: string; action: "created" | "updated" | "unchanged" | "deleted" }[] }
  | { ok: false; issues: { slug: string; path: string; message: string }[] };

/** What the writer needs to announce a change: the site's origin and its WebSub hub. */
export interface SiteAddress {
  origin: string;
  hub: string | null;
}

export interface WriterState {
  dirty: number;
  purges: { tag: string; round: number; due: number; attempts: number }[];
  pings: { url: string; due: number; attempts: number }[];
  adoption: string;
  alarm: number | null;
}

export class Newsroom extends DurableObject<Env> {
  /** Where purges go: the Worker's default entrypoint, whose cache they are. Tests swap in a recorder. */
  purger: Purger;
  #working = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const exports = ctx.exports as unknown as { default: Purger & { purgeCache: Purger["purge"] } };
    this.purger = { purge: (tags) => exports.default.purgeCache(tags) };
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  get #settings() {
    const config = siteConfig(this.env);
    return { now: isoSeconds(Date.now()), pageSize: config.pageSize, spacingMs: config.kvWriteIntervalMs };
  }

  /** Writes wait for adoption of an old store; a fresh store is known at the first probe. */
  async #ready(): Promise<boolean> {
    if (adoptionState(this.ctx.storage.sql) === "done") return true;
    const step = await adoptStep(this.ctx.storage, this.env.ARTICLES, this.#settings, consoleLogger);
    if (step.state !== "done") await this.#wake(Date.now());
    return step.state === "done";
  }

  async #wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Where feeds live and which hub to ping, as the Worker that sent the change knows them. */
  #remember(site: SiteAddress): void {
    const sql = this.ctx.storage.sql;
    if (readMeta(sql, "origin") !== site.origin) writeMeta(sql, "origin", site.origin);
    if (readMeta(sql, "hub") !== (site.hub ?? "")) writeMeta(sql, "hub", site.hub ?? "");
  }

  /** `input` as the publisher sent it: the writer validates it (every problem named by field). */
  async putArticle(slug: string, input: unknown, site: SiteAddress): Promise<PutOutcome | Adopting> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (!(await this.#ready())) return { ok: false, adopting: true } as const;
      this.#remember(site);
      const settings = this.#settings;
      const prepared = await prepareWrite(this.ctx.storage.sql, slug, input, settings);
      if (!prepared.ok) return prepared;
      commitWrites(this.ctx.storage, [prepared], [], settings);
      await this.#wake(Date.now());
      const { record, status } = prepared.next;
      // A change's time is the flush's; an unchanged article keeps the one it has.
      const changedAt = prepared.action === "unchanged" ? prepared.changed : null;
      return { ok: true, action: prepared.action, status, article: changedAt ? { ...record, changedAt } : record };
    });
  }

  async deleteArticle(slug: string, site: SiteAddress): Promise<{ ok: true; deleted: boolean } | Adopting> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (!(await this.#ready())) return { ok: false, adopting: true } as const;
      this.#remember(site);
      if (!articleExists(this.ctx.storage.sql, slug)) return { ok: true, deleted: false } as const;
      commitWrites(this.ctx.storage, [], [slug], this.#settings);
      await this.#wake(Date.now());
      return { ok: true, deleted: true } as const;
    });
  }

  /** Creates, replaces and deletes many articles in one transaction: all of them, or none. */
  async applyBatch(
    puts: [slug: string, input: unknown][],
    deletions: string[],
    site: SiteAddress,
  ): Promise<BatchOutcome | Adopting> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (!(await this.#ready())) return { ok: false, adopting: true } as const;
      this.#remember(site);
      const settings = this.#settings;
      const sql = this.ctx.storage.sql;
      const prepared: ReadyWrite[] = [];
      const issues: { slug: string; path: string; message: string }[] = [];
      for (const [slug, input] of puts) {
        const write = await prepareWrite(sql, slug, input, settings);
        if (write.ok) prepared.push(write);
        else issues.push(...write.issues.map((issue) => ({ slug, ...issue })));
      }
      if (issues.length > 0) return { ok: false, issues } as const;
      const gone = deletions.filter((slug) => articleExists(sql, slug));
      commitWrites(this.ctx.storage, prepared, gone, settings);
      await this.#wake(Date.now());
      const results = [
        ...prepared.map((p) => ({ slug: p.slug, action: p.action })),
        ...gone.map((slug) => ({ slug, action: "deleted" as const })),
      ];
      return { ok: true, results } as const;
    });
  }

  async readArticle(slug: string) {
    return readForAdmin(this.ctx.storage.sql, slug);
  }

  async listSources() {
    return listSources(this.ctx.storage.sql);
  }

  /** Rewrites whatever KV holds that the catalog disagrees with (and nothing else). */
  async verify(): Promise<VerifyReport | Adopting> {
    if (!(await this.#ready())) return { ok: false, adopting: true };
    const report = await verifyStore(this.ctx.storage, this.env.ARTICLES);
    await this.#wake(Date.now());
    return report;
  }

  async state(): Promise<WriterState> {
    const sql = this.ctx.storage.sql;
    return {
      dirty: countDirty(sql),
      purges: sql
        .exec<{ tag: string; round: number; due: number; attempts: number }>(
          "SELECT tag, round, due, attempts FROM purges ORDER BY round, tag",
        )
        .toArray(),
      pings: sql
        .exec<{ url: string; due: number; attempts: number }>("SELECT url, due, attempts FROM pings ORDER BY url")
        .toArray(),
      adoption: adoptionState(sql),
      alarm: await this.ctx.storage.getAlarm(),
    };
  }

  /** The cron's call: starts adoption of an old store and makes sure pending work is scheduled. */
  async tick(): Promise<void> {
    await this.#ready();
    await this.#wake(Date.now());
  }

  override async alarm(): Promise<void> {
    // One turn at a time; an alarm that arrives during one comes back shortly.
    if (this.#working) return this.#wake(Date.now() + 250);
    this.#working = true;
    try {
      await this.#work();
    } catch (error) {
      consoleLogger("the writer's turn failed; retrying", { error: String(error) });
      await this.#wake(Date.now() + 5_000);
    } finally {
      this.#working = false;
    }
  }

  async #work(): Promise<void> {
    const { storage } = this.ctx;
    const sql = storage.sql;
    const settings = this.#settings;
    if (adoptionState(sql) !== "done") {
      const step = await adoptStep(storage, this.env.ARTICLES, settings, consoleLogger);
      if (step.state !== "done") return this.#wake(Date.now());
    }
    publishDue(storage, settings);
    expireTombstones(sql, settings.now);
    const now = Date.now();
    const flushed = await flush(sql, this.env.ARTICLES, {
      now,
      spacingMs: settings.spacingMs,
      pageSize: settings.pageSize,
      log: consoleLogger,
    });
    queuePurges(sql, flushed.tags, now);
    const purges = await runPurges(sql, this.purger, Date.now(), consoleLogger);
    const origin = readMeta(sql, "origin");
    const hub = readMeta(sql, "hub") || null;
    if (hub && origin) queuePings(sql, feedUrlsForTags(origin, purges.purged), Date.now());
    const pingsAt = await runPings(sql, hub, Date.now(), consoleLogger);
    const scheduled = nextScheduled(sql);
    const next = [
      flushed.nextAt,
      purges.nextAt,
      pingsAt,
      scheduled ? Date.parse(scheduled) : null,
      nextTombstoneExpiry(sql),
    ]
      .filter((at): at is number => at !== null)
      .reduce((min, at) => Math.min(min, at), Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) await this.#wake(Math.max(next, Date.now()));
  }
}
