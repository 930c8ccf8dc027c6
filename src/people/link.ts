import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import {
  type ClusteredEstimate,
  clusteredSlope,
  mean,
  twoProportions,
  welch,
  wilson,
} from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { ALL, cellKey } from './anonymity.js';
import { cellFigure, PULSE_QUESTIONS, type PulseQuestion, pulseLattice, teamNames } from './pulse.js';
import { readPeopleSettings } from './settings.js';

/**
 * The five handoff levers (docs/cases.md) and the pulse question that speaks to each, with the
 * case-level outcome the lever is about: a handoff caused by the team, or a reopen.
 */
export const LEVER_QUESTIONS = [
  { lever: 'empower', question: 'empowerment', outcome: 'handoff' },
  { lever: 'train', question: 'training', outcome: 'handoff' },
  { lever: 'automate', question: 'tools', outcome: 'handoff' },
  { lever: 'access', question: 'information', outcome: 'handoff' },
  { lever: 'own-it', question: 'leadership', outcome: 'reopen' },
] as const;

export const LinkParams = z.object({
  lagMonths: z
    .number()
    .int()
    .min(0)
    .max(6)
    .default(1)
    .describe('pulse of this many months before the case opened (0: the same month)'),
  minCases: z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('a team is ranked when it resolved at least this many rated cases'),
});
export type LinkParams = z.output<typeof LinkParams>;

interface Figure {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
}

/** One team's pulse beside the customer outcomes of what it owns. */
export interface TeamLink {
  readonly team: string;
  readonly teamName: string;
  /** eNPS over all pulse data: the published cell, or null with its status */
  readonly enps: Figure & { readonly status: string };
  readonly casesHandled: number;
  /** CSAT (1–5) of the cases the team resolved (last team holding them) */
  readonly caseCsat: Figure;
  /** share of resolved cases reopened */
  readonly reopenRate: Figure;
  /** share of the cases it held that it handed to another team */
  readonly handoffsCaused: Figure;
  /** share of the cases it held that came from another team */
  readonly handoffsReceived: Figure;
  /** share of its follow-ups closed within 48 hours */
  readonly followUpClosure48h: Figure;
  /** mean CSAT (1–5) at the touchpoints it owns (touchpoint_owners), case surveys excluded */
  readonly touchpointCsat: Figure;
}

export interface Association {
  readonly question: PulseQuestion;
  /** `case CSAT`, or for a lever `handoff caused` / `reopened` */
  readonly outcome: string;
  readonly lever: string | null;
  /** change in the outcome per 10 eNPS points or per 1 point of a 1–5 question */
  readonly slope: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** (case, team) observations and teams (clusters) */
  readonly n: number;
  readonly clusters: number;
  readonly per: string;
}

export interface LinkResult {
  readonly lagMonths: number;
  readonly teams: readonly TeamLink[];
  readonly associations: readonly Association[];
  readonly note: string;
  readonly findings: readonly StoredFinding[];
}

interface StintRow {
  case_id: string;
  team: string;
  month: string;
  handed_off: boolean;
  received: boolean;
  resolved_by: boolean;
  reopened: boolean;
  csat: number | null;
}

/**
 * Each case's stints by team (assignments with a team, in case order): whether the team handed the
 * case on, whether it came from another team, whether the team was the last to hold it (resolver),
 * the case's reopen and its CSAT answer (survey with `case_id`).
 */
function stintsSql() {
  return sql`
    WITH a AS (
      SELECT case_id, team, ts,
        lag(team) OVER (PARTITION BY case_id ORDER BY ts, seq, id) AS prev_team,
        lead(team) OVER (PARTITION BY case_id ORDER BY ts, seq, id) AS next_team
      FROM case_events WHERE type IN ('opened', 'assigned') AND team IS NOT NULL),
    last AS (SELECT case_id, arg_max(team, ts) AS team FROM a GROUP BY 1),
    reopen AS (SELECT DISTINCT case_id FROM case_events WHERE type = 'reopened'),
    csat AS (SELECT case_id, avg(score) AS csat FROM feedback WHERE kind = 'csat' AND case_id IS NOT NULL GROUP BY 1)
    SELECT a.case_id, a.team, strftime(min(a.ts), '%Y-%m') AS month,
      bool_or(a.next_team IS NOT NULL AND a.next_team <> a.team) AS handed_off,
      bool_or(a.prev_team IS NOT NULL AND a.prev_team <> a.team) AS received,
      any_value(last.team = a.team) AS resolved_by,
      any_value(reopen.case_id IS NOT NULL) AS reopened,
      any_value(csat.csat) AS csat
    FROM a JOIN last USING (case_id) LEFT JOIN reopen USING (case_id) LEFT JOIN csat USING (case_id)
    GROUP BY a.case_id, a.team
    ORDER BY a.case_id, a.team`;
}

function monthsBefore(month: string, k: number): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7)) - 1 - k;
  const d = new Date(Date.UTC(y, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function fig(
  iv: { value: number; low: number; high: number; n: number },
  digits = 3,
  [lo, hi]: readonly [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
): Figure {
  const r = (v: number) =>
    Number.isFinite(v) ? Math.round(Math.min(hi, Math.max(lo, v)) * 10 ** digits) / 10 ** digits : null;
  return { value: r(iv.value), low: r(iv.low), high: r(iv.high), n: iv.n };
}
const SCALE_1_5 = [1, 5] as const;

function moments(values: readonly number[]) {
  let sum = 0;
  let sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  return { n: values.length, sum, sumSq };
}

/**
 * `people link`: for each team, its pulse beside the customer outcomes of what it owns, and the
 * association between pulse and outcomes measured on (case, team) observations with the team as the
 * cluster (CR1 interval, t on G − 1 df): the outcome of a case against the team's published pulse
 * figure `lagMonths` before the case reached it. Only published (anonymous) figures enter. An
 * association, never a cause: teams differ in the cases they receive.
 *
 * People findings (kind `team-pulse`): a team whose eNPS is below the organisation's AND whose
 * customers fare worse. Score = (organisation eNPS − team eNPS, ≥ 0) / 100 × (z of the CSAT gap, ≥ 0,
 * plus z of the reopen gap, ≥ 0): low pulse with normal outcomes scores ~0, and so do poor outcomes
 * with a normal pulse (a process finding, not a people one). A team becomes a finding only when its
 * CSAT gap or its reopen gap has a 95% interval that excludes zero.
 */
export async function getLink(db: Store, params: LinkParams, now = new Date()): Promise<LinkResult> {
  const settings = await readPeopleSettings(db);
  const names = await teamNames(db);

  // published team-month figures of every question, and the team-level eNPS
  const lagged = new Map<PulseQuestion, Map<string, number>>();
  let teamEnps = new Map<string, Figure & { status: string }>();
  for (const q of PULSE_QUESTIONS) {
    const { answers, rows, cells } = await pulseLattice(db, q, settings);
    const byTeamMonth = new Map<string, number>();
    for (const c of cells.values()) {
      if (c.suppressed !== null || c.subgroup !== ALL || c.team === ALL || c.level !== 'month') continue;
      byTeamMonth.set(`${c.team}|${c.period}`, cellFigure(q, c, answers, rows).value);
    }
    lagged.set(q, byTeamMonth);
    if (q === 'enps') {
      teamEnps = new Map();
      for (const team of new Set(answers.map((a) => a.team)).add(ALL)) {
        const c = cells.get(cellKey({ team, level: 'all', period: ALL, subgroup: ALL }));
        if (!c) continue;
        if (c.suppressed !== null) {
          teamEnps.set(team, {
            value: null,
            low: null,
            high: null,
            n: 0,
            status: c.suppressed === 'primary' ? `fewer than ${settings.minGroup}` : 'withheld',
          });
        } else {
          const f = cellFigure(q, c, answers, rows);
          teamEnps.set(team, { ...fig({ ...f, n: c.respondents }, 1), status: 'published' });
        }
      }
    }
  }

  const stints = await db.all<StintRow>(stintsSql());
  const follow = await db.all<{ team: string; n: number; k: number }>(sql`
    SELECT owner_team AS team, count(*) AS n,
      count(*) FILTER (WHERE status = 'closed' AND closed_at <= created_at + INTERVAL 48 HOUR) AS k
    FROM follow_ups WHERE owner_team IS NOT NULL GROUP BY 1`);
  const tp = await db.all<{ team: string; n: number; sum: number; sum_sq: number }>(sql`
    SELECT o.team_id AS team, count(*) AS n, sum(f.score) AS sum, sum(f.score * f.score) AS sum_sq
    FROM feedback f JOIN touchpoint_owners o ON o.touchpoint = f.touchpoint AND o.channel = '*'
    WHERE f.kind = 'csat' AND f.case_id IS NULL GROUP BY 1`);

  const teamsSeen = [...new Set([...teamEnps.keys()].filter((t) => t !== ALL))].sort();
  const teams: TeamLink[] = [];
  const findings: Finding[] = [];
  const orgEnps = teamEnps.get(ALL)?.value ?? null;
  for (const team of teamsSeen) {
    const held = stints.filter((s) => s.team === team);
    const resolved = held.filter((s) => s.resolved_by);
    const rated = resolved.filter((s) => s.csat !== null).map((s) => s.csat!);
    const otherRated = stints
      .filter((s) => s.resolved_by && s.team !== team && s.csat !== null)
      .map((s) => s.csat!);
    const reopened = resolved.filter((s) => s.reopened).length;
    const othersResolved = stints.filter((s) => s.resolved_by && s.team !== team);
    const othersReopened = othersResolved.filter((s) => s.reopened).length;
    const fu = follow.find((f) => f.team === team);
    const t = tp.find((r) => r.team === team);
    const enps = teamEnps.get(team)!;
    const link: TeamLink = {
      team,
      teamName: names.get(team) ?? team,
      enps,
      casesHandled: held.length,
      caseCsat: rated.length
        ? fig(mean(moments(rated)), 3, SCALE_1_5)
        : { value: null, low: null, high: null, n: 0 },
      reopenRate: resolved.length
        ? fig(wilson(reopened, resolved.length))
        : { value: null, low: null, high: null, n: 0 },
      handoffsCaused: held.length
        ? fig(wilson(held.filter((s) => s.handed_off).length, held.length))
        : { value: null, low: null, high: null, n: 0 },
      handoffsReceived: held.length
        ? fig(wilson(held.filter((s) => s.received).length, held.length))
        : { value: null, low: null, high: null, n: 0 },
      followUpClosure48h: fu ? fig(wilson(fu.k, fu.n)) : { value: null, low: null, high: null, n: 0 },
      touchpointCsat: t
        ? fig(mean({ n: t.n, sum: t.sum, sumSq: t.sum_sq }), 3, SCALE_1_5)
        : { value: null, low: null, high: null, n: 0 },
    };
    teams.push(link);

    // a people finding needs a published pulse and enough rated cases on both sides
    if (enps.value === null || orgEnps === null || rated.length < 2 || otherRated.length < 2) continue;
    const csatGap = welch(moments(otherRated), moments(rated));
    const reopenGap = twoProportions(reopened, resolved.length, othersReopened, othersResolved.length);
    const pulseGap = Math.max(0, orgEnps - enps.value);
    const z = Math.max(0, csatGap.statistic) + Math.max(0, reopenGap.statistic);
    const score = (pulseGap / 100) * z;
    // a finding needs an outcome gap whose 95% interval excludes zero (worse CSAT or more reopens)
    if (score <= 0 || !(csatGap.low > 0 || reopenGap.low > 0)) continue;
    const csat = link.caseCsat;
    findings.push({
      kind: 'team-pulse',
      p: 'people',
      title: `${link.teamName}: eNPS ${enps.value} (organisation ${orgEnps}) and its resolved cases' CSAT ${csat.value} vs ${round2(
        otherRated.reduce((s, v) => s + v, 0) / otherRated.length,
      )} for other teams — an association, not a cause`,
      slice: { team },
      metric: 'case CSAT (1–5) of cases the team resolved',
      value: csat.value,
      baseline: round2(otherRated.reduce((s, v) => s + v, 0) / otherRated.length),
      ciLow: csat.low,
      ciHigh: csat.high,
      n: rated.length,
      smallSample: rated.length < params.minCases,
      score,
      customersAffected: null,
      evidence: {
        analysis: 'people.link',
        params: { lagMonths: params.lagMonths },
        pulse: {
          enps: enps.value,
          low: enps.low,
          high: enps.high,
          respondents: enps.n,
          organisation: orgEnps,
        },
        csatGap: {
          difference: round2(csatGap.difference),
          low: round2(csatGap.low),
          high: round2(csatGap.high),
        },
        reopenRate: link.reopenRate,
        reopenGap: {
          difference: round3(reopenGap.difference),
          low: round3(reopenGap.low),
          high: round3(reopenGap.high),
        },
        examples: resolved
          .filter((s) => s.csat !== null && s.csat <= 2)
          .slice(0, 3)
          .map((s) => ({ kind: 'case' as const, id: s.case_id })),
      },
      ownerTeam: team,
    });
  }

  const associations: Association[] = [];
  const obs = (q: PulseQuestion, pick: (s: StintRow) => number | null) => {
    const x: number[] = [];
    const y: number[] = [];
    const g: string[] = [];
    const table = lagged.get(q)!;
    for (const s of stints) {
      const v = pick(s);
      if (v === null) continue;
      const p = table.get(`${s.team}|${monthsBefore(s.month, params.lagMonths)}`);
      if (p === undefined) continue;
      x.push(q === 'enps' ? p / 10 : p);
      y.push(v);
      g.push(s.team);
    }
    return clusteredSlope(x, y, g);
  };
  const assoc = (q: PulseQuestion, outcome: string, lever: string | null, e: ClusteredEstimate) => {
    const ok = Number.isFinite(e.se);
    associations.push({
      question: q,
      outcome,
      lever,
      // one team (cluster) gives no interval and no association worth a number
      slope: ok ? round3(e.value) : null,
      low: ok ? round3(e.low) : null,
      high: ok ? round3(e.high) : null,
      n: e.n,
      clusters: e.clusters,
      per: q === 'enps' ? '10 eNPS points' : '1 point (1–5)',
    });
  };
  for (const q of PULSE_QUESTIONS) {
    assoc(
      q,
      'case CSAT (1–5)',
      null,
      obs(q, (s) => (s.resolved_by && s.csat !== null ? s.csat : null)),
    );
  }
  for (const l of LEVER_QUESTIONS) {
    const e =
      l.outcome === 'handoff'
        ? obs(l.question, (s) => (s.handed_off ? 1 : 0))
        : obs(l.question, (s) => (s.resolved_by ? (s.reopened ? 1 : 0) : null));
    assoc(l.question, l.outcome === 'handoff' ? 'handoff caused (share)' : 'reopened (share)', l.lever, e);
  }

  const stored = await writeFindings(db, 'people.link', { lagMonths: params.lagMonths }, findings, now);
  return {
    lagMonths: params.lagMonths,
    teams,
    associations,
    note: 'Associations between a team’s published pulse and the outcomes of its cases, measured on cases with the team as the cluster; teams differ in the cases they receive, so none of this is a cause.',
    findings: stored,
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

const show = (f: Figure, pct = false) =>
  f.value === null
    ? ''
    : f.low === null || f.high === null
      ? `${f.value} (n = ${f.n}, no interval)`
      : pct
        ? `${(100 * f.value).toFixed(1)}% [${(100 * f.low!).toFixed(1)}–${(100 * f.high!).toFixed(1)}]`
        : `${f.value} [${f.low}–${f.high}]`;

export const linkOperation = defineOperation({
  area: 'people',
  verb: 'link',
  summary: 'Each team’s pulse beside its customer outcomes, the association with a lag (never a cause)',
  params: LinkParams,
  mode: 'write',
  listField: 'teams',
  run: (db, params, ctx) => getLink(db, params, ctx.now?.()),
  present: (r): Section[] => [
    {
      title: 'Teams: pulse beside the customer outcomes of what they own',
      rows: r.teams.map((t) => ({
        team: t.teamName,
        'employee NPS': t.enps.value ?? t.enps.status,
        'cases held': t.casesHandled,
        'case CSAT': show(t.caseCsat),
        reopened: show(t.reopenRate, true),
        'handed off': show(t.handoffsCaused, true),
        received: show(t.handoffsReceived, true),
        'follow-ups closed 48 h': show(t.followUpClosure48h, true),
        'touchpoint CSAT': show(t.touchpointCsat),
      })),
    },
    {
      title: `Association at case level, team as cluster, pulse ${r.lagMonths} month(s) earlier`,
      rows: r.associations.map((a) => ({
        pulse: a.question,
        lever: a.lever ?? '',
        outcome: a.outcome,
        'change per': a.per,
        slope:
          a.slope === null
            ? `n/a (${a.clusters} team${a.clusters === 1 ? '' : 's'})`
            : `${a.slope} [${a.low}–${a.high}]`,
        cases: a.n,
        teams: a.clusters,
      })),
    },
    { text: r.note },
    {
      title: 'People findings',
      rows: r.findings.map((f) => ({ '#': f.rank, finding: f.title, owner: f.ownerTeam ?? '' })),
    },
  ],
});
