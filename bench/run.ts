// `npm run bench [-- --quick] [-- --fresh]`: the performance figures of bench/README.md, reads
// side by side with a baseline Worker, writes against stores of every size, printed as one table
// and written to bench/results.json.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { newInputs } from "./articles.ts";
import { buildApp, buildHello, bundleBreakdown, bundleRows, removeBuild, tempDir } from "./build.ts";
import { benchInNode, cpuRows } from "./cpu.ts";
import { benchKvCounts, countKv, kvRows } from "./kv-counts.ts";
import { LoadGenerator } from "./load-generator.ts";
import { benchObjectCpu, objectCpuRows } from "./object-cpu.ts";
import { log, PLAN, QUICK } from "./plan.ts";
import { benchReads, readApps, readRows } from "./reads.ts";
import { startRuntime } from "./runtime.ts";
import { cacheDir, copyIntoWriter, isSeeded, seedThroughApi, writeCatalog } from "./seed.ts";
import type { NodeStorage } from "./sql-storage.ts";
import { type Row, reportTable, writeResults } from "./table.ts";
import { benchBatch, benchPutLatency, benchWriters, writeApps, writeRows, writeStoreName } from "./writes.ts";

const started = performance.now();
const lap = () => log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
log(
  `bench (${QUICK ? "quick" : "full"}): read stores ${PLAN.stores.join(", ")}; write stores ${PLAN.writeStores.join(", ")}; ` +
    `${PLAN.pairs} A/B pair(s) of ${PLAN.duration} s, ${PLAN.connections} connections`,
);

log("building the Worker and a bare Hono Worker with wrangler deploy --dry-run…");
const [app, hello] = await Promise.all([buildApp(), buildHello()]);
const dir = cacheDir();
const load = new LoadGenerator();
try {
  lap();
  const cpu = await benchInNode(app);

  lap();
  log("the write stores' catalogs, seeded in Node by the writer's functions…");
  const catalogs = new Map<number, NodeStorage>();
  for (const n of PLAN.writeStores) catalogs.set(n, await writeCatalog(n, dir));
  log("timing the object's writes in Node…");
  const objectCpu = [];
  const fresh = newInputs("node", 20);
  for (const n of PLAN.writeStores)
    objectCpu.push(await benchObjectCpu(catalogs.get(n) as NodeStorage, n, fresh, PLAN.objectBudgetMs));

  lap();
  log("starting workerd through Miniflare for the reads…");
  const readsDir = join(dir, "reads");
  // Responses cached by an earlier run must not answer this one.
  rmSync(join(readsDir, "cache"), { recursive: true, force: true });
  const reading = await startRuntime(app, readApps(), readsDir);
  let reads: Awaited<ReturnType<typeof benchReads>>;
  let kv: Awaited<ReturnType<typeof benchKvCounts>>;
  try {
    log("seeding the read stores through the Worker's admin API…");
    for (const spec of readApps().filter((a) => a.writer === undefined)) {
      const count = Number(/^s(\d+)/.exec(spec.store)?.[1]);
      await seedThroughApi(reading, spec.name, count, readsDir);
    }
    lap();
    log("measuring reads (subject vs baseline, alternating)…");
    reads = await benchReads(
      reading,
      load,
      async (worker, path, headers) => (await countKv(reading, worker, path, { headers: headers ?? {} })).keys,
    );
    lap();
    log("counting KV operations per route…");
    kv = await benchKvCounts(reading);
  } finally {
    await reading.dispose();
  }

  lap();
  log("seeding the write stores: the catalogs copied into each writer's SQLite, their values into KV…");
  // Seeded once into a pristine directory per set of stores; each run writes to a copy of it.
  const pristine = join(dir, `writes-${PLAN.writeStores.join("-")}`);
  const unseeded = PLAN.writeStores.filter((n) => !isSeeded(pristine, writeStoreName(n)));
  if (unseeded.length > 0) {
    const seeding = await startRuntime(app, writeApps(), pristine);
    try {
      for (const n of unseeded) {
        const name = writeStoreName(n);
        await copyIntoWriter(seeding, name, name, catalogs.get(n) as NodeStorage, pristine);
      }
    } finally {
      await seeding.dispose();
    }
  } else log(`  reused from ${pristine}`);
  for (const catalog of catalogs.values()) catalog.close();
  const workDir = tempDir("writes");
  cpSync(pristine, workDir, { recursive: true });
  const writing = await startRuntime(app, writeApps(), workDir);
  let writes: Parameters<typeof writeRows>;
  try {
    lap();
    log("measuring writes against the running Worker…");
    const puts = [];
    for (const n of PLAN.writeStores) puts.push(await benchPutLatency(writing, n));
    const batch = await benchBatch(writing);
    const writers = await benchWriters(writing, load);
    writes = [puts, batch, writers];
  } finally {
    await writing.dispose();
    rmSync(workDir, { recursive: true, force: true });
  }

  const cpuTable = cpuRows(cpu);
  const writeTable = writeRows(...writes);
  const part = (rows: Row[], section: string) => rows.filter((r) => r.section.startsWith(section));
  const rows = [
    ...readRows(reads),
    ...part(cpuTable, "(d)"),
    ...kvRows(kv),
    ...bundleRows(app, hello),
    ...part(writeTable, "(g)"),
    ...part(cpuTable, "(h)"),
    ...objectCpuRows(objectCpu),
    ...part(writeTable, "(i)"),
    ...part(writeTable, "(j)"),
    ...part(cpuTable, "(k)"),
  ];
  reportTable(rows, started);
  writeResults(rows, {
    throughput: reads,
    render: { entries: cpu.renders, parsing: cpu.parsing, handler: cpu.reads },
    kv,
    bundle: {
      app: { raw: app.raw, gzip: app.gzip, byPackage: bundleBreakdown(app) },
      hello: { raw: hello.raw, gzip: hello.gzip },
    },
    writes: { puts: writes[0], batch: writes[1], writers: writes[2], worker: cpu.writes, object: objectCpu },
    markdown: cpu.markdown,
  });
  log("wrote bench/results.json");
} finally {
  load.stop();
  removeBuild(app);
  removeBuild(hello);
}
