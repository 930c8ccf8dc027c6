import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { type Store, sql } from '../store/index.js';
import { type FindingRow, fromRow, P_VALUES, type StoredFinding } from './finding.js';

export const ListFindingsParams = z.object({
  kind: z.string().optional().describe('only findings of this kind (drop-off, theme, ping-pong, …)'),
  p: z.enum(P_VALUES).optional().describe('only this one of the 4 P’s'),
  owner: z.string().optional().describe('only findings owned by this team'),
  analysis: z.string().optional().describe('only findings of this analysis'),
  limit: z.number().int().min(1).max(10_000).default(50),
});
export type ListFindingsParams = z.output<typeof ListFindingsParams>;

/** A listed finding: `rank` is its place in the one list, `analysisRank` its place in its analysis. */
export interface ListedFinding extends StoredFinding {
  readonly analysisRank: number;
}

/**
 * One order across analyses whose scores are not comparable with each other: well-measured before
 * small samples (DESIGN.md §6), then in rounds by each analysis's own rank — every analysis's worst
 * problem first, then every second one, … — and within a round the finding reaching the most
 * customers first (unknown reach last; ties by analysis name). Each analysis keeps its own order
 * inside the list, so the list filtered to one analysis is that analysis's ranking, and no
 * analysis's headline is buried under another's long tail because it measures fewer people.
 */
export function rankAcross(findings: readonly StoredFinding[]): ListedFinding[] {
  const reach = (f: StoredFinding) => f.customersAffected ?? -1;
  return [...findings]
    .sort(
      (a, b) =>
        Number(a.smallSample) - Number(b.smallSample) ||
        a.rank - b.rank ||
        reach(b) - reach(a) ||
        a.analysis.localeCompare(b.analysis) ||
        a.id.localeCompare(b.id),
    )
    .map((f, i) => ({ ...f, analysisRank: f.rank, rank: i + 1 }));
}

/**
 * The findings of the latest run of every analysis in one rank order ({@link rankAcross}). Filters
 * apply after choosing the latest runs.
 */
export async function listFindings(db: Store, params: ListFindingsParams): Promise<ListedFinding[]> {
  const rows = await db.all<FindingRow>(sql`
    WITH latest AS (
      SELECT analysis, arg_max(id, created_at) AS run_id FROM finding_runs GROUP BY analysis
    )
    SELECT f.* FROM findings f JOIN latest l ON f.run_id = l.run_id
    WHERE (${params.kind ?? null} IS NULL OR f.kind = ${params.kind ?? null})
      AND (${params.p ?? null} IS NULL OR f.p = ${params.p ?? null})
      AND (${params.owner ?? null} IS NULL OR f.owner_team = ${params.owner ?? null})
      AND (${params.analysis ?? null} IS NULL OR f.analysis = ${params.analysis ?? null})`);
  return rankAcross(rows.map(fromRow)).slice(0, params.limit);
}

export const listFindingsOperation = defineOperation({
  area: 'findings',
  verb: 'list',
  summary: 'What every analysis found: the latest run of each, ranked, with evidence and owner',
  params: ListFindingsParams,
  mode: 'read',
  cache: {},
  listField: 'findings',
  run: async (db, params) => ({ findings: await listFindings(db, params) }),
  present: (r) => [
    r.findings.length === 0
      ? {
          text: 'No findings yet. Analyses that rank problems record them: touchpoint journey pain-points, journey moments, feedback themes, feedback drivers, cases ping-pong, cases levers, cases inflow, cases communication (touchpoint start runs them on the demo company).',
        }
      : {
          columns: [
            'rank',
            'p',
            'customers',
            'n',
            'value',
            'baseline',
            'owner',
            'analysis',
            'flag',
            'finding',
          ],
          rows: r.findings.map((f) => ({
            rank: f.rank,
            p: f.p,
            customers: f.customersAffected,
            n: f.n,
            value: figure(f, f.value),
            baseline: figure(f, f.baseline),
            owner: f.ownerTeam ?? '',
            analysis: f.analysis.replace('.', ' '),
            flag: f.smallSample ? 'small sample' : '',
            finding: f.title,
          })),
        },
  ],
});

/**
 * A finding's figure as its title speaks: a title in percentages ("51.3% wait over 48 h") gets its
 * shares as percentages, and a difference of shares as points; other figures are left as numbers.
 */
export function figure(
  f: Pick<StoredFinding, 'title' | 'metric' | 'value' | 'baseline'>,
  v: number | null,
): string | number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const shares = [f.value, f.baseline].every((x) => x === null || Math.abs(x) <= 1);
  if (!f.title.includes('%') || !shares) return v;
  const difference = /−|difference|\bvs\b.*\bgap\b/.test(f.metric);
  const pct = (Math.round(Number((1000 * v).toPrecision(12))) / 10).toFixed(1);
  return difference ? `${v > 0 ? '+' : ''}${pct} pts` : `${pct}%`;
}

/** One finding by its stable id, as its latest run stored it; null when no run found it. */
export async function getFinding(db: Store, id: string): Promise<StoredFinding | null> {
  const r = await db.one<FindingRow>(
    sql`SELECT * FROM findings WHERE id = ${id} ORDER BY created_at DESC LIMIT 1`,
  );
  return r ? fromRow(r) : null;
}
