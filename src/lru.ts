// A bounded memory for an isolate: what it read from KV recently, and what it rendered. KV already
// lets a read be up to 60 s stale, so holding a scope head for a few seconds changes nothing a
// reader can see and spares a KV read on almost every poll; entries and rendered bodies are
// immutable per content hash, so they are kept until evicted.

let enabled = true;

/**
 * Turns every isolate memory on or off (the `ISOLATE_MEMORY` var). Off, each request reads KV and
 * renders from scratch: the cost of a cold isolate, which is what the benchmark's uncached rows show.
 */
export function useIsolateMemory(on: boolean): void {
  enabled = on;
}

/** Least-recently-used map, bounded by count and by total weight, with an optional time to live. */
export class Lru<V> {
  private readonly entries = new Map<string, { value: V; expires: number; weight: number }>();
  private readonly capacity: number;
  private readonly maxWeight: number;
  private weight = 0;

  constructor(capacity: number, maxWeight = Number.POSITIVE_INFINITY) {
    this.capacity = capacity;
    this.maxWeight = maxWeight;
  }

  get(key: string, now = Date.now()): V | undefined {
    if (!enabled) return undefined;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.expires <= now) {
      this.weight -= hit.weight;
      return undefined;
    }
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V, options: { ttlMs?: number; weight?: number } = {}, now = Date.now()): void {
    const weight = options.weight ?? 1;
    if (!enabled || weight > this.maxWeight) return;
    this.delete(key);
    this.entries.set(key, { value, expires: now + (options.ttlMs ?? Number.POSITIVE_INFINITY), weight });
    this.weight += weight;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity && this.weight <= this.maxWeight) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const hit = this.entries.get(key);
    if (!hit) return;
    this.entries.delete(key);
    this.weight -= hit.weight;
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }
}

/** One memory per KV namespace, so another binding (another env, a wrapped one) never shares answers. */
export function perNamespace<V>(create: () => V): (kv: object) => V {
  const memories = new WeakMap<object, V>();
  return (kv) => {
    let memory = memories.get(kv);
    if (!memory) {
      memory = create();
      memories.set(kv, memory);
    }
    return memory;
  };
}
