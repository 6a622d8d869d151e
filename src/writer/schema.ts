// The writer's SQLite schema: numbered migrations, never edited once shipped, run before the
// object serves anything (as @cloudflare/actors' SQLSchemaMigrations does).

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS articles (
     slug TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     published TEXT NOT NULL,
     modified TEXT NOT NULL,
     visible TEXT NOT NULL,
     hash TEXT NOT NULL,
     source TEXT NOT NULL,
     id TEXT NOT NULL,
     tags TEXT NOT NULL,
     changed TEXT NOT NULL,
     sitemap INTEGER
   );
   CREATE INDEX IF NOT EXISTS articles_due ON articles (visible) WHERE status = 'scheduled';
   CREATE TABLE IF NOT EXISTS texts (
     slug TEXT NOT NULL,
     kind TEXT NOT NULL,
     seq INTEGER NOT NULL,
     text TEXT NOT NULL,
     PRIMARY KEY (slug, kind, seq)
   );
   CREATE TABLE IF NOT EXISTS members (
     scope TEXT NOT NULL,
     slug TEXT NOT NULL,
     published TEXT NOT NULL,
     chunk INTEGER NOT NULL,
     PRIMARY KEY (scope, slug)
   );
   CREATE INDEX IF NOT EXISTS members_order ON members (scope, chunk, published, slug);
   CREATE TABLE IF NOT EXISTS scopes (
     scope TEXT PRIMARY KEY,
     name TEXT,
     archives INTEGER NOT NULL DEFAULT 0,
     changed TEXT NOT NULL,
     sitemap INTEGER
   );
   CREATE TABLE IF NOT EXISTS chunks (
     scope TEXT NOT NULL,
     chunk INTEGER NOT NULL,
     upper_published TEXT NOT NULL,
     upper_slug TEXT NOT NULL,
     changed TEXT NOT NULL,
     PRIMARY KEY (scope, chunk)
   );
   CREATE TABLE IF NOT EXISTS tombstones (
     id TEXT PRIMARY KEY,
     slug TEXT NOT NULL,
     deleted TEXT NOT NULL,
     scopes TEXT NOT NULL,
     expired INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX IF NOT EXISTS tombstones_slug ON tombstones (slug, deleted);
   CREATE TABLE IF NOT EXISTS dirty (key TEXT PRIMARY KEY, version INTEGER NOT NULL);
   CREATE TABLE IF NOT EXISTS written (key TEXT PRIMARY KEY, at INTEGER NOT NULL, stamp TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS purges (
     tag TEXT NOT NULL,
     round INTEGER NOT NULL,
     due INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (tag, round)
   );
   CREATE TABLE IF NOT EXISTS pings (url TEXT PRIMARY KEY, due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Counters instead of COUNT(*) over a whole scope, and sitemap files known by a small table:
  // a write then costs the same with 20 articles stored or 100,000.
  `ALTER TABLE scopes ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
   UPDATE scopes SET total = (SELECT COUNT(*) FROM members m WHERE m.scope = scopes.scope);
   ALTER TABLE chunks ADD COLUMN count INTEGER NOT NULL DEFAULT 0;
   UPDATE chunks SET count = (SELECT COUNT(*) FROM members m WHERE m.scope = chunks.scope AND m.chunk = chunks.chunk);
   CREATE TABLE IF NOT EXISTS sitemap_parts (
     part INTEGER PRIMARY KEY,
     urls INTEGER NOT NULL,
     lastmod TEXT NOT NULL DEFAULT '1970-01-01T00:00:00Z'
   );
   INSERT OR IGNORE INTO sitemap_parts (part, urls)
     SELECT part, COUNT(*) FROM (
       SELECT sitemap AS part FROM articles WHERE sitemap IS NOT NULL
       UNION ALL SELECT sitemap FROM scopes WHERE sitemap IS NOT NULL
     ) GROUP BY part;
   CREATE INDEX IF NOT EXISTS articles_sitemap ON articles (sitemap, slug);
   CREATE INDEX IF NOT EXISTS scopes_sitemap ON scopes (sitemap);`,
  // A sitemap file's URLs from the index alone: no lookup of 500 article rows on every write.
  `DROP INDEX IF EXISTS articles_sitemap;
   CREATE INDEX IF NOT EXISTS articles_sitemap_urls ON articles (sitemap, status, slug, changed);`,
];

/** Brings the database to the newest schema; safe to call on every start. */
export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY)");
  const done = sql.exec<{ n: number }>("SELECT COALESCE(MAX(id), 0) AS n FROM _migrations").one().n;
  for (let id = done + 1; id <= MIGRATIONS.length; id++) {
    sql.exec(MIGRATIONS[id - 1] as string);
    sql.exec("INSERT INTO _migrations (id) VALUES (?)", id);
  }
}

export function readMeta(sql: SqlStorage, key: string): string | null {
  return sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
}

export function writeMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    key,
    value,
  );
}
