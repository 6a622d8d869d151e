// The bench-only Workers that run beside the one under test, as module source text.

/**
 * The baseline: whatever status, headers and bytes it was last given, answered as is. It is
 * configured with a copy of the response under test, so it is the runtime's limit for exactly
 * that response. Given KV keys, it first reads them (one after another, as the Worker does):
 * the floor for any Worker that must make those reads.
 */
export const BASELINE = `
let status = 200, headers = [], body = null, store = null, keys = [];
export default {
  async fetch(request, env) {
    if (request.method === "PUT") {
      const next = await request.json();
      status = next.status;
      headers = next.headers;
      body = next.body === null ? null : Uint8Array.from(atob(next.body), (c) => c.charCodeAt(0));
      store = next.store;
      keys = next.keys;
      return new Response(null, { status: 204 });
    }
    for (const key of keys) await env[store].get(key, "text");
    return new Response(body, { status, headers });
  },
};
`;

/**
 * Forwards every KV call to the real namespace and counts it; GET /__kv reads and resets the
 * counts. It calls the bundle's own Hono app with the wrapped env: the bundle is imported unchanged.
 */
export const COUNTER = (main: string) => `
import { app } from "./${main}";
const fresh = () => ({ reads: 0, lists: 0, writes: 0, keys: [], bytesRead: 0 });
let counts = fresh();
const size = (value) => (typeof value === "string" ? new TextEncoder().encode(value).length : 0);
function counting(kv) {
  return {
    get: async (...a) => {
      counts.reads++;
      counts.keys.push(a[0]);
      const value = await kv.get(...a);
      counts.bytesRead += size(value);
      return value;
    },
    getWithMetadata: (...a) => (counts.reads++, kv.getWithMetadata(...a)),
    list: (...a) => (counts.lists++, kv.list(...a)),
    put: (...a) => (counts.writes++, kv.put(...a)),
    delete: (...a) => (counts.writes++, kv.delete(...a)),
  };
}
let wrapped = null;
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === "/__kv") {
      const body = JSON.stringify(counts);
      counts = fresh();
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    }
    // One wrapped env for the isolate's life, as the runtime keeps one env: per-env caches behave.
    wrapped ??= { ...env, ARTICLES: counting(env.ARTICLES) };
    return app.fetch(request, wrapped, ctx);
  },
};
`;

/**
 * Writes many values in one request, inside workerd, with the metadata the writer's flush gives
 * them: seeding 100,000 values one proxy call at a time from Node would take far longer.
 */
export const SEEDER = `
export default {
  async fetch(request, env) {
    const kv = env[new URL(request.url).searchParams.get("store")];
    const values = await request.json();
    await Promise.all(values.map((v) => kv.put(v.key, v.value, { metadata: v.metadata })));
    return new Response(null, { status: 204 });
  },
};
`;
