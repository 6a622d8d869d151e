// The read figures against the running Worker: polls, uncached renders, growth with the store, and
// the floors, each side by side with the baseline Worker answering the same bytes (A B A B).
import { mirrorInBaseline, rawGet } from "./http.ts";
import type { LoadResult } from "./load.ts";
import type { LoadGenerator } from "./load-generator.ts";
import {
  ACCEPT,
  atLeast,
  atMost,
  type Check,
  FILES,
  FORMATS,
  LARGE,
  log,
  MID,
  median,
  PLAN,
  SMALL,
  TARGETS,
} from "./plan.ts";
import type { AppSpec, Runtime } from "./runtime.ts";
import { fmtRatio, fmtRps, judged, type Row, row } from "./table.ts";

/** The store a figure reads: `s<count>`, written with the Worker's page size (20) unless given. */
export const storeName = (count: number, pageSize = 20) => (pageSize === 20 ? `s${count}` : `s${count}p${pageSize}`);
export const writerOf = (store: string) => `writer-${store}`;

/** Every Worker the read figures use: each store's writer, and the configurations reading them. */
export function readApps(): AppSpec[] {
  const stores = [...PLAN.stores.map((n) => ({ count: n, pageSize: 20 })), { count: MID, pageSize: 100 }];
  const reader = (name: string, count: number, pageSize: number, warm: boolean, counting = false): AppSpec => {
    const store = storeName(count, pageSize);
    return { name, store, pageSize, warm, writer: writerOf(store), counting };
  };
  return [
    ...stores.map(({ count, pageSize }) => {
      const store = storeName(count, pageSize);
      return { name: writerOf(store), store, pageSize, warm: true };
    }),
    reader("poll", LARGE, 20, true),
    ...PLAN.stores.map((n) => reader(`uncached-${n}-20`, n, 20, false)),
    reader(`uncached-${MID}-100`, MID, 100, false),
    ...[SMALL, LARGE].flatMap((n) => [
      reader(`count-${n}-off`, n, 20, false, true),
      reader(`count-${n}-on`, n, 20, true, true),
    ]),
  ];
}

interface Side {
  rps: number;
  p50: number;
  p99: number;
}

export interface LoadFigure {
  id: string;
  group: "poll" | "uncached" | "floor";
  label: string;
  status: number;
  bytes: number;
  subject: Side;
  baseline: Side;
  /** Median over A B pairs of subject rps / baseline rps. */
  ratio: number;
  runs: { subject: LoadResult; baseline: LoadResult }[];
  check: Check;
}

interface FigureSpec {
  id: string;
  group: LoadFigure["group"];
  label: string;
  worker: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  /** KV reads the baseline makes first: the floor for a Worker that must make them. */
  floor?: { store: string; keys: string[] };
  check: (ratio: number) => Check;
}

const summarise = (runs: LoadResult[]): Side => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
});

function expectOnly(result: LoadResult, status: number, what: string): void {
  const wanted = `${Math.floor(status / 100)}xx`;
  const other = Object.entries(result.statuses).filter(([k]) => k !== wanted);
  if (other.length > 0 || result.errors > 0 || result.timeouts > 0 || !result.statuses[wanted]) {
    throw new Error(`${what}: expected only ${status} answers, got ${JSON.stringify(result)}`);
  }
}

/** One figure: the subject's response copied into the baseline, then both loaded in turn, A B A B. */
async function measure(runtime: Runtime, load: LoadGenerator, spec: FigureSpec): Promise<LoadFigure> {
  const url = new URL(spec.path, runtime.url(spec.worker));
  const headers = { ...ACCEPT, ...spec.headers };
  const sample = await rawGet(url, headers);
  if (sample.status !== spec.status)
    throw new Error(`${spec.id}: ${spec.path} answered ${sample.status}, expected ${spec.status}`);
  const baselineUrl = runtime.url("baseline");
  await mirrorInBaseline(baselineUrl, sample, spec.floor);
  // autocannon runs a second at least: warm both up with a few plain requests instead.
  for (let i = 0; i < PLAN.warmup; i++) await Promise.all([rawGet(baselineUrl, ACCEPT), rawGet(url, headers)]);
  const runs: LoadFigure["runs"] = [];
  for (let i = 0; i < PLAN.pairs; i++) {
    const baseline = await load.load(baselineUrl, ACCEPT, PLAN.connections, PLAN.duration);
    const subject = await load.load(url, headers, PLAN.connections, PLAN.duration);
    expectOnly(baseline, spec.status, `${spec.id} baseline`);
    expectOnly(subject, spec.status, spec.id);
    runs.push({ subject, baseline });
  }
  const ratio = median(runs.map((r) => r.subject.rps / r.baseline.rps));
  const subject = summarise(runs.map((r) => r.subject));
  const baseline = summarise(runs.map((r) => r.baseline));
  log(`  ${spec.id}: ${subject.rps.toFixed(0)} vs ${baseline.rps.toFixed(0)} req/s = ${ratio.toFixed(2)}×`);
  const { id, group, label, status } = spec;
  return {
    id,
    group,
    label,
    status,
    bytes: sample.body.length,
    subject,
    baseline,
    ratio,
    runs,
    check: spec.check(ratio),
  };
}

const noTarget = (): Check => null;

/** The KV keys one request of `worker` reads (its counting twin tells). */
export type KeysRead = (worker: string, path: string, headers?: Record<string, string>) => Promise<string[]>;

export async function benchReads(runtime: Runtime, load: LoadGenerator, keysRead: KeysRead): Promise<LoadFigure[]> {
  const figures: LoadFigure[] = [];
  const poll = atLeast(TARGETS.pollRatio);
  for (const format of FORMATS) {
    const path = `/${FILES[format]}`;
    const etag = (await rawGet(new URL(path, runtime.url("poll")), ACCEPT)).headers.etag ?? "";
    const conditional = { "If-None-Match": etag };
    const common = { group: "poll" as const, worker: "poll", path, check: poll };
    figures.push(
      await measure(runtime, load, {
        ...common,
        id: `poll-304-${format}`,
        label: `${format}: 304 (If-None-Match)`,
        headers: conditional,
        status: 304,
      }),
      await measure(runtime, load, {
        ...common,
        id: `poll-repeat-${format}`,
        label: `${format}: repeat GET (isolate memory)`,
        status: 200,
      }),
    );
  }
  for (const format of FORMATS) {
    for (const stored of PLAN.stores) {
      if (stored !== SMALL && !PLAN.scaleFormats.includes(format)) continue;
      figures.push(
        await measure(runtime, load, {
          id: `uncached-20-${format}-${stored}`,
          group: "uncached",
          label: `${format}: 20 items, ${stored} stored`,
          worker: `uncached-${stored}-20`,
          path: `/${FILES[format]}`,
          status: 200,
          check: atLeast(TARGETS.uncachedRatio),
        }),
      );
    }
    if (!PLAN.wideFormats.includes(format)) continue;
    figures.push(
      await measure(runtime, load, {
        id: `uncached-100-${format}-${MID}`,
        group: "uncached",
        label: `${format}: 100 items, ${MID} stored`,
        worker: `uncached-${MID}-100`,
        path: `/${FILES[format]}`,
        status: 200,
        check: noTarget,
      }),
    );
  }
  // The same RSS requests against a baseline that first makes the Worker's own KV reads: how
  // much of each gap is the local KV simulator, and how much is the Worker.
  const rssEtag = (await rawGet(new URL("/rss.xml", runtime.url("poll")), ACCEPT)).headers.etag ?? "";
  const pollKeys = await keysRead(`count-${LARGE}-on`, "/rss.xml", { "If-None-Match": rssEtag });
  figures.push(
    await measure(runtime, load, {
      id: "floor-304-rss",
      group: "floor",
      label: `rss: 304, ${LARGE} stored, vs baseline + ${pollKeys.length} KV read(s)`,
      worker: "poll",
      path: "/rss.xml",
      headers: { "If-None-Match": rssEtag },
      status: 304,
      floor: { store: storeName(LARGE), keys: pollKeys },
      check: noTarget,
    }),
  );
  for (const stored of [SMALL, LARGE]) {
    const keys = await keysRead(`count-${stored}-off`, "/rss.xml");
    figures.push(
      await measure(runtime, load, {
        id: `floor-uncached-rss-${stored}`,
        group: "floor",
        label: `rss: 20 items uncached, ${stored} stored, vs baseline + ${keys.length} KV reads`,
        worker: `uncached-${stored}-20`,
        path: "/rss.xml",
        status: 200,
        floor: { store: storeName(stored), keys },
        check: noTarget,
      }),
    );
  }
  return figures;
}

const SECTIONS: Record<LoadFigure["group"], string> = {
  poll: `(a) polls, ${LARGE} stored, vs baseline (same status, headers, bytes)`,
  floor: "(a, b) the same against a baseline that also makes the Worker's KV reads (same keys, same store)",
  uncached: "(b, c) uncached renders incl. KV reads, vs baseline",
};

export function readRows(figures: LoadFigure[]): Row[] {
  const rows = figures.map((f) =>
    row(SECTIONS[f.group], f.label, {
      value: fmtRps(f.subject.rps),
      reference: fmtRps(f.baseline.rps),
      ratio: fmtRatio(f.ratio),
      latency: `p99 ${f.subject.p99} / ${f.baseline.p99}`,
      ...judged(f.check),
    }),
  );
  for (const format of PLAN.scaleFormats) {
    const small = figures.find((f) => f.id === `uncached-20-${format}-${SMALL}`);
    const large = figures.find((f) => f.id === `uncached-20-${format}-${LARGE}`);
    if (!small || !large) continue;
    // Each side normalised by its own baseline runs, so drift in the machine between them cancels.
    const growth = small.ratio / large.ratio;
    rows.push(
      row(
        `(c) cost growth with the store: 20-item feed, ${LARGE} stored vs ${SMALL} (each normalised by its baseline)`,
        `${format}: cost(${LARGE}) / cost(${SMALL})`,
        {
          value: fmtRps(large.subject.rps),
          reference: fmtRps(small.subject.rps),
          ratio: fmtRatio(growth),
          latency: `p99 ${large.subject.p99} / ${small.subject.p99}`,
          ...judged(atMost(TARGETS.storeGrowth)(growth)),
        },
      ),
    );
  }
  return rows;
}
