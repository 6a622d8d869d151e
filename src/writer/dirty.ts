// Which KV keys no longer match the catalog. A key's version grows with every mark, so a flush
// that wrote an older state leaves the key dirty for the next one.

export function markDirty(sql: SqlStorage, key: string): void {
  sql.exec("INSERT INTO dirty (key, version) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET version = version + 1", key);
}

export interface DirtyKey {
  key: string;
  version: number;
  /** When the key was last written (ms), or 0. */
  writtenAt: number;
  /** The stamp of what was last written, or "". */
  stamp: string;
}

export function dirtyKeys(sql: SqlStorage): DirtyKey[] {
  return sql
    .exec<{ key: string; version: number; at: number | null; stamp: string | null }>(
      "SELECT d.key, d.version, w.at, w.stamp FROM dirty d LEFT JOIN written w ON w.key = d.key ORDER BY d.key",
    )
    .toArray()
    .map((row) => ({ key: row.key, version: row.version, writtenAt: row.at ?? 0, stamp: row.stamp ?? "" }));
}

export const countDirty = (sql: SqlStorage): number =>
  sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dirty").one().n;

/** Records a flush of `key` at `version`: clean unless marked again meanwhile. */
export function markWritten(sql: SqlStorage, key: string, version: number, at: number, stamp: string): void {
  sql.exec("DELETE FROM dirty WHERE key = ? AND version = ?", key, version);
  sql.exec(
    "INSERT INTO written (key, at, stamp) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at, stamp = excluded.stamp",
    key,
    at,
    stamp,
  );
}

/** A dirty key whose value turned out unchanged: clean, without counting as a write. */
export function markUnchanged(sql: SqlStorage, key: string, version: number): void {
  sql.exec("DELETE FROM dirty WHERE key = ? AND version = ?", key, version);
}
