import { type FilterInput, type Filters, filterSql, NO_FILTERS, resolveFilters } from '../core/filters.js';
import { resolveTimeFrame, type TimeFrame, type TimeFrameInput } from '../core/time.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';

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

/**
 * The time frame on `f.ts` and the filters on `f`: answers in [from, to) given up to as-of
 * (inclusive); each bound optional.
 * Resolve it with `resolveTimeFrame` (src/core/time.ts), which applies the workspace's zone.
 */
export function window(frame: TimeFrame, filters: Filters = NO_FILTERS): SqlFragment {
  const { from, to, asOf } = frame;
  return sql`(${from}::TIMESTAMP IS NULL OR f.ts >= ${from}::TIMESTAMP)
    AND (${to}::TIMESTAMP IS NULL OR f.ts < ${to}::TIMESTAMP)
    AND (${asOf}::TIMESTAMP IS NULL OR f.ts <= ${asOf}::TIMESTAMP)
    AND ${filterSql(filters, { customer: sql`f.customer_id`, channel: sql`f.channel` })}`;
}

/** The answers an analysis reads: its time frame and filters (workspace zone applied), on `f`. */
export async function answersIn(db: Store, p: TimeFrameInput & FilterInput): Promise<SqlFragment> {
  return window(await resolveTimeFrame(db, p), await resolveFilters(db, p));
}
