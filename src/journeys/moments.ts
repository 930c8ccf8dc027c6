import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { FilterParams, filterSql, personaSlice, personasToRunEach, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type StoredFinding, writeFindingMembers, writeFindings } from '../findings/index.js';
import { cochranMantelHaenszel } from '../stats/cmh.js';
import { isSmallSample, npsDifference, stratifiedRiskDifference } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { journeyParam, loadJourney, ownerJoin, resolveFrame, round, textList } from './journey.js';
import { journeyLayer } from './journey-layer.js';
import { personIndex } from './person-index.js';

/**
 * Event outcomes that count as bad unless `badOutcomes` says otherwise (case-insensitive). Failures of
 * the experience only: `abandoned` is not one (a person who leaves a checkout did not convert, which
 * the funnel and pain-points measure; counting it here ranked checkout as a moment of truth because
 * people who do not buy come back less — docs/decisions.md "Cockpit first page…").
 */
export const DEFAULT_BAD_OUTCOMES = [
  'cancelled',
  'canceled',
  'damaged',
  'declined',
  'delayed',
  'error',
  'failed',
  'late',
  'lost',
  'rejected',
  'unresolved',
] as const;

export const MomentsParams = z.object({
  journey: journeyParam,
  badOutcomes: z
    .array(z.string())
    .optional()
    .describe(
      `bad event outcomes: a value for every touchpoint, or touchpoint:value for one (default: ${DEFAULT_BAD_OUTCOMES.join(', ')})`,
    ),
  // defaults: each score's bad-answer threshold (src/feedback/score-scales.ts; higher is better on all three)
  csatAtMost: z
    .number()
    .default(SCORE_SCALES.csat.badAtMost)
    .describe(`a CSAT (1–5) at or below this, given at the touchpoint, is bad`),
  npsAtMost: z
    .number()
    .default(SCORE_SCALES.nps.badAtMost)
    .describe('an NPS answer (0–10) at or below this, given at the touchpoint, is bad'),
  cesAtMost: z
    .number()
    .default(SCORE_SCALES.ces.badAtMost)
    .describe('a CES (1–7, 7 = very easy) at or below this, given at the touchpoint, is bad'),
  feedbackDays: z
    .number()
    .positive()
    .default(14)
    .describe('feedback at the touchpoint counts when given within this many days after the event'),
  retentionFromDays: z
    .number()
    .min(0)
    .default(30)
    .describe('retained: any inbound event from this many days after'),
  retentionToDays: z.number().positive().default(90).describe('… up to this many days after'),
  npsDays: z
    .number()
    .positive()
    .default(180)
    .describe('the NPS compared is the first answer within this many days after'),
  minBad: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('leave out touchpoints with fewer bad outcomes than this'),
  limit: z.number().int().min(1).max(500).default(50),
  write: z.boolean().default(true).describe('store the findings (touchpoint findings list)'),
  by: z
    .enum(['none', 'persona'])
    .default('none')
    .describe('persona: the moments of truth of each persona (newest run), ranked together'),
  ...TimeFrameParams,
  ...FilterParams,
});
export type MomentsParams = z.input<typeof MomentsParams>;

export interface Moment {
  /** With `--by persona`: the persona (id) whose customers the moment was measured on. */
  readonly persona?: string;
  readonly stage: string;
  readonly touchpoint: string;
  readonly owner: string | null;
  /** People whose first event at the touchpoint in the period had a bad outcome / a good one. */
  readonly bad: number;
  readonly good: number;
  /** Retention after a bad outcome and after a good one (crude, among people whose window had elapsed). */
  readonly retentionBad: number | null;
  readonly retentionGood: number | null;
  readonly eligibleBad: number;
  readonly eligibleGood: number;
  /** Retention difference bad − good within strata (segment × stage reached), with its 95% interval. */
  /** p is the Cochran–Mantel–Haenszel test’s over the same strata (continuity-corrected). */
  readonly effect: {
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly p: number;
    readonly strata: number;
  };
  /** NPS after a bad outcome minus after a good one (points), unstratified, with n of answers. */
  readonly nps: {
    readonly difference: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly nBad: number;
    readonly nGood: number;
  } | null;
  readonly smallSample: boolean;
}

export interface MomentsResult {
  readonly journey: string;
  readonly asOf: string;
  readonly rule: {
    readonly badOutcomes: readonly string[];
    readonly csatAtMost: number;
    readonly npsAtMost: number;
    readonly cesAtMost: number;
  };
  readonly moments: readonly Moment[];
  readonly findings: readonly (Finding & { readonly id?: string; readonly rank?: number })[];
}

interface Row {
  stage: string;
  touchpoint: string;
  stratum: string;
  bad: boolean;
  people: number;
  eligible: number;
  retained: number;
  promoters: number;
  passives: number;
  detractors: number;
  owner: string | null;
}

/**
 * Moments of truth. For each touchpoint, a person's first event there in the period is good or bad:
 * bad when its outcome is one of `badOutcomes`, or when they gave feedback at that touchpoint within
 * `feedbackDays` after it with a bad score (CSAT ≤ csatAtMost, NPS ≤ npsAtMost, CES ≤ cesAtMost; higher is better on every scale).
 * Retained = any inbound event between retentionFromDays and retentionToDays after it, counted only
 * for people whose window had elapsed at as-of. The effect of a bad outcome is the retention
 * difference bad − good within strata (customer segment × furthest stage reached at that moment),
 * Mantel–Haenszel weighted; NPS is the first answer within npsDays after. Association, not cause.
 * Ranked by the customers lost at least (bad × −upper bound of the effect); small samples last.
 * Findings are written for moments with a negative effect whose Cochran–Mantel–Haenszel test (same
 * strata, continuity-corrected) gives p < 0.05; the interval alone collapses with a handful of people.
 */
/** Customers lost to the moment, conservatively: eligible bad × the interval's end nearest zero. */
const lost = (m: Moment) => m.eligibleBad * Math.max(0, -(m.effect.high ?? 0)) - (m.effect.value ?? 0) / 1000;

export async function getMoments(db: Store, input: MomentsParams): Promise<MomentsResult> {
  const p = validate(MomentsParams, input);
  if (p.by === 'persona') return momentsByPersona(db, p);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  // the shared filters narrow the people measured (a persona's moments of truth)
  const who = filterSql(await resolveFilters(db, p), { customer: sql`customer_id`, channel: sql`channel` });
  const rule = (p.badOutcomes ?? [...DEFAULT_BAD_OUTCOMES]).map((x) => x.toLowerCase());
  const anyTp = rule.filter((x) => !x.includes(':'));
  const perTp = rule.filter((x) => x.includes(':'));
  const inRange = sql`ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const day = 86400;
  const fromMicros = Math.round(p.retentionFromDays * day * 1e6);
  const toMicros = Math.round(p.retentionToDays * day * 1e6);
  const idx = await personIndex(db);
  const layer = await journeyLayer(db, j);
  // each person's first journey event at each touchpoint in the period, classified bad or good
  const classifiedCtes = sql`
    -- each person's first journey event at each touchpoint in the period, with the furthest stage
    -- reached by then (the journey layer; it depends on the time only, so ties cannot disagree)
    first AS (${
      frame.from
        ? sql`SELECT pk AS person, any_value(customer_id) AS customer_id, touchpoint, any_value(stage) AS stage,
              min(ts) AS t0, lower(arg_min(outcome, ts)) AS outcome, arg_min(reach, ts) AS reach
            FROM ${layer} WHERE position IS NOT NULL AND ts <= ${frame.asOf} AND ${inRange} AND ${who}
            GROUP BY pk, touchpoint`
        : sql`SELECT pk AS person, customer_id, touchpoint, stage, ts AS t0, lower(outcome) AS outcome, reach
            FROM ${layer} WHERE first_at_touchpoint AND ts <= ${frame.asOf} AND ${inRange} AND ${who}`
    }),
    -- came back: the person's first inbound contact (on the journey or not) after t + from is at most
    -- t + to and at most as-of. It is the next contact of their last one at or before t + from: at
    -- most one event of the person index per exposure, found by a join on the person and that interval
    expo AS (
      SELECT f.*, x.pk IS NOT NULL AS back
      FROM first f LEFT JOIN ${idx} x ON x.pk = f.person AND x.inbound
        AND x.ts <= f.t0 + to_microseconds(${fromMicros}::BIGINT)
        AND x.in_next_ts > f.t0 + to_microseconds(${fromMicros}::BIGINT)
        AND x.in_next_ts <= f.t0 + to_microseconds(${toMicros}::BIGINT) AND x.in_next_ts <= ${frame.asOf}
    ),
    fb_bad AS (
      SELECT DISTINCT x.person, x.touchpoint
      FROM expo x JOIN feedback f ON f.customer_id = x.customer_id AND f.touchpoint = x.touchpoint
      WHERE f.ts >= x.t0 AND f.ts <= x.t0 + to_seconds(${Math.round(p.feedbackDays * day)}::BIGINT) AND f.ts <= ${frame.asOf}
        AND ((f.kind = 'csat' AND f.score <= ${p.csatAtMost}) OR (f.kind = 'nps' AND f.score <= ${p.npsAtMost})
          OR (f.kind = 'ces' AND f.score <= ${p.cesAtMost}))
    ),
    -- each customer's NPS answers in time order (a handful at most), searched per exposure below
    nps_answers AS (
      SELECT customer_id, list_sort(list({'ts': ts, 'score': score})) AS answers
      FROM feedback WHERE kind = 'nps' AND customer_id IS NOT NULL AND ts <= ${frame.asOf}
      GROUP BY customer_id
    ),
    classified AS (
      SELECT x.*,
        coalesce(c.segment, CASE WHEN x.customer_id IS NULL THEN 'anonymous' ELSE 'unknown' END) AS segment,
        (list_contains(${textList(anyTp)}, x.outcome)
          OR ${perTp.length ? sql`list_contains(${textList(perTp)}, lower(x.touchpoint) || ':' || x.outcome)` : sql`false`}
          OR b.person IS NOT NULL) AS bad,
        x.t0 + to_seconds(${Math.round(p.retentionToDays * day)}::BIGINT) <= ${frame.asOf} AS eligible,
        x.back AS retained,
        list_filter(n.answers, a -> a.ts > x.t0
          AND a.ts <= x.t0 + to_seconds(${Math.round(p.npsDays * day)}::BIGINT))[1].score AS nps
      FROM expo x
      LEFT JOIN customers c ON c.id = x.customer_id
      LEFT JOIN fb_bad b ON b.person = x.person AND b.touchpoint = x.touchpoint
      LEFT JOIN nps_answers n ON n.customer_id = x.customer_id
    )`;
  const rows = await db.all<Row>(sql`
    WITH ${classifiedCtes},
    agg AS (
      SELECT stage, touchpoint, segment, reach, coalesce(bad, false) AS bad, count(*) AS people,
        count(*) FILTER (eligible) AS eligible, count(*) FILTER (eligible AND retained) AS retained,
        count(*) FILTER (nps >= 9) AS promoters, count(*) FILTER (nps BETWEEN 7 AND 8) AS passives,
        count(*) FILTER (nps <= 6) AS detractors
      FROM classified GROUP BY ALL
    )
    -- strata: segment × furthest stage reached, spelled once per group rather than per person
    SELECT a.* EXCLUDE (segment, reach), a.segment || ' × stage ' || a.reach AS stratum,
      ${ownerJoin(sql`a.touchpoint`, sql`'*'`)} AS owner
    FROM agg a
    ORDER BY touchpoint, stratum, bad`);

  const byTp = new Map<string, Row[]>();
  for (const r of rows) byTp.set(r.touchpoint, [...(byTp.get(r.touchpoint) ?? []), r]);
  const moments: Moment[] = [];
  for (const [touchpoint, list] of byTp) {
    const sum = (f: (r: Row) => number, bad: boolean) =>
      list.filter((r) => r.bad === bad).reduce((s, r) => s + f(r), 0);
    const bad = sum((r) => r.people, true);
    if (bad < p.minBad) continue;
    const strata = new Map<string, { k1: number; n1: number; k2: number; n2: number }>();
    for (const r of list) {
      const s = strata.get(r.stratum) ?? { k1: 0, n1: 0, k2: 0, n2: 0 };
      if (r.bad) strata.set(r.stratum, { ...s, k1: s.k1 + r.retained, n1: s.n1 + r.eligible });
      else strata.set(r.stratum, { ...s, k2: s.k2 + r.retained, n2: s.n2 + r.eligible });
    }
    const effect = stratifiedRiskDifference([...strata.values()]);
    const test = cochranMantelHaenszel([...strata.values()]);
    const eligibleBad = sum((r) => r.eligible, true);
    const eligibleGood = sum((r) => r.eligible, false);
    const npsOf = (b: boolean) => ({
      promoters: sum((r) => r.promoters, b),
      passives: sum((r) => r.passives, b),
      detractors: sum((r) => r.detractors, b),
    });
    const nb = npsOf(true);
    const ng = npsOf(false);
    const nBad = nb.promoters + nb.passives + nb.detractors;
    const nGood = ng.promoters + ng.passives + ng.detractors;
    const npsDiff = nBad > 0 && nGood > 0 ? npsDifference(nb, ng) : null;
    moments.push({
      stage: list[0]!.stage,
      touchpoint,
      owner: list[0]!.owner,
      bad,
      good: sum((r) => r.people, false),
      retentionBad: eligibleBad ? round(sum((r) => r.retained, true) / eligibleBad) : null,
      retentionGood: eligibleGood ? round(sum((r) => r.retained, false) / eligibleGood) : null,
      eligibleBad,
      eligibleGood,
      effect: {
        value: round(effect.difference),
        low: round(effect.low),
        high: round(effect.high),
        p: test.p,
        strata: effect.strata,
      },
      nps: npsDiff
        ? {
            difference: round(npsDiff.difference, 2),
            low: round(npsDiff.low, 2),
            high: round(npsDiff.high, 2),
            nBad,
            nGood,
          }
        : null,
      smallSample:
        effect.strata === 0 || isSmallSample({ n: eligibleBad, low: effect.low, high: effect.high }),
    });
  }
  moments.sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || lost(b) - lost(a));

  const params = { ...p, write: undefined };
  const findings: Finding[] = moments
    // a finding is a moment whose bad outcome goes with lower retention beyond chance: a negative
    // effect and a stratified (Cochran–Mantel–Haenszel) test below 5%, valid with small cells too
    .filter((m) => (m.effect.value ?? 0) < 0 && m.effect.p < 0.05)
    .slice(0, p.limit)
    .map((m) => ({
      kind: 'moment-of-truth',
      p: 'process',
      title: `${m.touchpoint}: after a bad outcome ${pct(m.retentionBad)} come back within ${p.retentionFromDays}–${p.retentionToDays} days, vs ${pct(m.retentionGood)} after a good one${m.nps?.difference != null ? `; NPS ${m.nps.difference > 0 ? '+' : ''}${m.nps.difference.toFixed(0)} points` : ''}`,
      slice: { journey: j.id, ...personaSlice(p), stage: m.stage, touchpoint: m.touchpoint },
      metric: `retention ${p.retentionFromDays}–${p.retentionToDays} d, bad − good outcome (stratified)`,
      value: m.effect.value,
      baseline: 0,
      ciLow: m.effect.low,
      ciHigh: m.effect.high,
      n: m.eligibleBad,
      smallSample: m.smallSample,
      score: round(lost(m), 6) ?? 0,
      customersAffected: m.bad,
      evidence: {
        analysis: 'journey.moments',
        params,
        retentionBad: m.retentionBad,
        retentionGood: m.retentionGood,
        eligibleGood: m.eligibleGood,
        nps: m.nps,
        strata: m.effect.strata,
      },
      ownerTeam: m.owner,
    }));
  const written: readonly StoredFinding[] = p.write
    ? await writeFindings(db, 'journey.moments', params, findings)
    : [];
  const stored = p.write ? written : findings;
  // the people behind each finding: those whose first event at the touchpoint was bad (its customers affected)
  if (written.length > 0) {
    const tp = new Map(written.map((f) => [f.slice.touchpoint ?? '', f.id]));
    await writeFindingMembers(
      db,
      written[0]!.runId,
      sql`
      WITH ${classifiedCtes},
      want AS (SELECT unnest(${textList([...tp.keys()])}) AS touchpoint, unnest(${textList([...tp.values()])}) AS finding_id)
      SELECT w.finding_id, c.person, any_value(c.customer_id) AS customer_id, min(c.t0) AS seen_at,
        any_value(c.touchpoint) AS what,
        CASE WHEN list_contains(${textList(anyTp)}, any_value(c.outcome)) OR ${perTp.length ? sql`list_contains(${textList(perTp)}, lower(any_value(c.touchpoint)) || ':' || any_value(c.outcome))` : sql`false`}
          THEN 'first visit: ' || any_value(c.outcome) ELSE 'a bad score given there' END
        || CASE WHEN NOT any_value(c.eligible) THEN ' · too recent to tell whether they came back'
            WHEN any_value(c.retained) THEN ' · came back' ELSE ' · did not come back' END AS detail
      FROM classified c JOIN want w ON w.touchpoint = c.touchpoint
      WHERE c.bad
      GROUP BY w.finding_id, c.person`,
    );
  }
  return {
    journey: j.id,
    asOf: frame.asOf.toISOString(),
    rule: { badOutcomes: rule, csatAtMost: p.csatAtMost, npsAtMost: p.npsAtMost, cesAtMost: p.cesAtMost },
    moments,
    findings: stored,
  };
}

/**
 * `--by persona`: each persona's moments of truth (the analysis with that persona's filter, its own
 * strata), ranked together by customers lost, well-measured first; each moment and finding names
 * its persona.
 */
async function momentsByPersona(db: Store, p: z.output<typeof MomentsParams>): Promise<MomentsResult> {
  const ids = await personasToRunEach(db, p.persona);
  const moments: Moment[] = [];
  const findings: Finding[] = [];
  let head: Omit<MomentsResult, 'moments' | 'findings'> | null = null;
  for (const persona_id of ids) {
    const r = await getMoments(db, { ...p, by: 'none', persona: persona_id, write: false });
    head ??= { journey: r.journey, asOf: r.asOf, rule: r.rule };
    moments.push(...r.moments.map((m) => ({ persona: persona_id, ...m })));
    findings.push(...r.findings);
  }
  moments.sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || lost(b) - lost(a));
  const kept = findings
    .sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || b.score - a.score)
    .slice(0, p.limit);
  const stored = p.write
    ? await writeFindings(db, 'journey.moments', { ...p, write: undefined }, kept)
    : kept;
  if (!head) throw new TouchpointError('unavailable', 'by: the newest persona run has no personas');
  return { ...head, moments, findings: stored };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

export const momentsOperation = defineOperation({
  area: 'journey',
  verb: 'moments',
  summary:
    'Moments of truth: how a bad outcome at each touchpoint goes with later retention and NPS, within strata',
  params: MomentsParams,
  mode: 'write',
  listField: 'moments',
  run: (db, params) => getMoments(db, params),
  present: (r) => [
    {
      title: `Moments of truth in ${r.journey} (as of ${r.asOf.slice(0, 16)}; effect = retention bad − good within segment × stage)`,
      rows: r.moments.map((m) => ({
        touchpoint: m.touchpoint,
        bad: m.bad,
        good: m.good,
        'retained bad': m.retentionBad,
        'retained good': m.retentionGood,
        effect: m.effect.value,
        low: m.effect.low,
        high: m.effect.high,
        'NPS diff': m.nps?.difference ?? null,
        owner: m.owner,
        flag: m.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
