// Real concurrency: 16 writers sending separate HTTP requests to a running runtime (creates,
// replaces and deletes of the same and of different slugs), then every view compared with what
// was acknowledged, then one more write. Calls inside one test request could never show this.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSite, startSite } from "./site.ts";

const WRITERS = 16;
const CREATES = 800;
const MIXED = 400;

let site: LocalSite;

beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site?.stop();
});

const slugOf = (i: number) => `piece-${String(i).padStart(4, "0")}`;
const input = (i: number, version: number) => ({
  title: `Piece ${i} v${version}`,
  content: `Version ${version} of piece ${i}.`,
  publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  tags: i % 2 === 0 ? ["Even"] : ["Odd"],
});

/** Runs `jobs` on `WRITERS` concurrent workers, each job a separate HTTP request. */
async function concurrently<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < jobs.length) {
        const at = next++;
        results[at] = await (jobs[at] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

/** Every item of a JSON Feed, following next_url and then the archives. */
async function allItems(path: string): Promise<{ title: string; url: string }[]> {
  const items: { title: string; url: string }[] = [];
  let next: string | undefined = `${site.origin}${path}`;
  while (next) {
    const response: Response = await fetch(next);
    expect(response.status, next).toBe(200);
    const feed = (await response.json()) as { items: { title: string; url: string }[]; next_url?: string };
    items.push(...feed.items);
    next = feed.next_url;
  }
  return items;
}

describe(`${WRITERS} concurrent writers`, () => {
  it(`lose nothing of ${CREATES} creates and ${MIXED} mixed replaces and deletes, and the writer still works`, async () => {
    const created = await concurrently(
      Array.from(
        { length: CREATES },
        (_, i) => async () => (await site.admin("PUT", `/api/articles/${slugOf(i)}`, input(i, 1))).status,
      ),
    );
    expect(created.filter((s) => s !== 201)).toEqual([]);

    // Replaces and deletes, several of them on the same slugs at once: the last acknowledged wins.
    const expected = new Map(
      Array.from({ length: CREATES }, (_, i) => [slugOf(i), `Piece ${i} v1`] as [string, string | null]),
    );
    const plan = Array.from({ length: MIXED }, (_, k) => {
      const i = (k * 7) % 40;
      return k % 3 === 2 ? { i, remove: true, version: 0 } : { i, remove: false, version: k + 2 };
    });
    const outcomes = await concurrently(
      plan.map((step) => async () => {
        const response = step.remove
          ? await site.admin("DELETE", `/api/articles/${slugOf(step.i)}`)
          : await site.admin("PUT", `/api/articles/${slugOf(step.i)}`, input(step.i, step.version));
        return { step, status: response.status };
      }),
    );
    for (const { status } of outcomes) expect([200, 201, 204, 404]).toContain(status);
    // Each slug's final state is whatever its last change was, which the writer alone decided:
    // read it back through the admin API and check every view against it.
    for (const i of new Set(plan.map((p) => p.i))) {
      const stored = await site.admin("GET", `/api/articles/${slugOf(i)}`);
      expected.set(slugOf(i), stored.status === 200 ? ((await stored.json()) as { title: string }).title : null);
    }
    await site.settled();

    const live = [...expected].filter(([, title]) => title !== null) as [string, string][];
    const byTitle = (items: { title: string }[]) => items.map((item) => item.title).sort();
    expect(byTitle(await allItems("/feed.json"))).toEqual(live.map(([, t]) => t).sort());
    const even = live
      .filter(([slug]) => Number(slug.slice(6)) % 2 === 0)
      .map(([, t]) => t)
      .sort();
    expect(byTitle(await allItems("/tags/even/feed.json"))).toEqual(even);
    for (const [slug, title] of expected) {
      const api = await fetch(`${site.origin}/api/articles/${slug}`);
      if (title === null) expect(api.status, slug).toBe(410);
      else {
        expect(api.status, slug).toBe(200);
        expect(((await api.json()) as { title: string }).title).toBe(title);
      }
    }

    const after = await site.admin("PUT", "/api/articles/one-more", input(9999, 1));
    expect(after.status).toBe(201);
    await site.settled();
    expect((await fetch(`${site.origin}/articles/one-more`)).status).toBe(200);
  }, 300_000);
});
