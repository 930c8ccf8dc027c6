import { createHash } from 'node:crypto';
import { z } from 'zod';
import { raw, type Store, sql } from '../store/index.js';

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
    policy: z.string(),
    /** The stored monitor that raised an `alert` finding (src/monitors). */
    monitor: z.string(),
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
  /** Filled by the business case (`health business-case`, docs/health.md): a year's revenue at risk, 95% interval. */
  readonly revenueAtRisk?: number | null;
  readonly revenueAtRiskLow?: number | null;
  readonly revenueAtRiskHigh?: number | null;
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
  return db.transaction(async (tx) => {
    // reading again finds the same: the latest run stands, nothing is added (docs/decisions.md)
    const same = await sameAsLatestRun(tx, analysis, params, stored);
    if (same) return same;
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
        num(f.revenueAtRiskLow),
        num(f.revenueAtRiskHigh),
      ]),
    );
    // columns named: later migrations add columns to findings (docs/health.md: the interval of the money)
    await tx.exec(
      sql`INSERT INTO findings (${raw(FINDING_COLUMNS.map((c) => c.name).join(', '))}) SELECT * FROM findings_in`,
    );
    await tx.exec(sql`DROP TABLE findings_in`);
    return stored;
  });
}

/** What a run says, without when it ran: two runs with equal fingerprints found the same. */
function fingerprint(f: Omit<StoredFinding, 'runId' | 'createdAt'>): string {
  const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as unknown;
  return JSON.stringify([
    f.id,
    f.analysis,
    f.kind,
    f.p,
    f.title,
    json(f.slice),
    f.metric,
    num(f.value),
    num(f.baseline),
    num(f.ciLow),
    num(f.ciHigh),
    num(f.n),
    f.smallSample,
    num(f.score),
    f.rank,
    num(f.customersAffected),
    json(f.evidence),
    f.ownerTeam ?? null,
    // the money is the business case's, filled in after the analysis ran: not part of what it found
  ]);
}

/**
 * The latest run of `analysis`, as stored, when it had the same parameters and found exactly these
 * findings (same ids, figures, ranks and evidence); undefined otherwise.
 */
async function sameAsLatestRun(
  db: Store,
  analysis: string,
  params: Record<string, unknown>,
  findings: readonly StoredFinding[],
): Promise<StoredFinding[] | undefined> {
  const run = await db.one<{ id: string; params: string }>(
    sql`SELECT id, params::VARCHAR AS params FROM finding_runs WHERE analysis = ${analysis}
        ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  if (!run || JSON.stringify(JSON.parse(run.params)) !== JSON.stringify(JSON.parse(JSON.stringify(params))))
    return undefined;
  const previous = await readRun(db, run.id);
  if (previous.length !== findings.length) return undefined;
  return previous.every((f, i) => fingerprint(f) === fingerprint(findings[i]!)) ? previous : undefined;
}

/** The stored findings of one run, in its rank order. */
export async function readRun(db: Store, runId: string): Promise<StoredFinding[]> {
  const rows = await db.all<FindingRow>(
    sql`SELECT * FROM findings WHERE run_id = ${runId} ORDER BY rank, id`,
  );
  return rows.map(fromRow);
}

/** A `findings` row as the database returns it. */
export interface FindingRow {
  id: string;
  run_id: string;
  created_at: string;
  analysis: string;
  kind: string;
  p: P;
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
  revenue_at_risk_low?: number | null;
  revenue_at_risk_high?: number | null;
}

export function fromRow(r: FindingRow): StoredFinding {
  return {
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
    revenueAtRiskLow: r.revenue_at_risk_low ?? null,
    revenueAtRiskHigh: r.revenue_at_risk_high ?? null,
    costToServe: r.cost_to_serve,
  };
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
  { name: 'revenue_at_risk_low', type: 'double' },
  { name: 'revenue_at_risk_high', type: 'double' },
] as const;
