import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { type Store, sql } from '../store/index.js';
import { P_VALUES, type StoredFinding } from './finding.js';

export const ListFindingsParams = z.object({
  kind: z.string().optional().describe('only findings of this kind (drop-off, theme, ping-pong, …)'),
  p: z.enum(P_VALUES).optional().describe('only this one of the 4 P’s'),
  owner: z.string().optional().describe('only findings owned by this team'),
  analysis: z.string().optional().describe('only findings of this analysis'),
  limit: z.number().int().min(1).max(10_000).default(50),
});
export type ListFindingsParams = z.output<typeof ListFindingsParams>;

interface Row {
  id: string;
  run_id: string;
  created_at: string;
  analysis: string;
  kind: string;
  p: StoredFinding['p'];
  title: string;
  slice: string;
  metric: string;
  value: number | null;
  baseline: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number | null;
  small_sample: boolean;
  score: number;
  rank: number;
  customers_affected: number | null;
  evidence: string;
  owner_team: string | null;
  revenue_at_risk: number | null;
  cost_to_serve: number | null;
}

/**
 * The findings of the latest run of every analysis, well-measured first, then by each analysis's own
 * rank interleaved by score. Filters apply after choosing the latest runs.
 */
export async function listFindings(db: Store, params: ListFindingsParams): Promise<StoredFinding[]> {
  const rows = await db.all<Row>(sql`
    WITH latest AS (
      SELECT analysis, arg_max(id, created_at) AS run_id FROM finding_runs GROUP BY analysis
    )
    SELECT f.* FROM findings f JOIN latest l ON f.run_id = l.run_id
    WHERE (${params.kind ?? null} IS NULL OR f.kind = ${params.kind ?? null})
      AND (${params.p ?? null} IS NULL OR f.p = ${params.p ?? null})
      AND (${params.owner ?? null} IS NULL OR f.owner_team = ${params.owner ?? null})
      AND (${params.analysis ?? null} IS NULL OR f.analysis = ${params.analysis ?? null})
    ORDER BY f.small_sample, f.rank, f.score DESC, f.id
    LIMIT ${params.limit}`);
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    createdAt: r.created_at,
    analysis: r.analysis,
    kind: r.kind,
    p: r.p,
    title: r.title,
    slice: JSON.parse(r.slice),
    metric: r.metric,
    value: r.value,
    baseline: r.baseline,
    ciLow: r.ci_low,
    ciHigh: r.ci_high,
    n: r.n,
    smallSample: r.small_sample,
    score: r.score,
    rank: r.rank,
    customersAffected: r.customers_affected,
    evidence: JSON.parse(r.evidence),
    ownerTeam: r.owner_team,
    revenueAtRisk: r.revenue_at_risk,
    costToServe: r.cost_to_serve,
  }));
}

export const listFindingsOperation = defineOperation({
  area: 'findings',
  verb: 'list',
  summary: 'What every analysis found: the latest run of each, ranked, with evidence and owner',
  params: ListFindingsParams,
  mode: 'read',
  listField: 'findings',
  run: async (db, params) => ({ findings: await listFindings(db, params) }),
  present: (r) => [
    {
      rows: r.findings.map((f) => ({
        rank: f.rank,
        analysis: f.analysis,
        kind: f.kind,
        p: f.p,
        title: f.title,
        value: f.value,
        baseline: f.baseline,
        n: f.n,
        customers: f.customersAffected,
        owner: f.ownerTeam,
        flag: f.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
