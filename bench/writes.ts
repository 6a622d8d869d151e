// The write figures against the running Worker: one PUT's latency with stores of every size, a
// 1,000-article batch publish, and 16 concurrent writers.
import { type Input, newInputs, seedSizedInputs } from "./articles.ts";
import { admin, waitForFlush } from "./http.ts";
import type { WriteJob } from "./load.ts";
import type { LoadGenerator } from "./load-generator.ts";
import { ADMIN_TOKEN, atMost, BATCH_SIZE, BATCHES, log, median, PLAN, quantile, TARGETS, WRITE_LARGE } from "./plan.ts";
import type { AppSpec, Runtime } from "./runtime.ts";
import { fmtCount, fmtMs, fmtRatio, judged, type Row, row } from "./table.ts";

export const writeStoreName = (count: number) => `w${count}`;

/** Every Worker the write figures use, each hosting its own writer and store. */
export function writeApps(): AppSpec[] {
  const own = (name: string): AppSpec => ({ name, store: name, pageSize: 20, warm: true });
  return [...PLAN.writeStores.map((n) => own(writeStoreName(n))), own("batch"), own("writers")];
}

/** PUTs before the timed ones: the object's first start and the JIT. */
const WARM_PUTS = 5;

export interface PutLatency {
  stored: number;
  puts: number;
  p50: number;
  p99: number;
  mean: number;
  /** How long the writer took to put the last of them into KV, after the last answer. */
  settleMs: number;
}

/** Sequential PUTs of new articles, each awaited (201), as a publishing script sends them. */
export async function benchPutLatency(runtime: Runtime, stored: number): Promise<PutLatency> {
  const base = runtime.url(writeStoreName(stored));
  const latencies: number[] = [];
  for (const [k, [slug, input]] of newInputs(`put-${stored}`, PLAN.puts + WARM_PUTS).entries()) {
    const start = performance.now();
    const response = await admin(base, "PUT", `/api/articles/${slug}`, input);
    const text = await response.text();
    if (response.status !== 201) throw new Error(`PUT ${slug} at ${stored} stored: ${response.status} ${text}`);
    if (k >= WARM_PUTS) latencies.push(performance.now() - start);
  }
  // The next figure should not share workerd with this writer's flush.
  const settleMs = await waitForFlush(base);
  const figure = {
    stored,
    puts: latencies.length,
    p50: median(latencies),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    settleMs,
  };
  log(`  PUT at ${stored} stored: p50 ${figure.p50.toFixed(1)} ms, p99 ${figure.p99.toFixed(1)} ms`);
  return figure;
}

export interface BatchFigure {
  articles: number;
  batches: number;
  /** From the first request to the last batch's answer. */
  acknowledgedMs: number;
  /** From the first request until the writer reports nothing left to write (`dirty: 0`). */
  inKvMs: number;
  perSecond: number;
  errors: string[];
}

/** 10 batches of 100 seed-sized articles into an empty store, until every value is in KV. */
export async function benchBatch(runtime: Runtime): Promise<BatchFigure> {
  const base = runtime.url("batch");
  const inputs = seedSizedInputs(BATCHES * BATCH_SIZE);
  const errors: string[] = [];
  const started = performance.now();
  for (let start = 0; start < inputs.length; start += BATCH_SIZE) {
    const response = await admin(base, "POST", "/api/batch", {
      articles: Object.fromEntries(inputs.slice(start, start + BATCH_SIZE)),
    });
    const text = await response.text();
    if (response.status !== 200)
      errors.push(`batch ${start / BATCH_SIZE + 1}: ${response.status} ${text.slice(0, 200)}`);
  }
  const acknowledgedMs = performance.now() - started;
  await waitForFlush(base, 600_000, 50);
  const inKvMs = performance.now() - started;
  const figure = {
    articles: inputs.length,
    batches: BATCHES,
    acknowledgedMs,
    inKvMs,
    perSecond: inputs.length / (inKvMs / 1000),
    errors,
  };
  log(`  batch publish: ${figure.articles} in KV after ${(inKvMs / 1000).toFixed(1)} s, ${errors.length} errors`);
  return figure;
}

export interface WritersFigure {
  writers: number;
  requests: number;
  wallMs: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  /** Non-2xx answers and requests that got none. */
  errors: number;
  failures: string[];
  /** After the last answer, until every change was in KV. */
  settleMs: number;
}

const SHARED = 8;

/**
 * Creates of distinct slugs, replaces of slugs created earlier in the list, and one request in
 * four replacing one of 8 slugs every writer shares, taken in order by whichever writer is free.
 */
function writerJobs(count: number): WriteJob[] {
  const fresh = newInputs("writer", count);
  const put = ([slug, input]: Input, version: number): WriteJob => ({
    method: "PUT",
    path: `/api/articles/${slug}`,
    body: JSON.stringify({ ...input, title: `${String(input.title)} v${version}` }),
  });
  return fresh.map((entry, k) => {
    if (k % 4 === 2) return put([`shared-${(k >> 2) % SHARED}`, (entry as Input)[1]], k);
    if (k % 4 === 3) return put(fresh[k - 3] as Input, k);
    return put(entry as Input, k);
  });
}

export async function benchWriters(runtime: Runtime, load: LoadGenerator): Promise<WritersFigure> {
  const base = runtime.url("writers");
  const headers = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };
  const jobs = writerJobs(PLAN.writerRequests);
  const result = await load.writers(base, headers, jobs, PLAN.writers);
  const settleMs = await waitForFlush(base);
  const bad = Object.entries(result.statuses).filter(([status]) => !status.startsWith("2"));
  const errors = bad.reduce((n, [, count]) => n + count, 0) + result.failures.length;
  const figure = {
    writers: PLAN.writers,
    requests: jobs.length,
    wallMs: result.wallMs,
    perSecond: jobs.length / (result.wallMs / 1000),
    p50: median(result.latencies),
    p99: quantile(result.latencies, 0.99),
    statuses: result.statuses,
    errors,
    failures: result.failures.slice(0, 10),
    settleMs,
  };
  log(
    `  ${PLAN.writers} writers: ${figure.perSecond.toFixed(0)} writes/s, p99 ${figure.p99.toFixed(1)} ms, ${errors} errors`,
  );
  return figure;
}

export function writeRows(puts: PutLatency[], batch: BatchFigure, writers: WritersFigure): Row[] {
  const section = "(g) one write against the running Worker: a new article's PUT, sequential, until its 201";
  const first = puts[0] as PutLatency;
  const rows = puts.map((p) => {
    const ratio = p.p50 / first.p50;
    const check = p.stored === WRITE_LARGE && p !== first ? atMost(TARGETS.writeGrowth)(ratio) : null;
    return row(section, `PUT, ${fmtCount(p.stored)} stored (p50 of ${p.puts})`, {
      value: fmtMs(p.p50),
      reference: `${fmtMs(first.p50)} at ${fmtCount(first.stored)}`,
      ratio: fmtRatio(ratio),
      latency: `p50 ${p.p50.toFixed(1)} / p99 ${p.p99.toFixed(1)}`,
      ...judged(check),
    });
  });
  const zero = (errors: number) => ({ target: `${TARGETS.writerErrors} errors`, pass: errors <= TARGETS.writerErrors });
  rows.push(
    row(
      "(i) a batch publish: POST /api/batch into an empty store, until the writer reports dirty: 0",
      `${fmtCount(batch.articles)} articles in ${batch.batches} batches of ${BATCH_SIZE}`,
      {
        value: `${batch.perSecond.toFixed(0)} articles/s`,
        reference: `answered in ${fmtMs(batch.acknowledgedMs)}, in KV after ${fmtMs(batch.inKvMs)}`,
        ...judged(zero(batch.errors.length)),
      },
    ),
    row(
      "(j) concurrent writers: separate connections, PUTs of new, own and shared slugs",
      `${writers.writers} writers, ${fmtCount(writers.requests)} PUTs: ${writers.errors} errors`,
      {
        value: `${writers.perSecond.toFixed(0)} writes/s`,
        reference: `in KV ${fmtMs(writers.settleMs)} after the last`,
        latency: `p50 ${writers.p50.toFixed(1)} / p99 ${writers.p99.toFixed(1)}`,
        ...judged(zero(writers.errors)),
      },
    ),
  );
  return rows;
}
