import { readMeta } from './meta.js';
import { sql } from './sql.js';
import type { Store } from './store.js';

/**
 * Data versions: one counter per kind of data, bumped in the same transaction as every write to it,
 * so a derived table (an index, a cache) can tell whether it was built from the data as it is now.
 * Kept in `meta` under `version:<name>`. **The store bumps them itself**: every statement it runs and
 * every bulk append is checked for a write to a versioned table (`writtenVersions`), and the version
 * moves once per transaction, just before COMMIT (at once for a statement outside a transaction). No
 * writer has to remember to call `bumpVersion`.
 */
export type VersionedData = 'events' | 'cases';

/** The data each versioned table belongs to: `cases` covers what case metrics are computed from. */
export const VERSIONED_TABLES: Readonly<Record<string, VersionedData>> = {
  events: 'events',
  cases: 'cases',
  case_events: 'cases',
  teams: 'cases',
};

const WRITE =
  /\b(?:INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?|COPY|(?:ALTER|DROP)\s+TABLE(?:\s+IF\s+EXISTS)?)\s+(?:"?main"?\.)?"?(\w+)"?/gi;

/** The versioned data a SQL statement writes (by the tables it inserts into, updates, deletes from…). */
export function writtenVersions(statement: string): VersionedData[] {
  const out = new Set<VersionedData>();
  for (const m of statement.matchAll(WRITE)) {
    const v = VERSIONED_TABLES[m[1]!.toLowerCase()];
    if (v) out.add(v);
  }
  return [...out];
}

export async function bumpVersion(tx: Store, name: VersionedData): Promise<void> {
  await tx.exec(sql`INSERT INTO meta (key, value, updated_at)
    VALUES (${`version:${name}`}, to_json(1), current_timestamp::TIMESTAMP)
    ON CONFLICT (key) DO UPDATE SET
      value = to_json(coalesce(TRY_CAST(meta.value AS BIGINT), 0) + 1), updated_at = excluded.updated_at`);
}

/** The current version of `name` (0 when it was never written). */
export async function readVersion(db: Store, name: VersionedData): Promise<number> {
  return Number((await readMeta(db, `version:${name}`)) ?? 0);
}

/** True when the store was opened read-only (derived tables are then computed inline, not stored). */
export async function isReadOnly(db: Store): Promise<boolean> {
  const row = await db.one<{ m: string }>(sql`SELECT current_setting('access_mode') AS m`);
  return row?.m === 'read_only';
}
