import { type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * The people behind a finding, kept by the analysis that counted them (table `finding_members`,
 * migration 0085): so the list a person pages and exports is the finding's own count, not a
 * population re-drawn later from data that may have changed since.
 */
export interface FindingMember {
  /** The person key the analysis counted (stitched; anonymous visitors have one too). */
  readonly person: string;
  readonly customerId: string | null;
  /** When they first showed the problem there. */
  readonly at: string;
  readonly what: string;
  readonly detail: string;
}

/** The table, named once. */
export const FINDING_MEMBERS = 'finding_members';

/**
 * Stores the members of a run's findings: `rows` selects (finding_id, person, customer_id, seen_at,
 * what, detail), one row per person and finding. The run's earlier rows are replaced, in one transaction.
 */
export async function writeFindingMembers(db: Store, runId: string, rows: SqlFragment): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.exec(sql`DELETE FROM finding_members WHERE run_id = ${runId}`);
    await tx.exec(sql`INSERT INTO finding_members (run_id, finding_id, person, customer_id, seen_at, what, detail)
      SELECT ${runId}, finding_id, person::VARCHAR, customer_id, seen_at, what, detail FROM (${rows})`);
    const n = await tx.one<{ n: number }>(
      sql`SELECT count(*)::INTEGER AS n FROM finding_members WHERE run_id = ${runId}`,
    );
    return n?.n ?? 0;
  });
}

/** The members of one finding of one run, those with a customer id first, then by time; null when the run kept none. */
export async function findingMembers(
  db: Store,
  runId: string,
  findingId: string,
): Promise<FindingMember[] | null> {
  const rows = await db.all<{
    person: string;
    customer_id: string | null;
    at: string;
    what: string;
    detail: string;
  }>(sql`SELECT person, customer_id, strftime(seen_at, '%Y-%m-%dT%H:%M:%SZ') AS at, what, detail FROM finding_members
    WHERE run_id = ${runId} AND finding_id = ${findingId}
    ORDER BY customer_id IS NULL, seen_at, customer_id, person`);
  if (rows.length === 0) return null;
  return rows.map((r) => ({
    person: r.person,
    customerId: r.customer_id,
    at: r.at,
    what: r.what,
    detail: r.detail,
  }));
}
