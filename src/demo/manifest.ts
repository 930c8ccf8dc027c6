import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { Slice } from '../findings/index.js';
import { readMeta, type Store, writeMeta } from '../store/index.js';

/**
 * What the demo generator planted, stored in `meta` under `demo_manifest`. Tests match a finding to a
 * plant when every key of the plant's slice equals the finding's slice value (DESIGN.md §4): a plant
 * must rank in the top 3 of its analysis, a decoy must not rank in the top 5.
 */
export const Plant = z.object({
  id: z.string(),
  capability: z.enum(['journeys', 'feedback', 'cases', 'people', 'monitors']),
  /** The analysis that should find it, e.g. 'journey.pain-points', 'cases.ping-pong'. */
  analysis: z.string(),
  /** The Finding kind it should appear as. */
  kind: z.string(),
  /** The Finding slice keys that identify it. */
  slice: Slice,
  description: z.string(),
  /** The planted size of the effect (planned values, e.g. { baseline: 0.8, value: 0.75 }). */
  effect: z.record(z.string(), z.number()),
});
export type Plant = z.infer<typeof Plant>;

/**
 * The behavioural archetypes the demo draws customers from (docs/personas.md): their names and
 * weights, where each customer's label is (`truthTable`, never read by analyses), the share drawn
 * between two archetypes, and the decoy segment that looks like a group but behaves like everyone.
 */
export const PersonaTruth = z.object({
  archetypes: z.array(z.object({ name: z.string(), weight: z.number(), channels: z.array(z.number()) })),
  truthTable: z.string(),
  labelColumn: z.string(),
  blendShare: z.number(),
  decoySegment: z.string(),
});
export type PersonaTruth = z.infer<typeof PersonaTruth>;

export const DemoManifest = z.object({
  seed: z.number(),
  customers: z.number(),
  events: z.number(),
  asOf: z.string(),
  plants: z.array(Plant),
  decoys: z.array(Plant),
  /** Absent in manifests written before the personas capability. */
  personas: PersonaTruth.optional(),
  /** The demo's experiments (src/demo/experiments.ts), when `touchpoint demo` added them. */
  experiments: z
    .array(
      z.object({
        id: z.string(),
        kind: z.enum(['effect', 'aa']),
        metric: z.string(),
        arms: z.array(z.string()),
        effect: z.record(z.string(), z.number()),
      }),
    )
    .optional(),
});
export type DemoManifest = z.infer<typeof DemoManifest>;

export const MANIFEST_KEY = 'demo_manifest';

export async function writeManifest(db: Store, manifest: DemoManifest, at: Date): Promise<void> {
  await writeMeta(db, MANIFEST_KEY, manifest, at);
}

/** The manifest of the demo in this workspace, or null when the workspace holds no demo. */
export async function readManifest(db: Store): Promise<DemoManifest | null> {
  const value = await readMeta(db, MANIFEST_KEY);
  return value === null ? null : DemoManifest.parse(value);
}

/** All plants and decoys of one analysis. */
export function plantsFor(
  manifest: DemoManifest,
  analysis: string,
): { plants: readonly Plant[]; decoys: readonly Plant[] } {
  return {
    plants: manifest.plants.filter((p) => p.analysis === analysis),
    decoys: manifest.decoys.filter((p) => p.analysis === analysis),
  };
}

/** True when every key of the plant's slice equals the finding's slice value. */
export function sliceMatches(plant: Pick<Plant, 'slice'>, findingSlice: Slice): boolean {
  return Object.entries(plant.slice).every(([k, v]) => findingSlice[k as keyof Slice] === v);
}

/** `touchpoint demo manifest`: what the demo in this workspace planted, and the decoys. */
export const manifestOperation = defineOperation({
  area: 'demo',
  verb: 'manifest',
  summary: 'What the demo company planted (problems the analyses should find) and its decoys',
  params: z.object({}),
  mode: 'read',
  run: async (db) => {
    const m = await readManifest(db);
    if (!m)
      throw new TouchpointError('not_found', 'this workspace holds no demo company; run touchpoint demo');
    return m;
  },
  present: (m) => {
    const rows = (list: readonly Plant[]) =>
      list.map((p) => ({
        analysis: p.analysis,
        kind: p.kind,
        slice: Object.entries(p.slice)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        what: p.description,
      }));
    return [
      {
        text: `Demo company: seed ${m.seed}, ${m.customers.toLocaleString('en-US')} customers, ${m.events.toLocaleString('en-US')} events, as of ${m.asOf.slice(0, 10)}.`,
      },
      { title: 'Plants (each should rank in the top 3 of its analysis)', rows: rows(m.plants) },
      { title: 'Decoys (none should rank in the top 5)', rows: rows(m.decoys) },
    ];
  },
});
