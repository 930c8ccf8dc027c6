import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { resolveTimeFrame, TimeFrameParams } from '../core/time.js';
import { clusteredMean } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import {
  ALL,
  type AnonAnswer,
  type LatticeCell,
  quarterOf,
  suppressLattice,
  type TimeLevel,
} from './anonymity.js';
import { type PeopleSettings, readPeopleSettings, type SubgroupDimension } from './settings.js';

/** eNPS (0–10) and the pulse questions (1–5 agreement), the seeds' own list. */
export const PULSE_QUESTIONS = [
  'enps',
  'training',
  'tools',
  'empowerment',
  'leadership',
  'information',
] as const;
export type PulseQuestion = (typeof PULSE_QUESTIONS)[number];

export const PulseParams = z.object({
  question: z.enum(PULSE_QUESTIONS).default('enps').describe('eNPS or one pulse question'),
  level: z.enum(['month', 'quarter', 'all']).default('month').describe('month, quarter, or all pulse data'),
  team: z.string().optional().describe('one team (id); default every team and the organisation'),
  subgroups: z.boolean().default(false).describe('add the sub-group rows of each team (workspace setting)'),
  ...TimeFrameParams,
});
export type PulseParams = z.output<typeof PulseParams>;

/** One published (or withheld) figure. Withheld figures carry no value and no respondent count. */
export interface PulseCell {
  readonly team: string;
  readonly teamName: string;
  readonly level: TimeLevel;
  readonly period: string;
  readonly subgroup: string;
  /** distinct respondents; null when withheld */
  readonly respondents: number | null;
  readonly answers: number | null;
  /** eNPS in points (−100…100) or the mean answer (1–5); null when withheld */
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** `published`, `fewer than N` (the group is under the minimum) or `withheld` (it would give a smaller group away) */
  readonly status: string;
  readonly smallSample: boolean;
}

export interface PulseComments {
  readonly team: string;
  readonly teamName: string;
  readonly quarter: string;
  /** comments of a team-quarter of at least `minComments` respondents, in alphabetical order, no author, no date */
  readonly comments: readonly string[];
  readonly status: string;
}

export interface PulseResult {
  readonly question: PulseQuestion;
  readonly scale: string;
  readonly settings: PeopleSettings;
  readonly cells: readonly PulseCell[];
  readonly comments: readonly PulseComments[];
}

interface Row {
  employee_id: string | null;
  team_id: string;
  month: string;
  score: number;
  comment: string | null;
  subgroup: string;
}

/** The sub-group of one answer: tenure band at the time of the answer, role, location, or none. */
function subgroupSql(dim: SubgroupDimension) {
  switch (dim) {
    case 'tenure':
      return sql`CASE WHEN e.hired_at IS NULL THEN 'unknown'
        WHEN p.ts < e.hired_at + INTERVAL 1 YEAR THEN 'under 1 year'
        WHEN p.ts < e.hired_at + INTERVAL 3 YEAR THEN '1-3 years' ELSE '3 years or more' END`;
    case 'role':
      return sql`coalesce(e.role, 'unknown')`;
    case 'location':
      return sql`coalesce(json_extract_string(e.attributes, '$.location'), 'unknown')`;
    default:
      return sql`'(none)'`;
  }
}

/**
 * The anonymised lattice of one question: every answer in the workspace (the lattice never depends
 * on a request's filters), its cells decided by `suppressLattice`. An answer without an employee id
 * counts as its own respondent. Respondent numbers are local to this call and never leave it.
 */
export async function pulseLattice(
  db: Store,
  question: PulseQuestion,
  settings: PeopleSettings,
): Promise<{ answers: AnonAnswer[]; rows: Row[]; cells: Map<string, LatticeCell> }> {
  const rows = await db.all<Row>(sql`
    SELECT p.employee_id, p.team_id, strftime(p.ts, '%Y-%m') AS month, p.score, p.comment,
      ${subgroupSql(settings.subgroupBy)} AS subgroup
    FROM pulse p LEFT JOIN employees e ON e.id = p.employee_id
    WHERE p.question = ${question} AND p.team_id IS NOT NULL
    ORDER BY p.id`);
  const ids = new Map<string, number>();
  let anonymous = 0;
  const answers = rows.map((r) => {
    let respondent: number;
    if (r.employee_id === null) respondent = -++anonymous;
    else {
      respondent = ids.get(r.employee_id) ?? ids.size + 1;
      ids.set(r.employee_id, respondent);
    }
    return { respondent, team: r.team_id, month: r.month, subgroup: r.subgroup };
  });
  return { answers, rows, cells: suppressLattice(answers, settings.minGroup) };
}

export async function teamNames(db: Store): Promise<Map<string, string>> {
  const rows = await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM teams`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The figure of a published cell: eNPS (100·promoter − 100·detractor per answer) or the mean answer, clustered by respondent. */
export function cellFigure(
  question: PulseQuestion,
  cell: LatticeCell,
  answers: readonly AnonAnswer[],
  rows: readonly Row[],
): { value: number; low: number; high: number } {
  const y = cell.answers.map((i) => {
    const s = rows[i]!.score;
    return question === 'enps' ? (s >= 9 ? 100 : s <= 6 ? -100 : 0) : s;
  });
  const c = clusteredMean(
    y,
    cell.answers.map((i) => String(answers[i]!.respondent)),
  );
  const [lo, hi] = question === 'enps' ? [-100, 100] : [1, 5];
  return { value: c.value, low: Math.max(lo, c.low), high: Math.min(hi, c.high) };
}

function monthInFrame(period: string, from: Date | null, to: Date | null): boolean {
  const start = new Date(`${period}-01T00:00:00Z`);
  return (
    (from === null || start >= new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1))) &&
    (to === null || start < to)
  );
}

/**
 * `people pulse`: eNPS or one pulse question per team and month (or quarter, or all data), with a
 * 95% interval clustered by respondent, under the workspace's anonymity rules: a withheld figure has
 * no value and no count, whichever edge asks. `from`/`to` choose which months (or quarters, by their
 * first month) are listed; they never form a new group.
 */
export async function getPulse(db: Store, params: PulseParams): Promise<PulseResult> {
  const settings = await readPeopleSettings(db);
  const frame = await resolveTimeFrame(db, params);
  const names = await teamNames(db);
  const { answers, rows, cells } = await pulseLattice(db, params.question, settings);
  const out: PulseCell[] = [];
  const minHalf = params.question === 'enps' ? 10 : 0.25;
  for (const c of cells.values()) {
    if (c.level !== params.level) continue;
    if (params.team !== undefined && c.team !== params.team) continue;
    if ((!params.subgroups || settings.subgroupBy === 'none') && c.subgroup !== ALL) continue;
    if (c.level === 'month' && !monthInFrame(c.period, frame.from, frame.to)) continue;
    if (c.level === 'quarter') {
      const firstMonth = `${c.period.slice(0, 4)}-${String((Number(c.period.slice(6)) - 1) * 3 + 1).padStart(2, '0')}`;
      if (!monthInFrame(firstMonth, frame.from, frame.to)) continue;
    }
    const base = {
      team: c.team,
      teamName: c.team === ALL ? 'All teams' : (names.get(c.team) ?? c.team),
      level: c.level,
      period: c.period,
      subgroup: c.subgroup,
    };
    if (c.suppressed !== null) {
      out.push({
        ...base,
        respondents: null,
        answers: null,
        value: null,
        low: null,
        high: null,
        status: c.suppressed === 'primary' ? `fewer than ${settings.minGroup}` : 'withheld',
        smallSample: true,
      });
      continue;
    }
    const f = cellFigure(params.question, c, answers, rows);
    out.push({
      ...base,
      respondents: c.respondents,
      answers: c.answers.length,
      value: round(f.value),
      low: round(f.low),
      high: round(f.high),
      status: 'published',
      smallSample: c.respondents < 30 || (f.high - f.low) / 2 > minHalf,
    });
  }
  out.sort(
    (a, b) =>
      Number(a.team === ALL) - Number(b.team === ALL) ||
      a.teamName.localeCompare(b.teamName) ||
      a.period.localeCompare(b.period) ||
      Number(b.subgroup === ALL) - Number(a.subgroup === ALL) ||
      a.subgroup.localeCompare(b.subgroup),
  );
  return {
    question: params.question,
    scale: params.question === 'enps' ? 'eNPS points (−100…100)' : 'mean agreement (1–5)',
    settings,
    cells: out,
    comments: await pulseComments(db, settings, names, params, frame.from, frame.to),
  };
}

/**
 * Comments per team and quarter, only where the team-quarter has at least `minComments` respondents
 * (any pulse question). Team-quarters never nest in one another and no organisation-wide list is
 * published, so no list can be subtracted from another. No author, no date, alphabetical order.
 */
async function pulseComments(
  db: Store,
  settings: PeopleSettings,
  names: Map<string, string>,
  params: PulseParams,
  from: Date | null,
  to: Date | null,
): Promise<PulseComments[]> {
  const rows = await db.all<{ team_id: string; month: string; respondents: number; comments: string[] }>(sql`
    SELECT team_id, min(strftime(ts, '%Y-%m')) AS month,
      count(DISTINCT coalesce(employee_id, id)) AS respondents,
      list(comment ORDER BY comment) FILTER (WHERE comment IS NOT NULL AND trim(comment) <> '') AS comments
    FROM pulse WHERE team_id IS NOT NULL
    GROUP BY team_id, year(ts), quarter(ts)`);
  const out: PulseComments[] = [];
  for (const r of rows) {
    if (params.team !== undefined && r.team_id !== params.team) continue;
    const quarter = quarterOf(r.month);
    const firstMonth = `${quarter.slice(0, 4)}-${String((Number(quarter.slice(6)) - 1) * 3 + 1).padStart(2, '0')}`;
    if (!monthInFrame(firstMonth, from, to)) continue;
    const ok = r.respondents >= settings.minComments;
    out.push({
      team: r.team_id,
      teamName: names.get(r.team_id) ?? r.team_id,
      quarter,
      comments: ok ? (r.comments ?? []) : [],
      status: ok ? 'published' : `fewer than ${settings.minComments}`,
    });
  }
  return out.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.quarter.localeCompare(b.quarter));
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

export function presentPulse(r: PulseResult): Section[] {
  return [
    {
      text: `${r.question === 'enps' ? 'eNPS' : `Pulse: ${r.question}`} — ${r.scale}. Figures for fewer than ${r.settings.minGroup} respondents are not shown; "withheld" protects a smaller group from subtraction.`,
    },
    {
      rows: r.cells.map((c) => ({
        team: c.teamName,
        period: c.period === ALL ? 'all' : c.period,
        ...(c.subgroup !== ALL ? { subgroup: c.subgroup } : {}),
        respondents: c.respondents ?? '',
        value: c.value ?? c.status,
        '95% interval': c.low === null ? '' : `${c.low} … ${c.high}`,
      })),
    },
  ];
}

export const pulseOperation = defineOperation({
  area: 'people',
  verb: 'pulse',
  summary: 'Employee pulse (eNPS or one question) per team and month with intervals, anonymity applied',
  params: PulseParams,
  mode: 'read',
  cache: {},
  listField: 'cells',
  run: (db, params) => getPulse(db, params),
  present: presentPulse,
});
