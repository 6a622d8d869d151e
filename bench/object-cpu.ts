// The object's CPU per write, in Node (the same V8): prepareWrite and commitWrites as putArticle
// runs them, then the flush that puts the change into KV (a KV that only counts), over the
// writer's SQLite (Node's own SQLite through bench/sql-storage.ts). Every sample is rolled back,
// so each starts from the same store.
import { parseArticleInput } from "../src/article/model.ts";
import { flush } from "../src/writer/flush.ts";
import { commitWrites, prepareWrite } from "../src/writer/writes.ts";
import type { Input } from "./articles.ts";
import { CountingKv } from "./memory-kv.ts";
import { atMost, log, median, quantile, TARGETS, WRITE_LARGE } from "./plan.ts";
import type { NodeStorage } from "./sql-storage.ts";
import { fmtCount, fmtRatio, fmtUs, judged, type Row, row } from "./table.ts";

export interface ObjectCpuFigure {
  stored: number;
  samples: number;
  /** Lower quartiles, µs. */
  prepareUs: number;
  commitUs: number;
  flushUs: number;
  totalUs: number;
  medianTotalUs: number;
  /** What one write's flush puts into KV. */
  kvWrites: number;
  kvBytes: number;
  /** Where one write's time goes, by SQL statement (largest store only). */
  queries?: { query: string; us: number; calls: number }[];
}

const iso = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const noLog = () => {};

/** `sql` with every statement timed into `into`. */
function timedSql(sql: SqlStorage, into: Map<string, { us: number; calls: number }>): SqlStorage {
  return {
    exec(query, ...bindings) {
      const start = performance.now();
      const cursor = sql.exec(query, ...bindings);
      const spent = into.get(query) ?? { us: 0, calls: 0 };
      spent.us += (performance.now() - start) * 1000;
      spent.calls++;
      into.set(query, spent);
      return cursor;
    },
  } as SqlStorage;
}

/** One write of `input`, rolled back; its parts in µs. */
async function writeOnce(storage: DurableObjectStorage, db: NodeStorage, input: Input, kv: CountingKv) {
  const [slug, body] = input;
  const parsed = parseArticleInput(body);
  if (!parsed.ok) throw new Error(`${slug} is invalid`);
  const settings = { now: iso(), pageSize: 20 };
  kv.reset();
  db.db.exec("BEGIN");
  try {
    const t0 = performance.now();
    const prepared = await prepareWrite(storage.sql, slug, parsed.value, settings);
    if (!prepared.ok || prepared.action !== "created") throw new Error(`${slug} was not created`);
    const t1 = performance.now();
    commitWrites(storage, [prepared], [], settings);
    const t2 = performance.now();
    const flushed = await flush(storage.sql, kv, { now: Date.now(), spacingMs: 1_000, pageSize: 20, log: noLog });
    const t3 = performance.now();
    if (flushed.written.length === 0 || flushed.failed.length > 0) throw new Error(`${slug}'s flush wrote nothing`);
    return { prepare: (t1 - t0) * 1000, commit: (t2 - t1) * 1000, flush: (t3 - t2) * 1000 };
  } finally {
    db.db.exec("ROLLBACK");
  }
}

/** Writes of `inputs` (new articles, in turn) against `storage`, for `budgetMs` and 20 at least. */
export async function benchObjectCpu(
  storage: NodeStorage,
  stored: number,
  inputs: Input[],
  budgetMs: number,
): Promise<ObjectCpuFigure> {
  const kv = new CountingKv();
  const pick = (i: number) => inputs[i % inputs.length] as Input;
  for (let i = 0; i < 5; i++) await writeOnce(storage, storage, pick(i), kv);
  const parts: { prepare: number; commit: number; flush: number }[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || parts.length < 20)
    parts.push(await writeOnce(storage, storage, pick(parts.length), kv));
  const totals = parts.map((p) => p.prepare + p.commit + p.flush);
  const lower = (values: number[]) => quantile(values, 0.25);
  const figure: ObjectCpuFigure = {
    stored,
    samples: parts.length,
    prepareUs: lower(parts.map((p) => p.prepare)),
    commitUs: lower(parts.map((p) => p.commit)),
    flushUs: lower(parts.map((p) => p.flush)),
    totalUs: lower(totals),
    medianTotalUs: median(totals),
    kvWrites: kv.puts + kv.deletes,
    kvBytes: kv.bytes,
  };
  if (stored === WRITE_LARGE) {
    const spent = new Map<string, { us: number; calls: number }>();
    const timed = { sql: timedSql(storage.sql, spent), transactionSync: storage.transactionSync.bind(storage) };
    const samples = 5;
    for (let i = 0; i < samples; i++) await writeOnce(timed, storage, pick(i), kv);
    figure.queries = [...spent]
      .map(([query, s]) => ({ query: query.replace(/\s+/g, " ").trim(), us: s.us / samples, calls: s.calls / samples }))
      .sort((a, b) => b.us - a.us)
      .slice(0, 5);
  }
  log(`  object, ${stored} stored: ${fmtUs(figure.totalUs)} per write (${figure.samples} samples)`);
  return figure;
}

const SECTION = "(h) the object's CPU per write in Node: prepareWrite + commitWrites, then the flush (KV only counts)";

export function objectCpuRows(figures: ObjectCpuFigure[]): Row[] {
  const first = figures[0] as ObjectCpuFigure;
  const rows = figures.map((f) => {
    const ratio = f.totalUs / first.totalUs;
    const check = f.stored === WRITE_LARGE && f !== first ? atMost(TARGETS.writeGrowth)(ratio) : null;
    const parts = `prepare ${fmtUs(f.prepareUs)} + commit ${fmtUs(f.commitUs)} + flush ${fmtUs(f.flushUs)}`;
    return row(SECTION, `${fmtCount(f.stored)} stored: ${parts}, ${f.kvWrites} KV writes`, {
      value: fmtUs(f.totalUs),
      reference: `${fmtUs(first.totalUs)} at ${fmtCount(first.stored)}`,
      ratio: fmtRatio(ratio),
      ...judged(check),
    });
  });
  const last = figures.at(-1) as ObjectCpuFigure;
  // Information only: an object is billed by duration and may spend 30 s of CPU on a request.
  rows.push(
    row(SECTION, `${fmtCount(last.stored)} stored, beside the Worker's limit`, {
      value: fmtUs(last.totalUs),
      reference: `${TARGETS.workerCpuMs} ms`,
      ratio: fmtRatio(last.totalUs / 1000 / TARGETS.workerCpuMs),
    }),
  );
  for (const q of last.queries ?? []) {
    const query = q.query.length > 64 ? `${q.query.slice(0, 63)}…` : q.query;
    rows.push(row(SECTION, `  of which ${q.calls.toFixed(0)}× ${query}`, { value: fmtUs(q.us) }));
  }
  return rows;
}
