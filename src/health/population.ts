import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { resolveInstant, TimeFrameParams } from '../core/time.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * Who is in a survival or retention analysis, and how they are grouped (docs/health.md §Population).
 * A customer enters at `created_at` and leaves at `churned_at`; one still here is censored at the
 * data's end (as of: the latest event, signup or churn recorded, unless given).
 */

export const groupParam = z
  .string()
  .default('none')
  .describe('group by: none, segment, plan, region, country, first-channel, or attribute:NAME');

/** The data's end (default: the latest event, signup or churn recorded): the one `asOf` schema. */
export const asOfParam = TimeFrameParams.asOf;

/** SQL expression of the group of customer `c` (aliased table `customers c`). */
export function groupSql(by: string): SqlFragment {
  switch (by) {
    case 'none':
      return sql`'all'`;
    case 'segment':
      return sql`coalesce(c.segment, '(missing)')`;
    case 'plan':
      return sql`coalesce(c.plan, '(missing)')`;
    case 'region':
      return sql`coalesce(c.region, '(missing)')`;
    case 'country':
      return sql`coalesce(c.country, '(missing)')`;
    case 'first-channel':
      return sql`coalesce((SELECT arg_min(e.channel, e.ts) FROM events e WHERE e.customer_id = c.id), '(no events)')`;
    default: {
      const m = /^attribute:(.+)$/.exec(by);
      if (!m?.[1])
        throw new TouchpointError(
          'invalid_input',
          `by: "${by}" is not one of none, segment, plan, region, country, first-channel, attribute:NAME`,
          { details: [{ field: 'by', message: 'unknown grouping' }] },
        );
      return sql`coalesce(CAST(c.attributes->>${m[1]} AS VARCHAR), '(missing)')`;
    }
  }
}

/** The data's end: the given time, else the latest event, signup or churn recorded. */
export async function resolveAsOf(db: Store, asOf: string | undefined, field = 'asOf'): Promise<Date> {
  // one time parser: a zone-less time is read in the workspace zone
  const given = await resolveInstant(db, asOf, field);
  if (given) return given;
  const r = await db.one<{ t: string | Date | null }>(sql`
    SELECT greatest(
      (SELECT max(ts) FROM events),
      (SELECT max(created_at) FROM customers),
      (SELECT max(churned_at) FROM customers)) AS t`);
  if (!r?.t)
    throw new TouchpointError('unavailable', 'no customers with dates: import customers with created_at');
  return new Date(r.t);
}
