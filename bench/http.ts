// HTTP from the bench to its Workers: raw reads (bytes as sent), the baseline's configuration, and
// the admin API as a publisher uses it.
import { request as httpRequest } from "node:http";
import { ADMIN_TOKEN } from "./plan.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET with exactly the given headers, body bytes as sent: what the load generator receives too. */
export function rawGet(url: URL, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * Points the baseline at a copy of `response`: same status, headers and body bytes; `reads`
 * makes it read those KV keys of `store` first.
 */
export async function mirrorInBaseline(
  baseline: URL,
  response: RawResponse,
  reads?: { store: string; keys: string[] },
): Promise<void> {
  const skip = new Set(["content-length", "date", "transfer-encoding", "connection", "keep-alive"]);
  const headers = Object.entries(response.headers).filter(([name]) => !skip.has(name));
  const put = await fetch(baseline, {
    method: "PUT",
    body: JSON.stringify({
      status: response.status,
      headers,
      body: response.status === 304 ? null : response.body.toString("base64"),
      store: reads?.store ?? null,
      keys: reads?.keys ?? [],
    }),
  });
  if (put.status !== 204) throw new Error(`the baseline refused its configuration: ${put.status}`);
}

/** An admin API request with the token, and a JSON body when one is given. */
export function admin(base: URL, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(path, base), {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** An admin request that must answer `status`; its JSON body. */
export async function adminJson<T>(base: URL, method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const response = await admin(base, method, path, body);
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Waits until the writer reports every acknowledged change in KV (`dirty: 0`); the wait in ms. */
export async function waitForFlush(base: URL, timeoutMs = 600_000, pollMs = 100): Promise<number> {
  const started = performance.now();
  for (;;) {
    const state = await adminJson<{ dirty: number }>(base, "GET", "/api/writer");
    if (state.dirty === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`the writer at ${base} still has ${state.dirty} dirty keys`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** How many articles the writer holds, as the publish command asks it. */
export async function countStored(base: URL): Promise<number> {
  const listed = await adminJson<{ articles: Record<string, unknown> }>(base, "GET", "/api/articles");
  return Object.keys(listed.articles).length;
}
