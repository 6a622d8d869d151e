// The slice of a Durable Object's storage the writer uses (`sql.exec` and `transactionSync`), over
// Node's own SQLite, so the writer's functions run in Node (the same V8) and can be timed there.
import { DatabaseSync, type StatementSync } from "node:sqlite";

type Row = Record<string, SqlStorageValue>;

class Cursor<T extends Row> implements SqlStorageCursor<T> {
  readonly #rows: T[];
  #at = 0;

  constructor(rows: T[]) {
    this.#rows = rows;
  }

  next(): IteratorResult<T> {
    const row = this.#rows[this.#at++];
    return row === undefined ? { done: true, value: undefined } : { done: false, value: row };
  }

  toArray(): T[] {
    const rest = this.#rows.slice(this.#at);
    this.#at = this.#rows.length;
    return rest;
  }

  one(): T {
    if (this.#rows.length !== 1)
      throw new Error(`Expected exactly one result from SQL query, got ${this.#rows.length}`);
    return this.#rows[0] as T;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.#rows.slice(this.#at)[Symbol.iterator]();
  }
}

/** `storage.sql`: statements prepared once per query text, as workerd caches them. */
export class NodeSqlStorage implements SqlStorage {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  exec<T extends Row>(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor<T> {
    // node:sqlite prepares only the first statement; a script (the migrations) runs whole.
    if (bindings.length === 0 && /;\s*\S/.test(query)) {
      this.db.exec(query);
      return new Cursor<T>([]);
    }
    let statement = this.#statements.get(query);
    if (!statement) {
      statement = this.db.prepare(query);
      this.#statements.set(query, statement);
    }
    return new Cursor(statement.all(...(bindings as (string | number | null)[])) as T[]);
  }
}

/** `ctx.storage` as the writer sees it; nested transactions become savepoints, as in workerd. */
export class NodeStorage implements DurableObjectStorage {
  readonly sql: NodeSqlStorage;
  #depth = 0;

  constructor(path = ":memory:") {
    this.sql = new NodeSqlStorage(new DatabaseSync(path));
  }

  get db(): DatabaseSync {
    return this.sql.db;
  }

  transactionSync<T>(closure: () => T): T {
    const name = `tx${this.#depth++}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = closure();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw error;
    } finally {
      this.#depth--;
    }
  }

  close(): void {
    this.db.close();
  }
}
