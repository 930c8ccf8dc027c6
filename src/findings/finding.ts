import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Store, sql } from '../store/index.js';

/** The 4 P's a finding belongs to. */
export const P_VALUES = ['product', 'process', 'policy', 'people'] as const;
export type P = (typeof P_VALUES)[number];

/**
 * Where a finding is. Only the keys that apply are set; the stable id is derived from kind + slice,
 * so the same problem found again keeps its id across runs.
 */
export const Slice = z
  .object({
    journey: z.string(),
    stage: z.string(),
    touchpoint: z.string(),
    channel: z.string(),
    team: z.string(),
    reason: z.string(),
    theme: z.string(),
    persona: z.string(),
    segment: z.string(),
    step: z.string(),
    from: z.string(),
    to: z.string(),
    lever: z.string(),
  })
  .partial();
export type Slice = z.infer<typeof Slice>;

/** A pointer that re-runs the drill-down, plus examples a person can read. */
export interface Evidence {
  readonly analysis: string;
  readonly params: Record<string, unknown>;
  readonly examples?: readonly {
    readonly kind: 'comment' | 'case' | 'customer' | 'event';
    readonly id: string;
    readonly text?: string;
  }[];
  readonly [extra: string]: unknown;
}

/** One problem found by one analysis run (DESIGN.md §1). */
export interface Finding {
  readonly kind: string;
  readonly p: P;
  readonly title: string;
  readonly slice: Slice;
  readonly metric: string;
  readonly value: number | null;
  readonly baseline: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly n: number | null;
  readonly smallSample: boolean;
  /** Ranking score within its analysis: larger is worse. Small samples are ranked after the rest. */
  readonly score: number;
  readonly customersAffected: number | null;
  readonly evidence: Evidence;
  readonly ownerTeam: string | null;
  readonly revenueAtRisk?: number | null;
  readonly costToServe?: number | null;
}

export interface StoredFinding extends Finding {
  readonly id: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly analysis: string;
  readonly rank: number;
}

/** Stable id: kind + the slice's keys in sorted order. */
export function findingId(kind: string, slice: Slice): string {
  const canonical = JSON.stringify(
    Object.keys(slice)
      .sort()
      .map((k) => [k, slice[k as keyof Slice]]),
  );
  return `${kind}:${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

/**
 * Orders findings the way every list shows them: well-measured before small samples (DESIGN.md §6),
 * then by score, larger first.
 */
export function rankFindings<F extends Pick<Finding, 'smallSample' | 'score'>>(list: readonly F[]): F[] {
  return [...list].sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || b.score - a.score);
}

/**
 * Writes one run of an analysis: a `finding_runs` row and its findings, ranked, in one transaction.
 * Returns the stored findings in rank order.
 */
export async function writeFindings(
  db: Store,
  analysis: string,
  params: Record<string, unknown>,
  findings: readonly Finding[],
  now: Date = new Date(),
): Promise<StoredFinding[]> {
  const runId = `${analysis}-${now.toISOString()}-${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 6)}`;
  const ranked = rankFindings(findings);
  const seen = new Set<string>();
  const stored: StoredFinding[] = [];
  ranked.forEach((f, i) => {
    const id = findingId(f.kind, f.slice);
    if (seen.has(id)) return; // one row per problem per run
    seen.add(id);
    stored.push({ ...f, id, runId, createdAt: now.toISOString(), analysis, rank: stored.length + 1 });
    void i;
  });
  await db.transaction(async (tx) => {
    await tx.exec(
      sql`INSERT OR REPLACE INTO finding_runs VALUES (${runId}, ${analysis}, ${JSON.stringify(params)}, ${now})`,
    );
    await tx.exec(sql`DELETE FROM findings WHERE run_id = ${runId}`);
    await tx.createTemp('findings_in', FINDING_COLUMNS);
    await tx.append(
      'findings_in',
      FINDING_COLUMNS,
      stored.map((f) => [
        f.id,
        f.runId,
        now,
        analysis,
        f.kind,
        f.p,
        f.title,
        JSON.stringify(f.slice),
        f.metric,
        num(f.value),
        num(f.baseline),
        num(f.ciLow),
        num(f.ciHigh),
        num(f.n),
        f.smallSample,
        f.score,
        f.rank,
        num(f.customersAffected),
        JSON.stringify(f.evidence),
        f.ownerTeam,
        num(f.revenueAtRisk),
        num(f.costToServe),
      ]),
    );
    await tx.exec(sql`INSERT INTO findings SELECT * FROM findings_in`);
    await tx.exec(sql`DROP TABLE findings_in`);
  });
  return stored;
}

const num = (v: number | null | undefined): number | null =>
  v === undefined || v === null || !Number.isFinite(v) ? null : v;

const FINDING_COLUMNS = [
  { name: 'id', type: 'varchar' },
  { name: 'run_id', type: 'varchar' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'analysis', type: 'varchar' },
  { name: 'kind', type: 'varchar' },
  { name: 'p', type: 'varchar' },
  { name: 'title', type: 'varchar' },
  { name: 'slice', type: 'json' },
  { name: 'metric', type: 'varchar' },
  { name: 'value', type: 'double' },
  { name: 'baseline', type: 'double' },
  { name: 'ci_low', type: 'double' },
  { name: 'ci_high', type: 'double' },
  { name: 'n', type: 'bigint' },
  { name: 'small_sample', type: 'boolean' },
  { name: 'score', type: 'double' },
  { name: 'rank', type: 'integer' },
  { name: 'customers_affected', type: 'bigint' },
  { name: 'evidence', type: 'json' },
  { name: 'owner_team', type: 'varchar' },
  { name: 'revenue_at_risk', type: 'double' },
  { name: 'cost_to_serve', type: 'double' },
] as const;
