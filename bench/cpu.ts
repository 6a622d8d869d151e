// The figures timed in Node (the same V8 as workerd), before any workerd runs: renders, the built
// Worker's CPU per read and per write, and Markdown at write time.
import { parseArticleInput } from "../src/article/model.ts";
import { prepareArticle } from "../src/article/prepare.ts";
import { readSiteConfig } from "../src/site.ts";
import { entriesOf, generateArticles, generatedInput, SAMPLE_TAG, seedInput, seedSizedInputs } from "./articles.ts";
import type { Build } from "./build.ts";
import { seedCatalog } from "./catalog.ts";
import { benchHandler, type HandlerCase, type HandlerFigure, loadWorker } from "./handler.ts";
import { benchMarkdown, type MarkdownFigure } from "./markdown.ts";
import { MemoryKv } from "./memory-kv.ts";
import { ADMIN_TOKEN, atMost, BATCH_SIZE, FILES, FORMATS, log, MID, PLAN, SITE_URL, TARGETS } from "./plan.ts";
import { benchEntryParsing, benchRenders, type RenderFigure } from "./render.ts";
import { workerVars } from "./runtime.ts";
import { NodeStorage } from "./sql-storage.ts";
import { fmtKiB, fmtRatio, fmtUs, judged, type Row, row } from "./table.ts";

export interface CpuFigures {
  renders: RenderFigure[];
  parsing: { items: number; timing: { us: number } }[];
  reads: HandlerFigure[];
  writes: HandlerFigure[];
  markdown: MarkdownFigure[];
}

/** KV as the writer's flush leaves it for `count` seed-sized articles, for each page size. */
async function flushedStores(count: number): Promise<Map<number, MemoryKv>> {
  const stores = new Map<number, MemoryKv>();
  for (const pageSize of [20, 100]) {
    const kv = new MemoryKv();
    const storage = new NodeStorage();
    await seedCatalog(storage, seedSizedInputs(count), kv, pageSize);
    storage.close();
    stores.set(pageSize, kv);
  }
  return stores;
}

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };

/** The writer's answers, copied per call as an RPC result is deserialised in the Worker. */
async function stubWriter() {
  const { slug, input } = generatedInput(seedInput(), 0);
  const parsed = parseArticleInput(input);
  if (!parsed.ok) throw new Error("the seed article does not parse");
  const prepared = await prepareArticle(slug, parsed.value, null, {});
  if (!prepared.ok) throw new Error("the seed article does not prepare");
  const put = { ok: true, action: "created", status: "public", article: prepared.value };
  const batch = { ok: true, results: seedSizedInputs(BATCH_SIZE).map(([s]) => ({ slug: s, action: "created" })) };
  return {
    slug,
    input,
    writer: {
      putArticle: async () => structuredClone(put),
      applyBatch: async () => structuredClone(batch),
    },
  };
}

export async function benchInNode(app: Build): Promise<CpuFigures> {
  log("timing renders in Node…");
  const site = { ...readSiteConfig(workerVars()), origin: SITE_URL };
  const entries = entriesOf(await generateArticles(100));
  const renders = benchRenders(site, entries, [20, 100], PLAN.renderBudgetMs);
  const parsing = benchEntryParsing(entries, [20, 100], PLAN.renderBudgetMs);

  log(`timing the built Worker in Node: reads from the writer's KV of ${MID}, writes to a stub writer…`);
  const Worker = await loadWorker(app);
  const stores = await flushedStores(MID);
  const { slug, input, writer } = await stubWriter();
  const budget = PLAN.renderBudgetMs / 2;
  const readCases: HandlerCase[] = [
    { label: "rss: 304 (If-None-Match)", path: "/rss.xml", memory: true, conditional: true },
    ...FORMATS.map((f) => ({ label: `${f}: 20 items`, path: `/${FILES[f]}` })),
    ...FORMATS.map((f) => ({ label: `${f}: 100 items`, path: `/${FILES[f]}`, pageSize: 100 })),
    { label: "HTML /: 20 items", path: "/" },
    { label: `HTML /tags/${SAMPLE_TAG}: 20 items`, path: `/tags/${SAMPLE_TAG}` },
    { label: "HTML /articles/:slug", path: `/articles/${generatedInput(seedInput(), 5).slug}` },
  ];
  const reads = await benchHandler(Worker, stores, workerVars(), writer, readCases, budget);
  const batch = { articles: Object.fromEntries(seedSizedInputs(BATCH_SIZE)) };
  const writeCases: HandlerCase[] = [
    {
      label: "PUT /api/articles/:slug, one seed-sized article",
      method: "PUT",
      path: `/api/articles/${slug}`,
      headers: auth,
      body: JSON.stringify(input),
    },
    {
      label: `POST /api/batch, ${BATCH_SIZE} seed-sized articles`,
      method: "POST",
      path: "/api/batch",
      headers: auth,
      body: JSON.stringify(batch),
    },
  ];
  const writes = await benchHandler(Worker, stores, workerVars(), writer, writeCases, budget);

  log("timing Markdown at write time…");
  const markdown = await benchMarkdown(PLAN.markdownBudgetMs);
  return { renders, parsing, reads, writes, markdown };
}

const RENDER = "(d) render CPU in Node (view + render to UTF-8), vs feed@6 on the same items; cold: no item remembered";

export function cpuRows(cpu: CpuFigures): Row[] {
  const rows: Row[] = [];
  for (const r of cpu.renders) {
    const check =
      r.items === 20
        ? { target: `≤ ${TARGETS.renderVsFeed}× feed@6`, pass: r.ratio <= TARGETS.renderVsFeed }
        : { target: `< ${TARGETS.render100Ms} ms`, pass: r.ours.us < TARGETS.render100Ms * 1000 };
    const label = `${r.format}: ${r.items} items, ${r.memory} (${fmtKiB(r.oursBytes)} vs ${fmtKiB(r.feedPackageBytes)})`;
    rows.push(
      row(RENDER, label, {
        value: fmtUs(r.ours.us),
        reference: fmtUs(r.feedPackage.us),
        ratio: fmtRatio(r.ratio),
        ...judged(check),
      }),
    );
  }
  for (const p of cpu.parsing) {
    rows.push(row(RENDER, `parse ${p.items} stored entries (JSON + schema)`, { value: fmtUs(p.timing.us) }));
  }
  const limit = "10 ms (free plan's CPU limit)";
  for (const h of cpu.reads) {
    rows.push(
      row(
        `(d) the built Worker's CPU per request: the bundle in Node, the writer's KV of ${MID} in memory`,
        `${h.label} → ${h.status}`,
        {
          value: fmtUs(h.us),
          reference: limit,
          ratio: fmtRatio(h.us / 10_000),
        },
      ),
    );
  }
  for (const h of cpu.writes) {
    const check = atMost(TARGETS.workerCpuMs, " ms")(h.us / 1000);
    rows.push(
      row(
        "(h) the Worker's CPU per write in Node: parse, validate, answer; the writer a stub (any store size)",
        `${h.label} → ${h.status}`,
        {
          value: fmtUs(h.us),
          reference: limit,
          ratio: fmtRatio(h.us / 10_000),
          ...judged(check),
        },
      ),
    );
  }
  for (const m of cpu.markdown) {
    const label = `${m.input}: ${fmtKiB(m.markdownBytes)} Markdown → ${fmtKiB(m.oursHtmlBytes)} HTML (xss: ${fmtKiB(m.referenceHtmlBytes)})`;
    rows.push(
      row("(k) Markdown → stored HTML per article in Node (parse5 policy), vs the previous xss-based renderer", label, {
        value: fmtUs(m.ours.us),
        reference: fmtUs(m.reference.us),
        ratio: fmtRatio(m.ratio),
      }),
    );
  }
  return rows;
}
