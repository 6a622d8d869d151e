// An in-memory KV namespace for Node: enough of the API for the store code and the Worker.
import type { KvLike } from "../src/store/kv.ts";

const PAGE = 1000;

export class MemoryKv implements KvLike {
  #values = new Map<string, { value: string; metadata?: unknown }>();

  async get(key: string, _type: "text"): Promise<string | null> {
    return this.#values.get(key)?.value ?? null;
  }

  async put(key: string, value: string, options?: { metadata?: unknown }): Promise<void> {
    this.#values.set(key, options?.metadata === undefined ? { value } : { value, metadata: options.metadata });
  }

  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }

  async list(options: { prefix: string; cursor?: string | null }) {
    const names = [...this.#values.keys()].filter((k) => k.startsWith(options.prefix)).sort();
    const start = options.cursor ? Number(options.cursor) : 0;
    const keys = names.slice(start, start + PAGE).map((name) => {
      const metadata = this.#values.get(name)?.metadata;
      return metadata === undefined ? { name } : { name, metadata };
    });
    const complete = start + PAGE >= names.length;
    return complete ? { keys, list_complete: true } : { keys, list_complete: false, cursor: String(start + PAGE) };
  }

  async putRecords(records: { key: string; value: string; metadata: unknown }[]): Promise<void> {
    for (const r of records) await this.put(r.key, r.value, { metadata: r.metadata });
  }
}
