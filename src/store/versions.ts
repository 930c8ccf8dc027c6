import { readMeta } from './meta.js';
import { sql } from './sql.js';
import type { Store } from './store.js';

/**
 * Data versions: one counter per kind of data, bumped in the same transaction as every write to it,
 * so a derived table (an index, a cache) can tell whether it was built from the data as it is now.
 * Kept in `meta` under `version:<name>`. A writer that forgets to bump leaves derived tables stale:
 * every writer of `events` calls `bumpVersion(tx, 'events')` (ingest merge, identity stitching,
 * import undo, the demo generator), and every writer of cases, case events or teams bumps `cases`.
 */
export type VersionedData = 'events' | 'cases';

/** The data each versioned table belongs to: `cases` covers what case metrics are computed from. */
export const VERSIONED_TABLES: Readonly<Record<string, VersionedData>> = {
  events: 'events',
  cases: 'cases',
  case_events: 'cases',
  teams: 'cases',
};

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
