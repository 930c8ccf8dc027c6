import { sql } from './sql.js';
import type { Store } from './store.js';

/** The JSON value stored in `meta` under `key`, parsed, or null when there is none. */
export async function readMeta(db: Store, key: string): Promise<unknown> {
  const row = await db.one<{ v: string }>(sql`SELECT value::VARCHAR AS v FROM meta WHERE key = ${key}`);
  return row ? JSON.parse(row.v) : null;
}

/**
 * Stores `value` as JSON in `meta` under `key`, stamped `at` (default: now, in UTC: a cast of
 * current_timestamp to TIMESTAMP would give the process's local time).
 */
export async function writeMeta(db: Store, key: string, value: unknown, at?: Date): Promise<void> {
  await db.exec(sql`INSERT OR REPLACE INTO meta (key, value, updated_at)
    VALUES (${key}, ${JSON.stringify(value)}::JSON, coalesce(${at ?? null}::TIMESTAMP, make_timestamp(epoch_us(current_timestamp))))`);
}
