import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { instant, parseTime, resolveInstant, workspaceZone } from '../core/time.js';
import type { Store } from '../store/index.js';
import { sql } from '../store/index.js';
import { type Experiment, getExperiment, type Variant } from './stored.js';

/**
 * Deterministic assignment (docs/experiments.md, "Assignment"), the same in every language:
 *
 *   h = FNV-1a 32-bit of the UTF-8 bytes of `<experiment id>:<customer id>`
 *       (offset basis 2166136261, prime 16777619, arithmetic mod 2³²)
 *   bucket = h / 2³² (in [0, 1))
 *   arm = the first arm, in declared order, whose cumulative share of the weights exceeds the bucket.
 *
 * Test vector: `delivery-sms:c1` → h = 1340793873, bucket 0.3121779; with control=50,sms=50 the arm is
 * `control`; `delivery-sms:cust-000042` → 2991634243, 0.6965441 → `sms`.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function bucketOf(experimentId: string, customerId: string): number {
  return fnv1a32(`${experimentId}:${customerId}`) / 2 ** 32;
}

export function armFor(experimentId: string, customerId: string, variants: readonly Variant[]): string {
  const b = bucketOf(experimentId, customerId);
  const total = variants.reduce((a, v) => a + v.weight, 0);
  let cum = 0;
  for (const v of variants) {
    cum += v.weight / total;
    if (b < cum) return v.name;
  }
  return variants[variants.length - 1]!.name;
}

export const AssignParams = z.object({
  experiment: z.string().min(1).describe('the experiment id'),
  customer: z
    .array(z.string().min(1))
    .min(1)
    .max(10_000)
    .describe('customer ids (comma-separated or repeated)'),
  at: instant
    .optional()
    .describe('when they were exposed (default now); recorded once, the first exposure stays'),
  record: z.boolean().default(true).describe('record the exposure (--no-record only tells the arm)'),
});
export type AssignParams = z.input<typeof AssignParams>;

export interface AssignResult {
  readonly experiment: string;
  readonly assignments: readonly {
    readonly customer: string;
    readonly arm: string;
    readonly bucket: number;
  }[];
  readonly recorded: number;
}

/** The arm of each customer, and (by default) their exposure recorded at `at` if not exposed before. */
export async function assign(
  db: Store,
  params: AssignParams,
  ctx: { now?: Date } = {},
): Promise<AssignResult> {
  const p = AssignParams.parse(params);
  const e = await getExperiment(db, p.experiment);
  const at = (await resolveInstant(db, p.at, 'at')) ?? ctx.now ?? new Date();
  const assignments = [...new Set(p.customer)].map((c) => ({
    customer: c,
    arm: armFor(e.id, c, e.variants),
    bucket: bucketOf(e.id, c),
  }));
  let recorded = 0;
  if (p.record)
    await db.transaction(async (tx) => {
      const before = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM experiment_exposures WHERE experiment_id = ${e.id}`,
      );
      await tx.exec(sql`INSERT INTO experiment_exposures
        SELECT ${e.id}, u.c, u.a, ${at.toISOString()}::TIMESTAMP, 'assign'
        FROM (SELECT unnest(${assignments.map((a) => a.customer)}::VARCHAR[]) AS c,
                     unnest(${assignments.map((a) => a.arm)}::VARCHAR[]) AS a) u
        ON CONFLICT DO NOTHING`);
      const after = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM experiment_exposures WHERE experiment_id = ${e.id}`,
      );
      recorded = Number(after?.n ?? 0) - Number(before?.n ?? 0);
    });
  return { experiment: e.id, assignments, recorded };
}

export const ImportExposuresParams = z.object({
  experiment: z.string().min(1).describe('the experiment id'),
  file: z
    .string()
    .min(1)
    .optional()
    .describe('CSV: customer_id, arm, exposed_at (header row; any column order)'),
  csv: z
    .string()
    .optional()
    .describe('the CSV text (the CLI reads --file into it; the API takes it in the body)'),
});
export type ImportExposuresParams = z.input<typeof ImportExposuresParams>;

export interface ImportExposuresResult {
  readonly experiment: string;
  readonly rows: number;
  readonly added: number;
  readonly alreadyExposed: number;
  readonly byArm: Readonly<Record<string, number>>;
}

/**
 * Imports exposures made elsewhere (a feature-flag tool, a CRM campaign): one row per customer with its
 * arm and exposure time. Every row is checked (one clean line naming file, line and field); a customer
 * already exposed keeps the first exposure, and one listed under another arm than stored is refused.
 */
export async function importExposures(
  db: Store,
  params: ImportExposuresParams,
): Promise<ImportExposuresResult> {
  const p = ImportExposuresParams.parse(params);
  const e: Experiment = await getExperiment(db, p.experiment);
  const name = p.file ?? 'exposures';
  if (p.csv === undefined)
    throw new TouchpointError(
      'invalid_input',
      'file: give the CSV of exposures (customer_id, arm, exposed_at)',
      {
        details: [{ field: 'file', message: 'missing' }],
      },
    );
  const bad = (line: number, field: string, message: string): never => {
    throw new TouchpointError('invalid_input', `${name}:${line}: ${field}: ${message}`, {
      details: [{ file: name, line, field, message }],
    });
  };
  let records: string[][];
  try {
    records = parse(p.csv, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true });
  } catch (err) {
    const m = /line (\d+)/i.exec(String(err));
    return bad(
      Number(m?.[1] ?? 1),
      'file',
      `not a readable CSV (${String((err as Error).message).split('\n')[0]})`,
    );
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const col = (names: string[]) => {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0) bad(1, names[0]!, `no ${names.join(' / ')} column (header: ${header.join(', ')})`);
    return i;
  };
  const ci = col(['customer_id', 'customer', 'unit']);
  const ai = col(['arm', 'variant']);
  const ti = col(['exposed_at', 'timestamp', 'ts']);
  const zone = await workspaceZone(db);
  const arms = new Set(e.variants.map((v) => v.name));
  const seen = new Map<string, { arm: string; line: number }>();
  const rows: { c: string; a: string; t: string }[] = [];
  for (const [k, r] of records.slice(1).entries()) {
    const line = k + 2;
    const c = r[ci] ?? '';
    const a = r[ai] ?? '';
    if (c === '') bad(line, 'customer_id', 'empty');
    if (!arms.has(a))
      bad(line, 'arm', `${JSON.stringify(a)} is not an arm of ${e.id} (${[...arms].join(', ')})`);
    const t = parseTime(r[ti] ?? '', zone);
    if (!t.ok) bad(line, 'exposed_at', t.message);
    const ms = t.ok ? t.ms : 0;
    const prev = seen.get(c);
    if (prev && prev.arm !== a) bad(line, 'arm', `customer ${c} is in ${prev.arm} on line ${prev.line}`);
    if (!prev) seen.set(c, { arm: a, line });
    rows.push({ c, a, t: new Date(ms).toISOString() });
  }
  return db.transaction(async (tx) => {
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE exposures_in AS
      SELECT c AS customer_id, a AS arm, min(t::TIMESTAMP) AS exposed_at
      FROM (SELECT unnest(${rows.map((r) => r.c)}::VARCHAR[]) AS c, unnest(${rows.map((r) => r.a)}::VARCHAR[]) AS a,
                   unnest(${rows.map((r) => r.t)}::VARCHAR[]) AS t)
      GROUP BY ALL`);
    const clash = await tx.one<{ customer_id: string; arm: string; stored: string }>(sql`
      SELECT i.customer_id, i.arm, x.arm AS stored FROM exposures_in i
      JOIN experiment_exposures x ON x.experiment_id = ${e.id} AND x.customer_id = i.customer_id AND x.arm <> i.arm
      LIMIT 1`);
    if (clash) {
      const line = rows.findIndex((r) => r.c === clash.customer_id) + 2;
      bad(line, 'arm', `customer ${clash.customer_id} is already exposed in ${clash.stored}`);
    }
    const before = await tx.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM experiment_exposures WHERE experiment_id = ${e.id}`,
    );
    await tx.exec(sql`INSERT INTO experiment_exposures
      SELECT ${e.id}, customer_id, arm, exposed_at, 'import' FROM exposures_in ON CONFLICT DO NOTHING`);
    const after = await tx.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM experiment_exposures WHERE experiment_id = ${e.id}`,
    );
    const byArm = await tx.all<{ arm: string; n: number }>(
      sql`SELECT arm, count(*) AS n FROM exposures_in GROUP BY arm ORDER BY arm`,
    );
    await tx.exec(sql`DROP TABLE exposures_in`);
    const added = Number(after?.n ?? 0) - Number(before?.n ?? 0);
    return {
      experiment: e.id,
      rows: rows.length,
      added,
      alreadyExposed: seen.size - added,
      byArm: Object.fromEntries(byArm.map((r) => [r.arm, Number(r.n)])),
    };
  });
}
