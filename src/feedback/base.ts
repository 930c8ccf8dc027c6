import { z } from 'zod';
import { type SqlFragment, sql } from '../store/index.js';

/** A date or UTC timestamp parameter (2026-03-01 or 2026-03-01T12:00:00Z). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?$/, 'a date like 2026-03-01 (UTC)');

/**
 * The owning team of a (touchpoint, channel): an exact channel row wins over the '*' row
 * (DESIGN.md §2). A fragment yielding `touchpoint, channel, team_id` for a join.
 */
export const ownersCte: SqlFragment = sql`owners AS (
  SELECT touchpoint, channel, team_id FROM touchpoint_owners
)`;

/** Correlated expression: the team owning feedback row `f`. */
export const ownerOf: SqlFragment = sql`(
  SELECT arg_min(o.team_id, CASE WHEN o.channel = f.channel THEN 0 ELSE 1 END)
  FROM touchpoint_owners o
  WHERE o.touchpoint = f.touchpoint AND (o.channel = f.channel OR o.channel = '*')
)`;

/** Optional inclusive-exclusive time window on `f.ts` (ISO dates or timestamps). */
export function window(from: string | undefined, to: string | undefined): SqlFragment {
  return sql`(${from ?? null}::TIMESTAMP IS NULL OR f.ts >= ${from ?? null}::TIMESTAMP)
    AND (${to ?? null}::TIMESTAMP IS NULL OR f.ts < ${to ?? null}::TIMESTAMP)`;
}
