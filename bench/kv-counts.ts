// KV operations per request for each route, counted by a wrapper around the unchanged bundle
// (bench/workers.ts COUNTER), with the smallest and the largest read store.
import { generatedInput, SAMPLE_TAG, seedInput } from "./articles.ts";
import { ACCEPT, ADMIN_TOKEN, type Check, LARGE, SMALL, TARGETS } from "./plan.ts";
import type { Runtime } from "./runtime.ts";
import { fmtKiB, judged, type Row, row } from "./table.ts";

export interface KvCount {
  route: string;
  path: string;
  stored: number;
  memory: "off" | "repeat" | "304";
  status: number;
  reads: number;
  lists: number;
  writes: number;
  bytesRead: number;
  check: Check;
}

interface Counted {
  status: number;
  etag: string | null;
  reads: number;
  lists: number;
  writes: number;
  keys: string[];
  bytesRead: number;
}

/** One request through a counting Worker, and the KV operations it made. */
export async function countKv(
  runtime: Runtime,
  worker: string,
  path: string,
  init: RequestInit = {},
): Promise<Counted> {
  const base = runtime.url(worker);
  await (await fetch(new URL("/__kv", base))).arrayBuffer();
  const response = await fetch(new URL(path, base), {
    ...init,
    headers: { ...ACCEPT, ...(init.headers as Record<string, string>) },
  });
  await response.arrayBuffer();
  const counts = (await (await fetch(new URL("/__kv", base))).json()) as Omit<Counted, "status" | "etag">;
  return { status: response.status, etag: response.headers.get("ETag"), ...counts };
}

const feedCheck = (reads: number, lists: number): Check => ({
  target: `≤ ${TARGETS.kvReads} reads, 0 lists`,
  pass: reads <= TARGETS.kvReads && lists === 0,
});

export async function benchKvCounts(runtime: Runtime): Promise<KvCount[]> {
  const rows: KvCount[] = [];
  const { slug, input } = generatedInput(seedInput(), 5);
  const routes: [route: string, path: string, feed: boolean][] = [
    ["/", "/", false],
    ["/?page=2", "/?page=2", false],
    ["/articles/:slug", `/articles/${slug}`, false],
    ["/tags/:tag", `/tags/${SAMPLE_TAG}`, false],
    ["/rss.xml", "/rss.xml", true],
    ["/atom.xml", "/atom.xml", true],
    ["/feed.json", "/feed.json", true],
    ["/tags/:tag/rss.xml", `/tags/${SAMPLE_TAG}/rss.xml`, true],
    ["/rss.xml?page=2", "/rss.xml?page=2", true],
    ["/api/articles/:slug", `/api/articles/${slug}`, false],
  ];
  const add = (route: string, path: string, stored: number, memory: KvCount["memory"], c: Counted, check: Check) =>
    rows.push({
      route,
      path,
      stored,
      memory,
      status: c.status,
      reads: c.reads,
      lists: c.lists,
      writes: c.writes,
      bytesRead: c.bytesRead,
      check,
    });
  for (const stored of [SMALL, LARGE]) {
    const cold = `count-${stored}-off`;
    for (const [route, path, feed] of routes) {
      if (path.includes("page=2") && stored <= 20) continue;
      const c = await countKv(runtime, cold, path);
      add(route, path, stored, "off", c, feed ? feedCheck(c.reads, c.lists) : null);
    }
    // The poll paths on a warm Worker: a repeated GET, and a conditional one.
    const warm = `count-${stored}-on`;
    const first = await countKv(runtime, warm, "/rss.xml");
    const repeat = await countKv(runtime, warm, "/rss.xml");
    add(
      "/rss.xml (repeat, isolate memory)",
      "/rss.xml",
      stored,
      "repeat",
      repeat,
      feedCheck(repeat.reads, repeat.lists),
    );
    const headers = { "If-None-Match": first.etag ?? "" };
    const poll = await countKv(runtime, warm, "/rss.xml", { headers });
    add("/rss.xml (If-None-Match)", "/rss.xml", stored, "304", poll, feedCheck(poll.reads, poll.lists));
    // A publish replacing an article with itself: the Worker hands it to the writer and reads no KV.
    const put = await countKv(runtime, cold, `/api/articles/${slug}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(input),
    });
    add("PUT /api/articles/:slug (the Worker's own KV use)", `/api/articles/${slug}`, stored, "off", put, null);
  }
  // The cold rows only mean something if memory was really off, and the repeat row if on.
  const coldRepeat = await countKv(runtime, `count-${SMALL}-off`, "/rss.xml");
  const repeatRow = rows.find((r) => r.memory === "repeat");
  if (coldRepeat.reads < 2 || !repeatRow || repeatRow.reads > 1) {
    throw new Error(
      `isolate memory is not behaving as configured: repeat when cold ${coldRepeat.reads} reads, when warm ${repeatRow?.reads}`,
    );
  }
  return rows;
}

export function kvRows(counts: KvCount[]): Row[] {
  return counts.map((k) =>
    row(
      "(e) KV operations per request (isolate memory off unless stated)",
      `${k.route}, ${k.stored} stored → ${k.status}`,
      {
        value: `${k.reads} reads (${fmtKiB(k.bytesRead)}), ${k.lists} lists, ${k.writes} writes`,
        ...judged(k.check),
      },
    ),
  );
}
