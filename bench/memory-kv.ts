// In-memory KV for Node: what the writer's flush writes (KvWriter) and the read path reads (KvReader).
import type { KvReader } from "../src/store/read.ts";
import type { KvWriter } from "../src/writer/flush.ts";

export class MemoryKv implements KvReader, KvWriter {
  readonly values = new Map<string, string>();

  async get(key: string, _type: "text"): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

/** Counts the flush's writes and keeps nothing: the object's CPU without KV's. */
export class CountingKv implements KvWriter {
  puts = 0;
  deletes = 0;
  bytes = 0;

  async put(_key: string, value: string): Promise<void> {
    this.puts++;
    this.bytes += value.length;
  }

  async delete(_key: string): Promise<void> {
    this.deletes++;
  }

  reset(): void {
    this.puts = 0;
    this.deletes = 0;
    this.bytes = 0;
  }
}
