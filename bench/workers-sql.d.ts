// The Durable Object storage types the writer's modules name, as @cloudflare/workers-types declares
// them: the bench type-checks with Node's types, and those two sets of globals clash.
type SqlStorageValue = ArrayBuffer | string | number | null;

interface SqlStorageCursor<T extends Record<string, SqlStorageValue>> {
  next(): IteratorResult<T>;
  toArray(): T[];
  one(): T;
  [Symbol.iterator](): IterableIterator<T>;
}

interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T>;
}

interface DurableObjectStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
}
