import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { join, raw, type SqlFragment, type Store, sql } from '../store/index.js';
import { HOUR, resolveFrame, round, textList } from './journey.js';
import { personIndex } from './person-index.js';
import { type Rate, rate } from './rate.js';
import { variantsSql } from './variants.js';

/** The journey as the team draws it: per stage, the touchpoints in order, channels and duration. */
export const Drawing = z.object({
  journey: z.string().optional(),
  stages: z
    .array(
      z.object({
        name: z.string().min(1),
        touchpoints: z.array(z.string().min(1)).min(1),
        channels: z.array(z.string().min(1)).optional(),
        maxDays: z.number().positive().optional(),
      }),
    )
    .min(1),
});
export type Drawing = z.infer<typeof Drawing>;

export const CheckParams = z.object({
  file: z
    .string()
    .optional()
    .describe('the drawn journey, a YAML or JSON file (CLI only: read by the command line into drawing)'),
  drawing: z.string().optional().describe('the drawn journey as YAML or JSON text'),
  top: z.number().int().min(1).max(50).default(5).describe('deviations listed per stage'),
  ...TimeFrameParams,
});
export type CheckParams = z.input<typeof CheckParams>;

export interface StageCheck {
  readonly stage: string;
  readonly drawn: readonly string[];
  readonly maxDays: number | null;
  /** People with any event at a drawn touchpoint of the stage in the period. */
  readonly people: number;
  /** Did the drawn touchpoints in order (extra steps allowed), from their first at the first one. */
  readonly completed: number;
  /** Completed within maxDays: fitness = fit / people. */
  readonly fitness: Rate;
  readonly medianDays: number | null;
  readonly p90Days: number | null;
  /** Completed, but later than maxDays. */
  readonly slower: number;
  readonly slowerThanAssumed: boolean;
  /** Share of the stage's events on channels the drawing does not name (null without channels). */
  readonly offChannelShare: number | null;
  readonly offChannels: readonly { readonly channel: string; readonly events: number }[];
  /** The most taken sequences (consecutive repeats merged) of people who did not fit. */
  readonly deviations: readonly { readonly path: readonly string[]; readonly people: number }[];
  /** Drawn touchpoints of this stage and how many people used each. */
  readonly usage: readonly { readonly touchpoint: string; readonly people: number }[];
}

export interface CheckResult {
  readonly asOf: string;
  readonly stages: readonly StageCheck[];
  /** Touchpoints people used that the drawing lacks, busiest first. */
  readonly missingFromDrawing: readonly { readonly touchpoint: string; readonly people: number }[];
  /** Drawn touchpoints nobody used in the period. */
  readonly unused: readonly string[];
}

/** Reads a drawing from YAML or JSON text; errors name the field. */
export function parseDrawing(text: string, file?: string): Drawing {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new TouchpointError(
      'invalid_input',
      `${file ?? 'drawing'}: not valid YAML or JSON: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const r = Drawing.safeParse(value);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({
      ...(file ? { file } : {}),
      field: i.path.map(String).join('.') || '(drawing)',
      message: i.message,
    }));
    throw new TouchpointError(
      'invalid_input',
      `${file ?? 'drawing'}: ${details[0]!.field}: ${details[0]!.message}`,
      {
        details,
      },
    );
  }
  return r.data;
}

const col = (name: string, k: number): SqlFragment => raw(`${name}${k}`);

/**
 * Assumed vs observed, stage by stage. For a stage drawn as touchpoints d1..dk within maxDays: a
 * person fits when, from their first d1, they did d2..dk in that order (ties allowed, extra steps in
 * between allowed) and dk came within maxDays of d1. Fitness = fitting people / people with any event
 * at d1..dk. Deviations are the touchpoint sequences (repeats merged) of those who did not fit.
 */
export async function checkJourney(db: Store, input: CheckParams, drawing?: Drawing): Promise<CheckResult> {
  const p = validate(CheckParams, input);
  const d =
    drawing ??
    (p.drawing
      ? parseDrawing(p.drawing, p.file)
      : (() => {
          throw new TouchpointError('invalid_input', 'give the drawn journey with --file or --drawing', {
            details: [{ field: 'drawing', message: 'the drawn journey as YAML or JSON text' }],
          });
        })());
  const frame = await resolveFrame(db, p);
  const inRange = sql`ts <= ${frame.asOf} AND ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const idx = await personIndex(db);
  const stages: StageCheck[] = [];
  for (const st of d.stages) {
    const tps = st.touchpoints;
    const lists = tps.slice(1).map((t, i) => sql`list(ts) FILTER (touchpoint = ${t}) AS ${col('l', i + 2)}`);
    let chain = sql`m1 AS (SELECT * FROM p WHERE t1 IS NOT NULL)`;
    for (let k = 2; k <= tps.length; k++) {
      const repeated = tps.slice(0, k - 1).includes(tps[k - 1]!);
      chain = sql`${chain}, ${col('m', k)} AS (
        SELECT *, list_min(list_filter(${col('l', k)}, x -> x ${raw(repeated ? '>' : '>=')} ${col('t', k - 1)})) AS ${col('t', k)}
        FROM ${col('m', k - 1)})`;
    }
    const last = col('t', tps.length);
    const maxS = st.maxDays === undefined ? null : Math.round(st.maxDays * 86400);
    const row = await db.one<{
      people: number;
      completed: number;
      fit: number;
      med: number | null;
      p90: number | null;
      slower: number;
      events: number;
      off_events: number;
      off: { channel: string; events: number }[];
      deviations: { path: string[]; people: number }[];
      usage: { touchpoint: string; people: number }[];
    }>(sql`
      WITH e AS MATERIALIZED (
        SELECT pk AS person, rn, ts, touchpoint, channel FROM ${idx}
        WHERE touchpoint IN (SELECT unnest(${tps})) AND ${inRange}
      ),
      p AS (
        SELECT person, min(ts) FILTER (touchpoint = ${tps[0]!}) AS t1
          ${lists.length ? sql`, ${join(lists)}` : sql``}
        FROM e GROUP BY person
      ),
      ${chain},
      people AS (
        SELECT p.person, m.${last} AS done, epoch(m.${last}) - epoch(m.t1) AS secs
        FROM p LEFT JOIN ${col('m', tps.length)} m USING (person)
      ),
      judged AS (
        SELECT *, done IS NOT NULL AND (${maxS}::BIGINT IS NULL OR secs <= ${maxS}::BIGINT) AS fit FROM people
      ),
      -- the sequences (repeats merged) of the people who did not fit
      dev AS (${variantsSql(
        sql`SELECT e.* FROM e SEMI JOIN (SELECT person FROM judged WHERE NOT fit) nf ON nf.person = e.person`,
        sql`rn`,
        { top: p.top, collapse: true },
      )}),
      off AS (
        SELECT channel, count(*) AS events FROM e
        WHERE ${st.channels ? sql`NOT list_contains(${textList(st.channels)}, channel)` : sql`false`}
        GROUP BY channel ORDER BY events DESC, channel
      ),
      used AS (
        SELECT t.touchpoint, count(DISTINCT e.person) AS people
        FROM (SELECT unnest(${tps}) AS touchpoint) t LEFT JOIN e USING (touchpoint) GROUP BY t.touchpoint
      )
      SELECT count(*) AS people, count(done) AS completed, count(*) FILTER (fit) AS fit,
        median(secs) AS med, quantile_cont(secs, 0.9) AS p90,
        count(*) FILTER (done IS NOT NULL AND NOT fit) AS slower,
        (SELECT count(*) FROM e) AS events, (SELECT coalesce(sum(events), 0) FROM off) AS off_events,
        (SELECT coalesce(list({'channel': channel, 'events': events} ORDER BY events DESC, channel), []) FROM off) AS off,
        (SELECT coalesce(list({'path': path, 'people': people} ORDER BY people DESC, array_to_string(path, chr(31))), []) FROM dev) AS deviations,
        (SELECT list({'touchpoint': touchpoint, 'people': people} ORDER BY people DESC, touchpoint) FROM used) AS usage
      FROM judged`);
    const r = row!;
    const medDays = r.med === null ? null : round(r.med / (24 * HOUR), 3);
    stages.push({
      stage: st.name,
      drawn: tps,
      maxDays: st.maxDays ?? null,
      people: r.people,
      completed: r.completed,
      fitness: rate(r.fit, r.people),
      medianDays: medDays,
      p90Days: r.p90 === null ? null : round(r.p90 / (24 * HOUR), 3),
      slower: r.slower,
      slowerThanAssumed: st.maxDays !== undefined && medDays !== null && medDays > st.maxDays,
      offChannelShare: st.channels ? (r.events ? round(r.off_events / r.events) : 0) : null,
      offChannels: r.off,
      deviations: r.deviations,
      usage: r.usage ?? [],
    });
  }
  const drawn = [...new Set(d.stages.flatMap((s) => s.touchpoints))];
  const missing = await db.all<{ touchpoint: string; people: number }>(sql`
    SELECT touchpoint, count(DISTINCT pk) AS people FROM ${idx}
    WHERE NOT list_contains(${textList(drawn)}, touchpoint) AND ${inRange}
    GROUP BY touchpoint ORDER BY people DESC, touchpoint LIMIT 50`);
  const usedSet = new Set(
    stages.flatMap((s) => s.usage.filter((u) => u.people > 0).map((u) => u.touchpoint)),
  );
  return {
    asOf: frame.asOf.toISOString(),
    stages,
    missingFromDrawing: missing,
    unused: drawn.filter((t) => !usedSet.has(t)),
  };
}

export const checkOperation = defineOperation({
  area: 'journey',
  verb: 'check',
  summary: 'Assumed vs observed: check a drawn journey (YAML/JSON) against the data, stage by stage',
  params: CheckParams,
  mode: 'read',
  cache: {},
  // the CLI reads --file into drawing; the operation never opens a path
  fileInputs: { file: 'drawing' },
  run: (db, params) => checkJourney(db, params),
  present: (r) => [
    {
      title: 'Assumed vs observed (fitness = did the drawn touchpoints in order within the drawn duration)',
      rows: r.stages.map((s) => ({
        stage: s.stage,
        drawn: s.drawn.join(' → '),
        people: s.people,
        'fitness %': s.fitness.value === null ? null : round(100 * s.fitness.value, 1),
        'median d': s.medianDays,
        'assumed d': s.maxDays,
        slower: s.slowerThanAssumed ? 'yes' : '',
        'off-channel %': s.offChannelShare === null ? null : round(100 * s.offChannelShare, 1),
        'top deviation': s.deviations[0] ? s.deviations[0].path.join(' → ') : '',
      })),
    },
    {
      title: 'In the data, missing from the drawing',
      rows: r.missingFromDrawing.slice(0, 15).map((m) => ({ ...m })),
    },
    { title: 'Drawn but unused', text: r.unused.length ? r.unused.join(', ') : '(none)' },
  ],
});
