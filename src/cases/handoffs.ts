import { z } from 'zod';
import { FilterParams, personaOf, requirePersonas } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { CASES, type CaseMetricsOptions, caseMetricsCtes, caseWindow } from './case-metrics.js';
import { noCases, pct, type Rate, rate, ratePct, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

export const GROUP_BY = ['reason', 'channel', 'team', 'product', 'month', 'persona'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const HandoffsParams = z.object({
  by: z.enum(GROUP_BY).default('reason').describe('aggregate by this dimension'),
  ...TimeFrameParams,
  ...FilterParams,
  pushToFrontShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe(
      'an escalation is push-to-front when at least this share of closed cases of the same reason are closed at tier 1 without transfer',
    ),
  limit: z.number().int().min(1).max(10_000).default(50),
});
export type HandoffsParams = z.output<typeof HandoffsParams>;

/** Handoff figures of one group of cases (docs/cases.md gives every definition). */
export interface HandoffGroup {
  readonly key: string;
  readonly cases: number;
  readonly openCases: number;
  readonly customers: number;
  /** Contacts: the opening contact plus every customer_contact event. */
  readonly contacts: number;
  /** Resolutions: closed events (a reopened case resolved twice counts 2). */
  readonly resolutions: number;
  readonly teamHandoffs: number;
  readonly teamHandoffsPerCase: number | null;
  readonly agentReassignments: number;
  readonly agentReassignmentsPerCase: number | null;
  readonly distinctTeamsPerCase: number | null;
  /** Cases with at least one team handoff. */
  readonly transferred: Rate;
  /** Cases that returned to a team they had left (A→B→A). */
  readonly pingPong: Rate;
  readonly returns: number;
  /** Cases escalated from tier 1 to a higher tier although their reason is usually closed at tier 1. */
  readonly pushToFront: Rate;
  /** Hours from a transfer to the next event of the case, mean over timed transfers. */
  readonly hoursLostPerTransfer: number | null;
  readonly hoursLost: number;
  /** Closed cases resolved by the first team and agent, never reopened. */
  readonly fcr: Rate;
  /**
   * Cases whose team history is known (at least one opened or assigned event naming a team). When it
   * is 0, handoffs cannot be seen: the handoff figures, transfers, ping-pong and FCR are null.
   */
  readonly teamsKnown: number;
  /** Cases reopened at least once among cases resolved at least once. */
  readonly reopen: Rate;
}

export interface HandoffsResult {
  readonly by: GroupBy;
  readonly totals: HandoffGroup;
  readonly groups: readonly HandoffGroup[];
  /** What the data cannot support (e.g. no case events, so no handoff can be seen). */
  readonly notes: readonly string[];
}

interface Row {
  key: string;
  cases: number;
  open_cases: number;
  customers: number;
  contacts: number;
  resolutions: number;
  team_handoffs: number;
  agent_reassignments: number;
  distinct_teams: number;
  transferred: number;
  ping_pong: number;
  returns: number;
  push_to_front: number;
  hours_lost: number;
  transfers_timed: number;
  closed: number;
  fcr: number;
  resolved_once: number;
  reopened: number;
  teams_known: number;
}

/**
 * `case_metrics2` with the push-to-front flag: a case escalated from tier 1 to a higher tier whose
 * reason has at least `share` of its closed cases closed at tier 1 without any team handoff.
 */
export function withPushToFront(o: CaseMetricsOptions, share: number): SqlFragment {
  return sql`${caseMetricsCtes(o)},
  cm AS (
    SELECT *, escalations > 0 AND avg(CASE WHEN is_closed THEN coalesce(team_handoffs = 0 AND first_tier = 1, false)::INT END)
      OVER (PARTITION BY reason) >= ${share} AS push_to_front
    FROM case_metrics2
  )`;
}

function keyExpr(by: GroupBy): SqlFragment {
  switch (by) {
    case 'reason':
      return sql`reason`;
    case 'channel':
      return sql`channel`;
    case 'product':
      return sql`product`;
    case 'month':
      return sql`month`;
    case 'persona':
      return personaOf(sql`cm.customer_id`);
    case 'team':
      // a case counts once in every team it touched
      return sql`unnest(CASE WHEN len(team_chain) = 0 THEN ['(unassigned)'] ELSE list_distinct(team_chain) END)`;
  }
}

/** The columns AGGREGATES reads: only these are repeated per team when a case counts in several. */
const AGGREGATED_COLUMNS = sql`is_closed, team_chain, customer_id, contacts, resolutions, team_handoffs, agent_reassignments,
  distinct_teams, ping_pong, returns, push_to_front, transfer_hours, transfers_timed, fcr, reopens`;

const AGGREGATES = sql`
  count(*) AS cases, count(*) FILTER (WHERE NOT is_closed) AS open_cases,
  count(DISTINCT customer_id) AS customers, sum(contacts) AS contacts, sum(resolutions) AS resolutions,
  sum(team_handoffs) AS team_handoffs, sum(agent_reassignments) AS agent_reassignments,
  sum(distinct_teams) AS distinct_teams, count(*) FILTER (WHERE team_handoffs > 0) AS transferred,
  count(*) FILTER (WHERE ping_pong) AS ping_pong, sum(returns) AS returns,
  count(*) FILTER (WHERE push_to_front) AS push_to_front,
  sum(transfer_hours) AS hours_lost, sum(transfers_timed) AS transfers_timed,
  count(*) FILTER (WHERE is_closed) AS closed, count(*) FILTER (WHERE fcr) AS fcr,
  count(*) FILTER (WHERE resolutions > 0 OR reopens > 0) AS resolved_once,
  count(*) FILTER (WHERE reopens > 0) AS reopened,
  count(*) FILTER (WHERE len(team_chain) > 0) AS teams_known`;

function toGroup(r: Row): HandoffGroup {
  // without any team history a case shows no handoff: zero would be a claim, not a measurement
  const seen = (r.teams_known ?? 0) > 0;
  const per = (v: number) => (r.cases > 0 && seen ? round(v / r.cases) : null);
  const of = (n: number, d: number) => (seen ? rate(n, d) : rate(0, 0));
  return {
    key: r.key,
    cases: r.cases,
    openCases: r.open_cases,
    customers: r.customers,
    contacts: r.contacts ?? 0,
    resolutions: r.resolutions ?? 0,
    teamHandoffs: r.team_handoffs ?? 0,
    teamHandoffsPerCase: per(r.team_handoffs ?? 0),
    agentReassignments: r.agent_reassignments ?? 0,
    agentReassignmentsPerCase: per(r.agent_reassignments ?? 0),
    distinctTeamsPerCase: per(r.distinct_teams ?? 0),
    transferred: of(r.transferred, r.cases),
    pingPong: of(r.ping_pong, r.cases),
    returns: r.returns ?? 0,
    pushToFront: of(r.push_to_front, r.cases),
    hoursLostPerTransfer: r.transfers_timed > 0 ? round(r.hours_lost / r.transfers_timed, 2) : null,
    hoursLost: round(r.hours_lost ?? 0, 2) ?? 0,
    fcr: of(r.fcr, r.closed),
    reopen: rate(r.reopened, r.resolved_once),
    teamsKnown: r.teams_known ?? 0,
  };
}

/**
 * Handoff metrics aggregated by reason, channel, team (a case counts in every team it touched),
 * product, month of opening or the customer's persona (newest run), plus the totals. Open cases count in handoffs, ping-pong and
 * transfers so far; FCR is over closed cases; reopen rate over cases resolved at least once.
 */
export async function getHandoffs(db: Store, params: HandoffsParams): Promise<HandoffsResult> {
  if (params.by === 'persona') await requirePersonas(db);
  const o = await caseMetricsFor(db, await caseWindow(db, params));
  const rows = await db.all<
    Row & { is_total: boolean }
  >(sql`WITH ${withPushToFront(o, params.pushToFrontShare)},
    g AS (SELECT ${keyExpr(params.by)} AS key, ${AGGREGATED_COLUMNS} FROM cm)
    SELECT 'all' AS key, true AS is_total, ${AGGREGATES} FROM cm
    UNION ALL
    (SELECT coalesce(key, '(none)') AS key, false AS is_total, ${AGGREGATES} FROM g GROUP BY 1 ORDER BY cases DESC, key LIMIT ${params.limit})`);
  const total = rows.find((r) => r.is_total);
  const groups = rows.filter((r) => !r.is_total).map(toGroup);
  const totals = total ? toGroup(total) : toGroup({ key: 'all', cases: 0 } as Row);
  return {
    by: params.by,
    totals,
    groups: groups.sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key)),
    notes: coverageNotes(totals),
  };
}

/** What the team history can support: none at all, or only part of the cases. */
function coverageNotes(t: HandoffGroup): string[] {
  if (t.cases === 0) return [];
  if (t.teamsKnown === 0)
    return [
      `none of the ${t.cases} cases has an opened or assigned event naming a team, so no handoff can be seen: handoffs, transfers, ping-pong and FCR are not shown. Import the case events (touchpoint import case-events; docs/cases.md).`,
    ];
  if (t.teamsKnown < t.cases)
    return [
      `${t.cases - t.teamsKnown} of ${t.cases} cases have no event naming a team; they count as cases without handoff.`,
    ];
  return [];
}

/**
 * Team handoffs per case over every case — the one definition `overview summary` and the totals of
 * `cases handoffs` share (`team_handoffs` of the case metrics: a move to another team after the team
 * that opened or first took the case; an assignment without a team keeps the team held).
 */
export async function getTeamHandoffsPerCase(
  db: Store,
): Promise<{ readonly cases: number; readonly teamHandoffs: number; readonly perCase: number | null }> {
  const o = await caseMetricsFor(db, {});
  const r = await db.one<{ cases: number; team_handoffs: number | null; teams_known: number }>(
    sql`WITH ${caseMetricsCtes(o)} SELECT count(*) AS cases, sum(team_handoffs) AS team_handoffs,
      count(*) FILTER (WHERE len(team_chain) > 0) AS teams_known FROM ${CASES}`,
  );
  const cases = r?.cases ?? 0;
  const teamHandoffs = r?.team_handoffs ?? 0;
  // no team history at all: handoffs cannot be seen, so no figure (as in cases handoffs)
  return {
    cases,
    teamHandoffs,
    perCase: cases > 0 && (r?.teams_known ?? 0) > 0 ? teamHandoffs / cases : null,
  };
}

export const handoffsOperation = defineOperation({
  area: 'cases',
  verb: 'handoffs',
  summary: 'Team handoffs, agent reassignments, ping-pong, push-to-front, time lost, FCR and reopen rate',
  params: HandoffsParams,
  mode: 'read',
  cache: {},
  listField: 'groups',
  run: (db, params) => getHandoffs(db, params),
  present: (r): Section[] =>
    r.totals.cases === 0
      ? [noCases('handoffs'), ...r.notes.map((text) => ({ text }))]
      : [
          {
            title: `Handoffs by ${r.by} (all cases: ${r.totals.cases}, ${r.totals.teamHandoffsPerCase ?? '–'} team handoffs per case)`,
            rows: [r.totals, ...r.groups].map((g) => ({
              [r.by]: g.key,
              cases: g.cases,
              open: g.openCases,
              'handoffs/case': g.teamHandoffsPerCase,
              'agent reassign/case': g.agentReassignmentsPerCase,
              transferred: pct(g.transferred.value),
              'ping-pong': ratePct(g.pingPong),
              'push-to-front': pct(g.pushToFront.value),
              'h lost/transfer': g.hoursLostPerTransfer,
              FCR: ratePct(g.fcr),
              reopen: ratePct(g.reopen),
            })),
          },
          ...r.notes.map((text) => ({ text })),
        ],
});
