import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type BulkRow, type ColumnSpec, type ColumnType, raw, type Store, sql } from '../store/index.js';

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
    await tx.createTemp('findings_in', FIELDS);
    await tx.append(
      'findings_in',
      FIELDS,
      stored.map((f) => FIELDS.map((c) => cell(c.type, c.field === 'createdAt' ? now : f[c.field]))),
    );
    // columns named: later migrations add columns to findings (docs/health.md: the interval of the money)
    await tx.exec(
      sql`INSERT INTO findings (${raw(FIELDS.map((c) => c.name).join(', '))}) SELECT * FROM findings_in`,
    );
    await tx.exec(sql`DROP TABLE findings_in`);
    return stored;
  });
}

/** What a run says, without when it ran: two runs with equal fingerprints found the same. */
function fingerprint(f: Omit<StoredFinding, 'runId' | 'createdAt'>): string {
  return JSON.stringify(
    FIELDS.filter((c) => c.found).map((c) => {
      const v = (f as Partial<StoredFinding>)[c.field];
      return c.type === 'json'
        ? (JSON.parse(JSON.stringify(v ?? null)) as unknown)
        : (cell(c.type, v) ?? null);
    }),
  );
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

/**
 * The one list of a finding's stored fields: its column, its engine type, and how a value crosses
 * (`json`: stored as JSON text; `num`: a non-finite number is stored as null). `writeFindings`,
 * `fromRow` and the run fingerprint are all read from it. `found: false` marks what is not part of
 * what an analysis found (when it ran; the money, which the business case fills in afterwards).
 */
const FIELDS = [
  { field: 'id', name: 'id', type: 'varchar', found: true },
  { field: 'runId', name: 'run_id', type: 'varchar', found: false },
  { field: 'createdAt', name: 'created_at', type: 'timestamp', found: false },
  { field: 'analysis', name: 'analysis', type: 'varchar', found: true },
  { field: 'kind', name: 'kind', type: 'varchar', found: true },
  { field: 'p', name: 'p', type: 'varchar', found: true },
  { field: 'title', name: 'title', type: 'varchar', found: true },
  { field: 'slice', name: 'slice', type: 'json', found: true },
  { field: 'metric', name: 'metric', type: 'varchar', found: true },
  { field: 'value', name: 'value', type: 'double', found: true },
  { field: 'baseline', name: 'baseline', type: 'double', found: true },
  { field: 'ciLow', name: 'ci_low', type: 'double', found: true },
  { field: 'ciHigh', name: 'ci_high', type: 'double', found: true },
  { field: 'n', name: 'n', type: 'bigint', found: true },
  { field: 'smallSample', name: 'small_sample', type: 'boolean', found: true },
  { field: 'score', name: 'score', type: 'double', found: true },
  { field: 'rank', name: 'rank', type: 'integer', found: true },
  { field: 'customersAffected', name: 'customers_affected', type: 'bigint', found: true },
  { field: 'evidence', name: 'evidence', type: 'json', found: true },
  { field: 'ownerTeam', name: 'owner_team', type: 'varchar', found: true },
  { field: 'revenueAtRisk', name: 'revenue_at_risk', type: 'double', found: false },
  { field: 'costToServe', name: 'cost_to_serve', type: 'double', found: false },
  { field: 'revenueAtRiskLow', name: 'revenue_at_risk_low', type: 'double', found: false },
  { field: 'revenueAtRiskHigh', name: 'revenue_at_risk_high', type: 'double', found: false },
] as const satisfies readonly (ColumnSpec & { field: keyof StoredFinding; found: boolean })[];

/** A `findings` row as the database returns it (JSON columns as text). */
export type FindingRow = Record<(typeof FIELDS)[number]['name'], unknown>;

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : null;

/** A stored value as the engine takes it (the bulk appender's cell). */
function cell(type: ColumnType, v: unknown): BulkRow[number] {
  if (v === undefined || v === null) return null;
  if (type === 'json') return JSON.stringify(v);
  if (type === 'double' || type === 'bigint' || type === 'integer') return num(v);
  if (type === 'timestamp') return v instanceof Date ? v : new Date(String(v));
  return v as string | boolean;
}

export function fromRow(r: FindingRow): StoredFinding {
  const f: Record<string, unknown> = {};
  for (const c of FIELDS) {
    const v = r[c.name];
    f[c.field] =
      c.type === 'json'
        ? typeof v === 'string'
          ? JSON.parse(v)
          : v
        : c.type === 'double' || c.type === 'bigint' || c.type === 'integer'
          ? num(v)
          : (v ?? null);
  }
  return f as unknown as StoredFinding;
}
