import { z } from 'zod';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { TouchpointError } from './errors.js';

/**
 * The population filters every analysis that can honour them spreads into its schema
 * (`...FilterParams`), with the names the cockpit's filter bar sends (src/web/route.ts FILTER_KEYS):
 *
 * - `segment`: customers whose `customers.segment` is this value;
 * - `channel`: records on this channel (the case's opening channel, the answer's channel);
 * - `persona`: customers whose persona (its id or name) in the newest persona run is this one. Until
 *   personas are discovered, a persona filter is refused as `unavailable` ("no personas yet"), never
 *   silently ignored.
 */
export const FilterParams = {
  segment: z.string().min(1).optional().describe('only customers of this segment (customers.segment)'),
  channel: z.string().min(1).optional().describe('only records on this channel'),
  persona: z.string().min(1).optional().describe('only customers with this persona (once personas exist)'),
};

export interface FilterInput {
  readonly segment?: string | undefined;
  readonly channel?: string | undefined;
  readonly persona?: string | undefined;
}

/** Filters checked against the workspace (a persona needs personas). */
export interface Filters {
  readonly segment: string | null;
  readonly channel: string | null;
  readonly persona: string | null;
}

export const NO_FILTERS: Filters = { segment: null, channel: null, persona: null };

/** The newest persona run's id (runs are numbered r1, r2, …), as a scalar subquery. */
export const LATEST_RUN: SqlFragment = sql`(SELECT id FROM persona_runs
  ORDER BY TRY_CAST(substr(id, 2) AS INTEGER) DESC LIMIT 1)`;

/**
 * Each customer's current persona, as a relation `(customer_id, persona_id, persona)` (persona = its
 * name) of the newest run, from the tables the personas capability publishes (`customer_personas`,
 * `personas`): what `--by persona` and the persona filter join on. Empty before any run.
 */
export function currentPersonas(): SqlFragment {
  return sql`(SELECT cp.customer_id, cp.persona_id, p.name AS persona
    FROM customer_personas cp JOIN personas p ON p.run_id = cp.run_id AND p.id = cp.persona_id
    WHERE cp.run_id = ${LATEST_RUN})`;
}

export async function resolveFilters(db: Store, p: FilterInput): Promise<Filters> {
  const f: Filters = { segment: p.segment ?? null, channel: p.channel ?? null, persona: p.persona ?? null };
  if (f.persona !== null) {
    const t = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${currentPersonas()}`);
    if ((t?.n ?? 0) === 0)
      throw new TouchpointError(
        'unavailable',
        'persona: there are no personas yet; compute them first, or leave the persona filter out',
        { details: [{ field: 'persona', message: 'no personas yet' }] },
      );
  }
  return f;
}

/**
 * The SQL condition of the filters over a relation whose customer id and channel are the given
 * expressions (true when no filter is set).
 */
export function filterSql(f: Filters, on: { customer: SqlFragment; channel: SqlFragment }): SqlFragment {
  const parts: SqlFragment[] = [];
  if (f.segment !== null)
    parts.push(sql`${on.customer} IN (SELECT id FROM customers WHERE segment = ${f.segment})`);
  if (f.channel !== null) parts.push(sql`${on.channel} = ${f.channel}`);
  if (f.persona !== null)
    parts.push(
      sql`${on.customer} IN (SELECT customer_id FROM ${currentPersonas()} WHERE persona_id = ${f.persona} OR persona = ${f.persona})`,
    );
  return parts.reduce((a, b) => sql`${a} AND ${b}`, sql`true`);
}

/** The group of a customer without a persona in the newest run (a customer added after it). */
export const NO_PERSONA = '(no persona)';

/**
 * A customer's persona (its name) in the newest persona run, for `--by persona`: the customer id is
 * the given expression — qualify it (`f.customer_id`), or the subquery's own `customer_id` captures
 * it; a customer the run has not seen is `(no persona)`.
 */
export function personaOf(customer: SqlFragment): SqlFragment {
  return sql`coalesce((SELECT any_value(cp.persona) FROM ${currentPersonas()} cp WHERE cp.customer_id = ${customer}), ${NO_PERSONA})`;
}

/** Refuses `--by persona` before any persona run, with the words of the persona filter. */
export async function requirePersonas(db: Store, field = 'by'): Promise<void> {
  const t = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM persona_runs`);
  if ((t?.n ?? 0) === 0)
    throw new TouchpointError(
      'unavailable',
      `${field}: there are no personas yet; run \`touchpoint personas discover\` first, or break down by something else`,
      { details: [{ field, message: 'no personas yet' }] },
    );
}

/**
 * `--by persona` on an analysis that runs once per persona: refuses it beside a persona filter and
 * before any persona run, then gives the newest run's persona ids in order (the runs to make).
 */
export async function personasToRunEach(db: Store, persona: string | undefined): Promise<string[]> {
  if (persona)
    throw new TouchpointError('invalid_input', 'by: give either --by persona or --persona, not both', {
      details: [{ field: 'by', message: 'with --persona, leave --by out' }],
    });
  await requirePersonas(db);
  const ids = await db.all<{ persona_id: string }>(
    sql`SELECT DISTINCT persona_id FROM ${currentPersonas()} ORDER BY persona_id`,
  );
  return ids.map((r) => r.persona_id);
}

/**
 * The persona a finding is about when the analysis ran with a persona filter: `{ persona }` to spread
 * into the finding's slice (so "the delivery wait hurts mobile-first shoppers most" is its own
 * finding, not the population's), else nothing.
 */
export function personaSlice(p: FilterInput): { persona?: string } {
  return p.persona ? { persona: p.persona } : {};
}
