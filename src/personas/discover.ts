import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type OperationContext } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { join, type Store, sql } from '../store/index.js';
import { attributeSpace } from './attributes.js';
import { behaviourColumns } from './columns.js';
import {
  BEHAVIOUR_DESCRIPTORS,
  channelDescriptor,
  type Descriptor,
  type DescriptorStats,
  type Distinction,
  describePersona,
  descriptionOf,
  nameOf,
} from './describe.js';
import { computeFeatures, type FeatureRow } from './features.js';
import { hungarian } from './hungarian.js';
import { type Column, discoverClusters, fitScaling, nearest, scaleAll, stabilityOf } from './model.js';
import { LATEST_RUN } from './runs.js';

/**
 * `touchpoint personas discover` (docs/personas.md): features → transformed, standardised matrix →
 * k-means with restarts on a sample, k by silhouette → bootstrap stability → every customer assigned →
 * personas matched to the previous run's (names and notes survive) → one transaction writes the run,
 * its personas and `customer_personas`.
 */

/** A new persona takes an old one's identity when their members overlap at Jaccard ≥ this. */
export const MATCH_MIN_JACCARD = 0.5;

export const DiscoverParams = z.object({
  mode: z
    .enum(['auto', 'behaviour', 'attributes'])
    .default('auto')
    .describe(
      'behaviour (events), attributes (customer fields only), or auto: behaviour when there are events',
    ),
  kMin: z.number().int().min(2).max(20).default(3).describe('fewest personas to consider'),
  kMax: z.number().int().min(2).max(20).default(8).describe('most personas to consider'),
  seed: z.number().int().min(0).default(42).describe('random seed: same seed and data, same personas'),
  sample: z
    .number()
    .int()
    .min(200)
    .max(200_000)
    .default(20_000)
    .describe('customers clustered (all are assigned)'),
  restarts: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(8)
    .describe('k-means starts per k (the best inertia wins)'),
  bootstraps: z.number().int().min(0).max(100).default(10).describe('bootstrap refits for stability'),
  // reference instant; default the day after the last event
  asOf: TimeFrameParams.asOf,
});
export type DiscoverParams = z.output<typeof DiscoverParams>;

export interface PersonaSummary {
  readonly id: string;
  readonly name: string;
  readonly status: 'new' | 'matched' | 'retired';
  readonly matchedJaccard: number | null;
  readonly size: number;
  readonly share: number;
  readonly jaccard: number | null;
  readonly stability: 'stable' | 'moderate' | 'unstable' | 'unknown';
  readonly description: string;
}

export interface DiscoverResult {
  readonly runId: string;
  readonly mode: 'behaviour' | 'attributes';
  readonly k: number;
  readonly customers: number;
  readonly thinHistory: number;
  readonly silhouette: readonly { readonly k: number; readonly silhouette: number }[];
  readonly stabilityAri: number | null;
  readonly personas: readonly PersonaSummary[];
  readonly retired: readonly string[];
  readonly notes: readonly string[];
}

/** The space a run clusters: one raw row per customer, its columns, descriptors and who is thin. */
export interface Space {
  readonly mode: 'behaviour' | 'attributes';
  readonly ids: readonly string[];
  readonly columns: readonly Column[];
  readonly raw: readonly (readonly (number | null)[])[];
  readonly thin: readonly boolean[];
  readonly descriptors: readonly Descriptor[];
  readonly descriptorValues: readonly (readonly (number | null)[])[];
  readonly notes: readonly string[];
}

const behaviourDescriptorValues = (r: FeatureRow): (number | null)[] => [
  r.frequency,
  r.breadth,
  r.self_service_share,
  r.switch_rate,
  r.contact_rate * 12,
  r.value,
  r.tenure_days,
  ...r.mix,
];

/** Builds the space of a mode (auto: behaviour when the workspace holds customer events). */
export async function buildSpace(
  db: Store,
  mode: DiscoverParams['mode'],
  asOf?: string | null,
): Promise<Space> {
  let m = mode;
  if (m === 'auto') {
    const e = await db.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE customer_id IS NOT NULL LIMIT 1)`,
    );
    m = (e?.n ?? 0) > 0 ? 'behaviour' : 'attributes';
  }
  if (m === 'behaviour') {
    const t = await computeFeatures(db, { asOf: asOf ?? null, lean: true });
    const { columns, raw: rows } = behaviourColumns(t);
    return {
      mode: 'behaviour',
      ids: t.rows.map((r) => r.customer_id),
      columns,
      raw: rows,
      thin: t.rows.map((r) => r.thin),
      descriptors: [...BEHAVIOUR_DESCRIPTORS, ...t.channels.map(channelDescriptor)],
      descriptorValues: t.rows.map(behaviourDescriptorValues),
      notes: [`behaviour features as of ${t.asOf.slice(0, 10)}; channels: ${t.channels.join(', ')}`],
    };
  }
  const a = await attributeSpace(db);
  return {
    mode: 'attributes',
    ids: a.ids,
    columns: a.columns,
    raw: a.raw,
    thin: a.ids.map(() => false),
    descriptors: a.descriptors,
    descriptorValues: a.raw,
    notes:
      a.skipped.length > 0 ? [`attributes left out (ids or too many levels): ${a.skipped.join(', ')}`] : [],
  };
}

function moments(values: readonly (number | null)[], rows: readonly number[]): DescriptorStats {
  let n = 0;
  let s = 0;
  let ss = 0;
  for (const i of rows) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    n++;
    s += v;
    ss += v * v;
  }
  const mean = n > 0 ? s / n : Number.NaN;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (ss - (s * s) / n) / (n - 1))) : 0;
  return { mean, sd };
}

/** Distinctions of each cluster (members that are not thin) against the whole population. */
export function distinctionsOf(space: Space, labels: ArrayLike<number>, k: number): Distinction[][] {
  const described = space.ids.map((_, i) => i).filter((i) => !space.thin[i]);
  const byColumn = space.descriptors.map((_, j) => space.descriptorValues.map((r) => r[j] ?? null));
  const population = byColumn.map((col) => moments(col, described));
  return Array.from({ length: k }, (_, c) => {
    const members = described.filter((i) => labels[i] === c);
    const means = byColumn.map((col) => moments(col, members).mean);
    return describePersona(space.descriptors, means, population);
  });
}

interface PreviousPersona {
  readonly id: string;
  readonly name: string;
  readonly named_by: 'vocabulary' | 'user';
  readonly note: string | null;
}

const ASSIGN_COLUMNS = [
  { name: 'customer_id', type: 'varchar' },
  { name: 'cluster', type: 'integer' },
  { name: 'distance', type: 'double' },
] as const;

export async function discoverPersonas(
  db: Store,
  params: DiscoverParams,
  ctx: OperationContext = {},
): Promise<DiscoverResult> {
  if (params.kMin > params.kMax) {
    throw new TouchpointError('invalid_input', `kMin: ${params.kMin} is above kMax ${params.kMax}`);
  }
  const progress = (phase: string, done: number, total?: number) =>
    ctx.onProgress?.({ phase, done, ...(total !== undefined ? { total } : {}) });
  progress('features', 0);
  const space = await buildSpace(db, params.mode, params.asOf);
  const n = space.ids.length;
  if (n === 0) throw new TouchpointError('unavailable', 'there are no customers to find personas among');
  const described = space.ids.map((_, i) => i).filter((i) => !space.thin[i]);
  const pool = described.length >= Math.max(50, 10 * params.kMax) ? described : space.ids.map((_, i) => i);
  if (pool.length < Math.max(20, 3 * params.kMin)) {
    throw new TouchpointError(
      'unavailable',
      `${pool.length} customers are too few to find ${params.kMin} or more personas (at least ${Math.max(20, 3 * params.kMin)} needed)`,
    );
  }
  if (space.columns.length === 0) {
    throw new TouchpointError('unavailable', 'the customers carry no feature to find personas on');
  }
  const scaling = fitScaling(space.columns, space.raw, pool);
  const points = scaleAll(scaling, space.raw);
  progress('clustering', 0);
  const found = discoverClusters(points, pool, {
    kMin: params.kMin,
    kMax: params.kMax,
    seed: params.seed,
    sampleSize: params.sample,
    restarts: params.restarts,
    silhouetteSample: 2000,
    bootstraps: params.bootstraps,
  });
  const assigned = nearest(points, found.centroids);
  // clusters ordered by size (largest first), ties by centroid order
  const sizes = new Array<number>(found.k).fill(0);
  for (const l of assigned.labels) sizes[l]!++;
  const order = sizes.map((s, c) => ({ s, c })).sort((a, b) => b.s - a.s || a.c - b.c);
  const rank = new Array<number>(found.k);
  order.forEach((o, r) => {
    rank[o.c] = r;
  });
  const labels = Int32Array.from(assigned.labels, (l) => rank[l]!);
  const centroids = order.map((o) => found.centroids[o.c]!);
  const jaccards = order.map((o) => found.jaccard[o.c]!);
  const clusterSizes = order.map((o) => o.s);
  const distinctions = distinctionsOf(space, labels, found.k);
  progress('writing', 0);

  const now = ctx.now?.() ?? new Date();
  return db.session(async (s) => {
    await s.createTemp('persona_assign', [...ASSIGN_COLUMNS]);
    await s.append(
      'persona_assign',
      [...ASSIGN_COLUMNS],
      (function* () {
        for (let i = 0; i < n; i++) yield [space.ids[i]!, labels[i]!, assigned.distances[i]!];
      })(),
    );
    return s.transaction(async (tx) => {
      const prev = await tx.one<{ id: string }>(sql`SELECT id FROM persona_runs WHERE id = ${LATEST_RUN}`);
      const prevPersonas = prev
        ? await tx.all<PreviousPersona>(sql`SELECT id, name, named_by, note FROM personas
            WHERE run_id = ${prev.id} AND status <> 'retired' ORDER BY id`)
        : [];
      // member overlap between the new clusters and the previous personas (customers in both runs)
      const overlap = prev
        ? await tx.all<{ cluster: number; persona_id: string; n: number }>(sql`
            SELECT a.cluster, cp.persona_id, count(*) AS n FROM persona_assign a
            JOIN customer_personas cp ON cp.customer_id = a.customer_id AND cp.run_id = ${prev.id}
            GROUP BY ALL`)
        : [];
      const newTotals = new Array<number>(found.k).fill(0);
      const oldTotals = new Map<string, number>();
      for (const o of overlap) {
        newTotals[o.cluster]! += o.n;
        oldTotals.set(o.persona_id, (oldTotals.get(o.persona_id) ?? 0) + o.n);
      }
      const jac = Array.from({ length: found.k }, (_, c) =>
        prevPersonas.map((p) => {
          const inter = overlap.find((o) => o.cluster === c && o.persona_id === p.id)?.n ?? 0;
          const union = newTotals[c]! + (oldTotals.get(p.id) ?? 0) - inter;
          return union > 0 ? inter / union : 0;
        }),
      );
      const match = prevPersonas.length > 0 ? hungarian(jac.map((row) => row.map((j) => -j))) : [];
      const maxId = await tx.one<{ m: number | null }>(
        sql`SELECT max(TRY_CAST(substr(id, 2) AS INTEGER)) AS m FROM personas WHERE id LIKE 'p%'`,
      );
      let nextId = (maxId?.m ?? 0) + 1;
      const runCount = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM persona_runs`);
      const runId = `r${(runCount?.n ?? 0) + 1}`;
      const taken = new Set<string>();
      const personas: (PersonaSummary & {
        centroid: readonly number[];
        named_by: string;
        note: string | null;
        matched_from: string | null;
        distinctions: Distinction[];
      })[] = [];
      const usedOld = new Set<string>();
      // matched personas keep their names first, so a vocabulary name never steals one
      const matchedOf = (c: number): { p: PreviousPersona; j: number } | null => {
        const col = match[c] ?? -1;
        if (col < 0) return null;
        const j = jac[c]![col]!;
        return j >= MATCH_MIN_JACCARD ? { p: prevPersonas[col]!, j } : null;
      };
      for (let c = 0; c < found.k; c++) {
        const m = matchedOf(c);
        if (m) taken.add(m.p.name);
      }
      for (let c = 0; c < found.k; c++) {
        const m = matchedOf(c);
        const desc = distinctions[c]!;
        const name = m ? m.p.name : nameOf(space.descriptors, desc, taken);
        taken.add(name);
        if (m) usedOld.add(m.p.id);
        personas.push({
          id: m ? m.p.id : `p${nextId++}`,
          name,
          status: m ? 'matched' : 'new',
          matchedJaccard: m ? m.j : null,
          size: clusterSizes[c]!,
          share: clusterSizes[c]! / n,
          jaccard: Number.isFinite(jaccards[c]!) ? jaccards[c]! : null,
          stability: stabilityOf(jaccards[c]!),
          description: descriptionOf(desc),
          centroid: centroids[c]!,
          named_by: m ? m.p.named_by : 'vocabulary',
          note: m ? m.p.note : null,
          matched_from: m ? m.p.id : null,
          distinctions: desc,
        });
      }
      const retired = prevPersonas.filter((p) => !usedOld.has(p.id));
      const notes = [...space.notes];
      const thinCount = space.thin.filter(Boolean).length;
      if (thinCount > 0) {
        notes.push(
          `${thinCount} customers have too little history (thin): assigned to the nearest persona, not used to find or describe personas`,
        );
      }
      for (const p of personas)
        if (p.stability === 'unstable')
          notes.push(
            `persona ${p.id} "${p.name}" is unstable (bootstrap Jaccard ${p.jaccard?.toFixed(2)}): do not act on it alone`,
          );
      await tx.exec(sql`INSERT INTO persona_runs VALUES (${runId}, ${now.toISOString()}::TIMESTAMP, ${space.mode},
        ${params.seed}, ${found.k}, ${n}, ${thinCount}, ${JSON.stringify(space.columns.map((c) => c.name))}::JSON,
        ${JSON.stringify(scaling)}::JSON, ${JSON.stringify(found.silhouette)}::JSON,
        ${Number.isFinite(found.stabilityAri) ? found.stabilityAri : null},
        ${JSON.stringify(params)}::JSON, ${JSON.stringify(notes)}::JSON)`);
      for (const p of personas) {
        await tx.exec(sql`INSERT INTO personas VALUES (${runId}, ${p.id}, ${p.name}, ${p.named_by}, ${p.note},
          ${p.status}, ${p.matched_from}, ${p.size}, ${JSON.stringify(p.centroid)}::JSON, ${p.jaccard},
          ${p.stability}, ${JSON.stringify(p.distinctions)}::JSON)`);
      }
      for (const p of retired) {
        await tx.exec(sql`INSERT INTO personas VALUES (${runId}, ${p.id}, ${p.name}, ${p.named_by}, ${p.note},
          'retired', NULL, 0, '[]'::JSON, NULL, 'unknown', '[]'::JSON)`);
      }
      const mapping = join(personas.map((p, c) => sql`(${c}, ${p.id})`));
      await tx.exec(sql`INSERT INTO customer_personas
        SELECT ${runId}, a.customer_id, m.persona_id, a.distance
        FROM persona_assign a JOIN (VALUES ${mapping}) AS m(cluster, persona_id) ON m.cluster = a.cluster`);
      // keep the assignments of this run and the previous one (matching reads the previous one)
      await tx.exec(
        sql`DELETE FROM customer_personas WHERE run_id <> ${runId} AND run_id IS DISTINCT FROM ${prev?.id ?? null}`,
      );
      await tx.exec(sql`DROP TABLE IF EXISTS persona_assign`);
      return {
        runId,
        mode: space.mode,
        k: found.k,
        customers: n,
        thinHistory: thinCount,
        silhouette: found.silhouette.map((x) => ({ k: x.k, silhouette: x.silhouette })),
        stabilityAri: Number.isFinite(found.stabilityAri) ? found.stabilityAri : null,
        personas: personas.map(
          ({ centroid, named_by, note, matched_from, distinctions: _d, ...rest }) => rest,
        ),
        retired: retired.map((p) => p.id),
        notes,
      };
    });
  });
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

export const discoverOperation = defineOperation({
  area: 'personas',
  verb: 'discover',
  summary: 'Find personas from behaviour (or attributes): k by silhouette, stability by bootstrap',
  params: DiscoverParams,
  mode: 'write',
  run: (db, params, ctx) => discoverPersonas(db, params, ctx),
  present: (r) => [
    {
      text: `Run ${r.runId} (${r.mode}): ${r.k} personas among ${r.customers.toLocaleString('en-US')} customers; silhouette ${r.silhouette.map((s) => `k=${s.k}: ${s.silhouette.toFixed(3)}`).join(', ')}; bootstrap ARI ${r.stabilityAri?.toFixed(2) ?? '—'}.`,
    },
    {
      title: 'Personas',
      rows: r.personas.map((p) => ({
        id: p.id,
        name: p.name,
        status: p.status,
        customers: p.size,
        share: pct(p.share),
        stability: `${p.stability} (${p.jaccard?.toFixed(2) ?? '—'})`,
        description: p.description,
      })),
    },
    ...(r.notes.length > 0 ? [{ title: 'Notes', text: r.notes.join('\n') }] : []),
  ],
});
