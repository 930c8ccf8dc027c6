import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { LATEST_RUN } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { attributeSpace } from './attributes.js';
import { BEHAVIOUR_COLUMNS } from './columns.js';
import { type Distinction, descriptionOf } from './describe.js';
import { computeFeatures } from './features.js';
import { nearest, type Scaling, scaleAll } from './model.js';

/** The published assignment table: every customer of a run with its persona (DESIGN.md §1 slices). */
export const CUSTOMER_PERSONAS = 'customer_personas';

/** A row of `customer_personas`. */
export interface CustomerPersonaRow {
  readonly run_id: string;
  readonly customer_id: string;
  readonly persona_id: string;
  /** Euclidean distance to the persona's centroid in the run's standardised space. */
  readonly distance: number;
}

// the published relation is defined once, beside the persona filter that reads it
export { currentPersonas, LATEST_RUN } from '../core/filters.js';

export interface RunRow {
  readonly id: string;
  readonly created_at: string;
  readonly mode: 'behaviour' | 'attributes';
  readonly seed: number;
  readonly k: number;
  readonly customers: number;
  readonly thin_history: number;
  readonly stability_ari: number | null;
  readonly scaling: string;
  readonly notes: string;
}

export async function latestRun(db: Store): Promise<RunRow> {
  const r =
    await db.one<RunRow>(sql`SELECT id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, mode, seed,
      k, customers, thin_history, stability_ari, CAST(scaling AS VARCHAR) AS scaling, CAST(notes AS VARCHAR) AS notes
    FROM persona_runs WHERE id = ${LATEST_RUN}`);
  if (!r) {
    throw new TouchpointError(
      'unavailable',
      'there are no personas yet: run `touchpoint personas discover` first',
    );
  }
  return r;
}

export interface PersonaRow {
  readonly id: string;
  readonly name: string;
  readonly named_by: 'vocabulary' | 'user';
  readonly note: string | null;
  readonly status: 'new' | 'matched' | 'retired';
  readonly matched_from: string | null;
  readonly size: number;
  readonly jaccard: number | null;
  readonly stability: 'stable' | 'moderate' | 'unstable' | 'unknown';
  readonly distinguishing: readonly Distinction[];
  readonly centroid: readonly number[];
}

export async function personasOf(db: Store, runId: string): Promise<PersonaRow[]> {
  const rows = await db.all<Omit<PersonaRow, 'distinguishing' | 'centroid'> & { d: string; c: string }>(
    sql`SELECT id, name, named_by, note, status, matched_from, size, jaccard, stability,
      CAST(distinguishing AS VARCHAR) AS d, CAST(centroid AS VARCHAR) AS c
    FROM personas WHERE run_id = ${runId}
    ORDER BY status = 'retired', size DESC, id`,
  );
  return rows.map(({ d, c, ...r }) => ({ ...r, distinguishing: JSON.parse(d), centroid: JSON.parse(c) }));
}

export interface ListResult {
  readonly run: Omit<RunRow, 'scaling' | 'notes'> & { readonly notes: readonly string[] };
  readonly personas: readonly (Omit<PersonaRow, 'centroid' | 'distinguishing'> & {
    readonly share: number;
    readonly description: string;
  })[];
}

export async function listPersonas(db: Store): Promise<ListResult> {
  const { scaling: _s, notes, ...run } = await latestRun(db);
  const personas = await personasOf(db, run.id);
  return {
    run: { ...run, notes: JSON.parse(notes) },
    personas: personas.map(({ centroid: _c, distinguishing, ...p }) => ({
      ...p,
      share: run.customers > 0 ? p.size / run.customers : 0,
      description:
        p.status === 'retired' ? 'retired: no persona of this run matches it' : descriptionOf(distinguishing),
    })),
  };
}

export const listOperation = defineOperation({
  area: 'personas',
  verb: 'list',
  summary: 'The personas of the newest run: size, share, stability and description',
  params: z.object({}),
  mode: 'read',
  isDefault: true,
  run: (db) => listPersonas(db),
  present: (r) => [
    {
      text: `Run ${r.run.id} (${r.run.mode}, ${r.run.created_at}): ${r.run.k} personas, ${r.run.customers.toLocaleString('en-US')} customers, bootstrap ARI ${r.run.stability_ari?.toFixed(2) ?? '—'}.`,
    },
    {
      rows: r.personas.map((p) => ({
        id: p.id,
        name: p.name,
        status: p.status,
        customers: p.size,
        share: `${Math.round(p.share * 100)}%`,
        stability: `${p.stability} (${p.jaccard?.toFixed(2) ?? '—'})`,
        description: p.description,
      })),
    },
  ],
});

export const RenameParams = z.object({
  id: z.string().min(1).describe('persona id (p1, p2, …)'),
  name: z.string().trim().min(1).max(80).optional().describe('the new name'),
  note: z.string().max(2000).optional().describe('a note kept with the persona across runs'),
});

/** Renames and/or annotates a persona of the newest run; later runs that match it keep both. */
export async function renamePersona(
  db: Store,
  params: z.output<typeof RenameParams>,
): Promise<{ id: string; name: string; note: string | null }> {
  if (params.name === undefined && params.note === undefined) {
    throw new TouchpointError('invalid_input', 'name: give a new name, a note, or both');
  }
  return db.transaction(async (tx) => {
    const run = await latestRun(tx);
    const p = await tx.one<{ name: string; note: string | null }>(
      sql`SELECT name, note FROM personas WHERE run_id = ${run.id} AND id = ${params.id} AND status <> 'retired'`,
    );
    if (!p) throw new TouchpointError('not_found', `no persona ${params.id} in run ${run.id}`);
    const name = params.name ?? p.name;
    const clash = await tx.one<{ id: string }>(
      sql`SELECT id FROM personas WHERE run_id = ${run.id} AND name = ${name} AND id <> ${params.id}`,
    );
    if (clash) throw new TouchpointError('conflict', `name: persona ${clash.id} is already called "${name}"`);
    const note = params.note ?? p.note;
    await tx.exec(sql`UPDATE personas SET name = ${name}, note = ${note},
      named_by = CASE WHEN ${params.name !== undefined} THEN 'user' ELSE named_by END
      WHERE run_id = ${run.id} AND id = ${params.id}`);
    return { id: params.id, name, note };
  });
}

export const renameOperation = defineOperation({
  area: 'personas',
  verb: 'rename',
  summary: 'Rename or annotate a persona (names and notes survive later runs that match it)',
  params: RenameParams,
  mode: 'write',
  positional: ['id'],
  run: (db, params) => renamePersona(db, params),
});

/**
 * Pinned personas: places customers the newest run has not seen (new sign-ups) in its personas
 * without re-clustering — same features, same scaling, nearest stored centroid.
 */
export async function assignNewCustomers(
  db: Store,
  asOf?: string | null,
): Promise<{ runId: string; assigned: number }> {
  const run = await latestRun(db);
  const scaling = JSON.parse(run.scaling) as Scaling[];
  const personas = (await personasOf(db, run.id)).filter((p) => p.status !== 'retired');
  const missing = (
    await db.all<{ id: string }>(sql`SELECT id FROM customers c
      WHERE NOT EXISTS (SELECT 1 FROM customer_personas cp WHERE cp.run_id = ${run.id} AND cp.customer_id = c.id)
      ORDER BY id`)
  ).map((r) => r.id);
  if (missing.length === 0) return { runId: run.id, assigned: 0 };
  let ids: string[];
  let rows: (number | null)[][];
  if (run.mode === 'behaviour') {
    // the run's own channels, in its order: the stored centroids are in that space
    const channels = scaling.filter((s) => s.kind === 'share').map((s) => s.name.replace(/^mix:/, ''));
    const t = await computeFeatures(db, { asOf: asOf ?? null, customerIds: missing, channels, lean: true });
    const getters = scaling.map((s) => {
      const fixed = BEHAVIOUR_COLUMNS.find((c) => c.name === s.name);
      if (fixed) return fixed.get;
      const ch = t.channels.indexOf(s.name.replace(/^mix:/, ''));
      return (r: (typeof t.rows)[number]) => (ch >= 0 ? r.mix[ch]! : 0);
    });
    ids = t.rows.map((r) => r.customer_id);
    rows = t.rows.map((r) => getters.map((g) => g(r)));
  } else {
    const a = await attributeSpace(db);
    const wanted = new Set(missing);
    const at = scaling.map((s) => a.columns.findIndex((c) => c.name === s.name));
    ids = [];
    rows = [];
    a.ids.forEach((id, i) => {
      if (!wanted.has(id)) return;
      ids.push(id);
      rows.push(at.map((j) => (j >= 0 ? a.raw[i]![j]! : null)));
    });
  }
  const { labels, distances } = nearest(
    scaleAll(scaling, rows),
    personas.map((p) => p.centroid),
  );
  const cols = [
    { name: 'run_id', type: 'varchar' },
    { name: 'customer_id', type: 'varchar' },
    { name: 'persona_id', type: 'varchar' },
    { name: 'distance', type: 'double' },
  ] as const;
  await db.transaction((tx) =>
    tx.append(
      CUSTOMER_PERSONAS,
      [...cols],
      (function* () {
        for (let i = 0; i < ids.length; i++) yield [run.id, ids[i]!, personas[labels[i]!]!.id, distances[i]!];
      })(),
    ),
  );
  return { runId: run.id, assigned: ids.length };
}

export const assignOperation = defineOperation({
  area: 'personas',
  verb: 'assign',
  summary: 'Place customers the newest run has not seen in its personas (pinned: no re-clustering)',
  params: z.object({
    // reference instant for the new customers' features
    asOf: TimeFrameParams.asOf,
  }),
  mode: 'write',
  run: (db, params) => assignNewCustomers(db, params.asOf),
});
