import { TouchpointError } from '../core/errors.js';
import { currentPersonas } from '../personas/index.js';
import { ident, type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * Breakdown dimensions shared by funnel and pain points: `channel` (the channel of the person's
 * entry event), `segment:FIELD` (a customers column, or a key of customers.attributes), `cohort`
 * (the month, UTC, the customer was created, else the month of entry) and `persona` (the
 * customer_personas assignment).
 */
export type Dimension =
  | { readonly kind: 'channel' }
  | { readonly kind: 'segment'; readonly field: string }
  | { readonly kind: 'cohort' }
  | { readonly kind: 'persona' };

export function parseDimension(text: string): Dimension {
  if (text === 'channel' || text === 'cohort' || text === 'persona') return { kind: text };
  const m = /^segment:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (m) return { kind: 'segment', field: m[1]! };
  throw new TouchpointError('invalid_input', `by: unknown breakdown ${text}`, {
    details: [{ field: 'by', message: 'use channel, segment:FIELD, cohort or persona' }],
  });
}

export const dimensionName = (d: Dimension): string => (d.kind === 'segment' ? `segment:${d.field}` : d.kind);

const CUSTOMER_COLUMNS_HIDDEN = new Set(['attributes', 'import_id', 'updated_import_id']);

/**
 * SQL for a dimension's value per person. `c` is the customers row joined on the person, `entryChannel`
 * and `entryTs` are the person's entry event's channel and time. Checks prerequisites (columns, the
 * personas table) and throws a TouchpointError a person can act on.
 */
export async function dimensionSql(
  db: Store,
  d: Dimension,
  entryChannel: SqlFragment,
  entryTs: SqlFragment,
): Promise<SqlFragment> {
  switch (d.kind) {
    case 'channel':
      return entryChannel;
    case 'cohort':
      return sql`strftime(coalesce(c.created_at, ${entryTs}), '%Y-%m')`;
    case 'segment': {
      const cols = await db.all<{ column_name: string }>(
        sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'`,
      );
      const known = cols.map((c) => c.column_name).filter((c) => !CUSTOMER_COLUMNS_HIDDEN.has(c));
      if (known.includes(d.field)) return sql`CAST(c.${ident(d.field)} AS VARCHAR)`;
      return sql`json_extract_string(c.attributes, ${`$.${d.field}`})`;
    }
    case 'persona': {
      const t = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM persona_runs`);
      if (!t || t.n === 0) {
        throw new TouchpointError(
          'unavailable',
          'there are no personas yet: compute them with the personas capability first, then break down by persona',
        );
      }
      return sql`(SELECT any_value(cp.persona) FROM ${currentPersonas()} cp WHERE cp.customer_id = c.id)`;
    }
  }
}
