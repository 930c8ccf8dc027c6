import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { type Frame, HOUR, resolveFrame, round } from './journey.js';
import { personIndex } from './person-index.js';
import { variantsSql } from './variants.js';

export const PathsParams = z.object({
  top: z.number().int().min(1).max(1000).default(10).describe('how many path variants to list'),
  includeOutbound: z
    .boolean()
    .default(false)
    .describe('include company-initiated events (e-mails, notifications) in paths'),
  collapseRepeats: z
    .boolean()
    .default(false)
    .describe('merge consecutive repeats of a touchpoint in variants (a > a > b becomes a > b)'),
  around: z.string().optional().describe('touchpoint to show the paths before and after'),
  droppedBefore: z
    .string()
    .optional()
    .describe('with --around: only people who did not reach this touchpoint after it within --window-days'),
  windowDays: z.number().positive().default(30).describe('window for --dropped-before'),
  depth: z.number().int().min(1).max(10).default(3).describe('steps shown before and after --around'),
  switchHours: z
    .number()
    .positive()
    .default(24)
    .describe('a change of channel within this many hours counts as a cross-channel switch'),
  ...TimeFrameParams,
});
export type PathsParams = z.input<typeof PathsParams>;

export interface GraphLink {
  readonly source: string;
  readonly target: string;
  /** Times a person's event at `source` was directly followed by their next event at `target`. */
  readonly transitions: number;
  readonly medianHours: number | null;
}

export interface Variant {
  readonly path: readonly string[];
  readonly people: number;
  readonly share: number;
}

export interface Switch {
  readonly fromChannel: string;
  readonly toChannel: string;
  /** Consecutive events of one person on different channels within switchHours. */
  readonly switches: number;
  /** switches / all transitions leaving fromChannel within switchHours. */
  readonly share: number;
  readonly medianHours: number | null;
  /** The most frequent touchpoint pair of this switch. */
  readonly topFrom: string | null;
  readonly topTo: string | null;
}

export interface Sankey {
  readonly nodes: readonly { readonly name: string; readonly step: number; readonly touchpoint: string }[];
  readonly links: readonly { readonly source: string; readonly target: string; readonly value: number }[];
}

export interface PathsResult {
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string;
  readonly people: number;
  readonly graph: {
    readonly nodes: readonly { readonly name: string; readonly events: number }[];
    readonly links: readonly GraphLink[];
  };
  readonly variants: {
    readonly top: readonly Variant[];
    readonly distinct: number;
    /** Share of people the listed variants cover. */
    readonly coveredShare: number;
    readonly tailPeople: number;
    readonly tailVariants: number;
  };
  readonly switches: readonly Switch[];
  readonly around: {
    readonly touchpoint: string;
    readonly droppedBefore: string | null;
    readonly people: number;
    readonly before: Sankey;
    readonly after: Sankey;
  } | null;
}

/**
 * The period's events from the person index (person-index.ts), each with its next event in the
 * period: `pk`, `rn` (timeline order), `r` (1-based rank in the period when that is `rn` itself, i.e.
 * no `from`; else null), touchpoint, channel, ts, and nt / nc / gap for the next event.
 */
function periodEvents(idx: SqlFragment, frame: Frame, includeOutbound: boolean): SqlFragment {
  const [nts, ntp, nch, rank] = includeOutbound
    ? [sql`next_ts`, sql`next_touchpoint`, sql`next_channel`, sql`rn`]
    : [sql`in_next_ts`, sql`in_next_touchpoint`, sql`in_next_channel`, sql`rn_in`];
  // events are in time order: the next event in the period is the next event, if it is in the period
  const nextIn = sql`${nts} <= ${frame.asOf} AND ${nts} < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  return sql`SELECT pk, rn, ${frame.from ? sql`NULL::INTEGER` : rank} AS r, touchpoint, channel, ts,
      CASE WHEN ${nextIn} THEN ${ntp} END AS nt,
      CASE WHEN ${nextIn} THEN ${nch} END AS nc,
      CASE WHEN ${nextIn} THEN (epoch_ms(${nts}) - epoch_ms(ts)) / 1000 END AS gap
    FROM ${idx}
    WHERE ts <= ${frame.asOf}
      AND ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity')
      AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')
      ${includeOutbound ? sql`` : sql`AND inbound`}`;
}

/**
 * Paths: the directly-follows graph (each event → the same person's next event; median transition
 * time), the top-N variants (a person's whole touchpoint sequence in the period) with the share they
 * cover and the tail left out, cross-channel switches within `switchHours`, and, with `around`, the
 * `depth` steps before and after a person's first event at that touchpoint as Sankey nodes/links.
 *
 * Variants: see variantsSql (grouped by a fingerprint of the sequence).
 */
export async function getPaths(db: Store, input: PathsParams): Promise<PathsResult> {
  const p = validate(PathsParams, input);
  if (p.droppedBefore && !p.around) {
    throw new TouchpointError(
      'invalid_input',
      'droppedBefore needs --around (the step they dropped out of)',
      {
        details: [{ field: 'droppedBefore', message: 'give --around too' }],
      },
    );
  }
  const frame = await resolveFrame(db, p);
  const idx = await personIndex(db);
  const events = periodEvents(idx, frame, p.includeOutbound);
  const switchSeconds = p.switchHours * HOUR;

  // the graph and the nodes: every event with its next one in the period (nt null: the last event)
  const pairs = await db.all<{ touchpoint: string; nt: string | null; n: number; med: number | null }>(sql`
    SELECT touchpoint, nt, count(*) AS n, median(gap) AS med FROM (${events}) GROUP BY ALL`);
  // channel pairs within switchHours (switches) and their touchpoint pairs (the most frequent switch)
  const rows = await db.all<{
    touchpoint: string | null;
    nt: string | null;
    channel: string;
    nc: string;
    g: number;
    n: number;
    med: number | null;
  }>(sql`
    SELECT touchpoint, nt, channel, nc, grouping(touchpoint, nt) AS g, count(*) AS n,
      median(CASE WHEN nc <> channel THEN gap END) AS med
    FROM (${events}) WHERE gap <= ${switchSeconds}
    GROUP BY GROUPING SETS ((channel, nc), (channel, nc, touchpoint, nt))`);
  const channelPairs = rows.filter((r) => r.g === 3);
  const leaving = new Map<string, number>();
  for (const r of channelPairs) leaving.set(r.channel, (leaving.get(r.channel) ?? 0) + r.n);
  const topPair = new Map<string, { tf: string; tt: string; n: number }>();
  for (const r of rows) {
    if (r.g !== 0 || r.nt === null || r.channel === r.nc) continue;
    const key = `${r.channel}\u001f${r.nc}`;
    const cur = topPair.get(key);
    if (!cur || r.n > cur.n || (r.n === cur.n && `${r.touchpoint}>${r.nt}` < `${cur.tf}>${cur.tt}`))
      topPair.set(key, { tf: r.touchpoint!, tt: r.nt, n: r.n });
  }

  const variants = await db.all<{
    path: string[];
    people: number;
    distinct_variants: number;
    total: number;
  }>(
    variantsSql(sql`SELECT pk AS person, rn, r, touchpoint FROM (${events})`, sql`rn`, {
      top: p.top,
      collapse: p.collapseRepeats,
      // without a start, the period is a prefix of every timeline: its rank is the timeline's
      ...(frame.from ? {} : { rank: sql`r` }),
    }),
  );

  const totalPeople = Number(variants[0]?.total ?? 0);
  const covered = variants.reduce((s, v) => s + v.people, 0);
  const switches: Switch[] = channelPairs
    .filter((r) => r.channel !== r.nc)
    .map((r) => {
      const pair = topPair.get(`${r.channel}\u001f${r.nc}`);
      return {
        fromChannel: r.channel,
        toChannel: r.nc,
        switches: r.n,
        share: round(r.n / (leaving.get(r.channel) ?? r.n)) ?? 0,
        medianHours: r.med === null ? null : round(r.med / HOUR),
        topFrom: pair?.tf ?? null,
        topTo: pair?.tt ?? null,
      };
    })
    .sort((a, b) => b.switches - a.switches || a.fromChannel.localeCompare(b.fromChannel));

  const nodeEvents = new Map<string, number>();
  for (const r of pairs) nodeEvents.set(r.touchpoint, (nodeEvents.get(r.touchpoint) ?? 0) + r.n);
  return {
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    asOf: frame.asOf.toISOString(),
    people: totalPeople,
    graph: {
      nodes: [...nodeEvents]
        .map(([name, events]) => ({ name, events }))
        .sort((a, b) => b.events - a.events || a.name.localeCompare(b.name)),
      links: pairs
        .filter((r) => r.nt !== null)
        .map((r) => ({
          source: r.touchpoint,
          target: r.nt!,
          transitions: r.n,
          medianHours: r.med === null ? null : round(r.med / HOUR),
        }))
        .sort(
          (a, b) =>
            b.transitions - a.transitions ||
            a.source.localeCompare(b.source) ||
            a.target.localeCompare(b.target),
        ),
    },
    variants: {
      top: variants.map((v) => ({
        path: v.path,
        people: v.people,
        share: round(v.people / totalPeople) ?? 0,
      })),
      distinct: variants[0]?.distinct_variants ?? 0,
      coveredShare: totalPeople ? (round(covered / totalPeople) ?? 0) : 0,
      tailPeople: totalPeople - covered,
      tailVariants: Math.max(0, (variants[0]?.distinct_variants ?? 0) - variants.length),
    },
    switches,
    around: p.around ? await around(db, events, frame, p) : null,
  };
}

/**
 * Paths around a touchpoint: each person's first event at `around` is step 0; steps −depth..−1 and
 * 1..depth are their neighbouring events. With `droppedBefore`, only people who did not reach that
 * touchpoint within `windowDays` after step 0, and whose window has elapsed at as-of. A path that
 * ends early goes to the node `(end)`.
 */
async function around(
  db: Store,
  events: SqlFragment,
  frame: Frame,
  p: z.output<typeof PathsParams>,
): Promise<NonNullable<PathsResult['around']>> {
  const tp = p.around!;
  const windowSeconds = Math.round(p.windowDays * 86400);
  const rows = await db.all<{
    side: string;
    a: string;
    b: string;
    sa: number;
    value: number;
    people: number;
  }>(sql`
    WITH e AS (
      SELECT pk AS person, touchpoint, ts, row_number() OVER (PARTITION BY pk ORDER BY rn) AS rn
      FROM (${events})
    ),
    anchor AS (
      SELECT person, min(rn) AS arn, min(ts) AS ats FROM e WHERE touchpoint = ${tp} GROUP BY person
    ),
    kept AS (
      SELECT a.* FROM anchor a
      WHERE ${p.droppedBefore ?? null}::VARCHAR IS NULL OR (
        a.ats + to_seconds(${windowSeconds}::BIGINT) <= ${frame.asOf}
        AND NOT EXISTS (
          SELECT 1 FROM e x WHERE x.person = a.person AND x.touchpoint = ${p.droppedBefore ?? null}
            AND x.rn > a.arn AND x.ts <= a.ats + to_seconds(${windowSeconds}::BIGINT)))
    ),
    w AS (
      SELECT e.person, (e.rn - k.arn)::INTEGER AS step, e.touchpoint
      FROM e JOIN kept k USING (person)
      WHERE e.rn BETWEEN k.arn - ${p.depth} AND k.arn + ${p.depth}
    ),
    l AS (
      SELECT person, step, touchpoint,
        lead(touchpoint, 1, '(end)') OVER (PARTITION BY person ORDER BY step) AS nt
      FROM w
    )
    SELECT CASE WHEN step < 0 THEN 'before' ELSE 'after' END AS side,
      touchpoint AS a, nt AS b, step AS sa, count(*) AS value, (SELECT count(*) FROM kept) AS people
    FROM l WHERE step < ${p.depth} AND NOT (step < 0 AND nt = '(end)')
    GROUP BY ALL ORDER BY sa, value DESC, a, b`);
  const sankey = (side: string): Sankey => {
    const ls = rows.filter((r) => r.side === side);
    const nodes = new Map<string, { name: string; step: number; touchpoint: string }>();
    const links = ls.map((r) => {
      const source = `${r.sa}:${r.a}`;
      const target = `${r.sa + 1}:${r.b}`;
      nodes.set(source, { name: source, step: r.sa, touchpoint: r.a });
      nodes.set(target, { name: target, step: r.sa + 1, touchpoint: r.b });
      return { source, target, value: r.value };
    });
    return {
      nodes: [...nodes.values()].sort((a, b) => a.step - b.step || a.name.localeCompare(b.name)),
      links,
    };
  };
  const people = rows[0]?.people ?? 0;
  return {
    touchpoint: tp,
    droppedBefore: p.droppedBefore ?? null,
    people,
    before: sankey('before'),
    after: sankey('after'),
  };
}

export const pathsOperation = defineOperation({
  area: 'journey',
  verb: 'paths',
  summary: 'Directly-follows graph, top path variants, cross-channel switches and paths around a touchpoint',
  params: PathsParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getPaths(db, params),
  present: (r) => [
    {
      title: `Top variants (${r.people} people, ${r.variants.distinct} distinct; tail ${r.variants.tailPeople} people in ${r.variants.tailVariants} variants)`,
      rows: r.variants.top.map((v) => ({ path: v.path.join(' → '), people: v.people, share: v.share })),
    },
    {
      title: 'Directly-follows graph (top 20 links)',
      rows: r.graph.links.slice(0, 20).map((l) => ({ ...l })),
    },
    { title: 'Cross-channel switches', rows: r.switches.slice(0, 15).map((x) => ({ ...x })) },
    ...(r.around
      ? [
          {
            title: `After ${r.around.touchpoint}${r.around.droppedBefore ? ` without reaching ${r.around.droppedBefore}` : ''} (${r.around.people} people)`,
            rows: r.around.after.links.slice(0, 20).map((l) => ({ ...l })),
          },
        ]
      : []),
  ],
});
