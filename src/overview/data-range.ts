import { z } from 'zod';
import { currentPersonas } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { type Store, sql } from '../store/index.js';

export const DataRangeParams = z.object({});

export interface DataRangeResult {
  /** The earliest and the latest time of any event, answer or case opening (UTC ISO), null when empty. */
  readonly first: string | null;
  readonly latest: string | null;
  /**
   * Customers with a persona in the newest persona run (0 before any): the cockpit offers the persona
   * filter and breakdown only when it is positive (every call taking `persona` refuses it before).
   */
  readonly personas: number;
}

/**
 * The time span of the workspace's data: min and max over events.ts, feedback.ts and cases.opened_at.
 * Relative periods ("last 90 days") count back from `latest`, so a historical import is not empty.
 */
export async function getDataRange(db: Store): Promise<DataRangeResult> {
  const r = await db.one<{ first: Date | string | null; latest: Date | string | null }>(sql`
    SELECT least(e.lo, f.lo, c.lo) AS first, greatest(e.hi, f.hi, c.hi) AS latest
    FROM (SELECT min(ts) AS lo, max(ts) AS hi FROM events) e,
      (SELECT min(ts) AS lo, max(ts) AS hi FROM feedback) f,
      (SELECT min(opened_at) AS lo, max(opened_at) AS hi FROM cases) c`);
  const iso = (v: Date | string | null | undefined) =>
    v === null || v === undefined
      ? null
      : new Date(typeof v === 'string' ? `${v.replace(' ', 'T').replace(/Z?$/, 'Z')}` : v).toISOString();
  const p = await db.one<{ n: number | bigint }>(sql`SELECT count(*) AS n FROM ${currentPersonas()}`);
  return { first: iso(r?.first), latest: iso(r?.latest), personas: Number(p?.n ?? 0) };
}

export const dataRangeOperation = defineOperation({
  area: 'overview',
  verb: 'data-range',
  summary:
    'The time span of the workspace data (first and latest event, answer or case) and how many customers have a persona',
  params: DataRangeParams,
  mode: 'read',
  cache: {},
  run: (db) => getDataRange(db),
});
