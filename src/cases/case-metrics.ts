import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * The one definition of a case's handoff history, shared by every cases analysis (docs/cases.md).
 *
 * Events of a case are ordered by `ts`, then `seq`, then `id`. Only `opened` and `assigned` events
 * move a case; an assignment without a team keeps the team it had (an agent picking it up).
 *
 * - **team handoff**: an assignment whose team differs from the team held just before it. The first
 *   team is not a handoff. A "transfer" to the team already holding the case is a **self-transfer**
 *   and counts as nothing.
 * - **agent reassignment** (counted separately): within one team stint, an assignment naming an
 *   agent different from the last agent named in that stint. Returning a case to the team queue
 *   (agent empty) is not a reassignment; the next agent who picks it up is, when it is another agent.
 * - **return (ping-pong)**: a team handoff to a team the case already held and left (A→B→A).
 *   A→B→A→B has 3 handoffs and 2 returns. A case "ping-pongs" when it has at least one return.
 * - **escalation**: a team handoff from a tier-1 team to a team of a higher tier (teams.tier).
 * - **time lost in a transfer**: from a team handoff to the next event of the case, whatever it is
 *   (a pickup by an agent, a note, an update, a status change, a further transfer, closure). A
 *   transfer with no later event (an open case waiting) is not timed.
 * - **closed / open**: a case is closed when the last of its `closed`/`reopened` events is `closed`
 *   (or, with neither event, when `cases.closed_at` is set). Everything else is open.
 * - **resolutions**: the number of `closed` events (at least 1 for a closed case). A reopened case is
 *   one case with two (or more) resolutions.
 * - **contacts**: the opening contact plus every `customer_contact` event.
 * - **first-contact resolution (FCR)**: a closed case never transferred between teams, never
 *   reassigned between agents and never reopened. Open cases have no FCR value (excluded).
 * - **single owner**: a case that only ever had one team and at most one named agent.
 */
export interface CaseMetricsOptions {
  /** Only events up to this instant (inclusive) and cases opened by then; default all. */
  readonly asOf?: string | null;
  /** Cases opened in [from, to). */
  readonly from?: string | null;
  readonly to?: string | null;
  /** Transfer reasons matching this regular expression count as a missing permission or system. */
  readonly accessPattern?: string;
  /** Approvals adding a handoff (empower lever). */
  readonly approvalPattern?: string;
}

export const DEFAULT_ACCESS_PATTERN =
  '(?i)(permission|access|rights|privilege|authori[sz]ation|no login|licen[cs]e|system|tool)';
export const DEFAULT_APPROVAL_PATTERN = '(?i)(approv|sign[- ]?off|authori[sz]e)';

/** Common date filters of every cases verb. */
export const caseWindowParams = {
  from: z.string().optional().describe('only cases opened at or after this date (ISO)'),
  to: z.string().optional().describe('only cases opened before this date (ISO)'),
  asOf: z.string().optional().describe('as-of instant: ignore later events (default: all data)'),
};

export function checkInstant(name: string, v: string | null | undefined): string | null {
  if (v === undefined || v === null || v === '') return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()))
    throw new TouchpointError('invalid_input', `--${name} is not a date: ${JSON.stringify(v)}`);
  return d.toISOString();
}

/**
 * A `WITH` list ending in `case_metrics` (one row per case) plus `asg` (assignment rows, one per
 * opened/assigned event with its team) and `ev` (ordered events). Compose with
 * `sql\`WITH ${caseMetricsCtes(o)} SELECT … FROM case_metrics\``.
 */
export function caseMetricsCtes(o: CaseMetricsOptions = {}): SqlFragment {
  const asOf = o.asOf ?? null;
  const from = o.from ?? null;
  const to = o.to ?? null;
  const access = o.accessPattern ?? DEFAULT_ACCESS_PATTERN;
  const approval = o.approvalPattern ?? DEFAULT_APPROVAL_PATTERN;
  const filtered = asOf !== null || from !== null || to !== null;
  return sql`
  cs AS (
    SELECT c.* FROM cases c
    WHERE (${asOf}::TIMESTAMP IS NULL OR c.opened_at <= ${asOf}::TIMESTAMP)
      AND (${from}::TIMESTAMP IS NULL OR c.opened_at >= ${from}::TIMESTAMP)
      AND (${to}::TIMESTAMP IS NULL OR c.opened_at < ${to}::TIMESTAMP)
  ),
  ev AS (
    -- one pass over all events, in case order: position, next event, and the team held before each
    -- event (the last one named by an opened/assigned event)
    SELECT e.case_id, e.ts, e.type, e.team, e.agent, e.transfer_reason, e.promised_at,
      row_number() OVER w AS rn,
      lead(e.ts) OVER w AS next_ts,
      last_value(CASE WHEN e.type IN ('opened', 'assigned') THEN e.team END IGNORE NULLS) OVER wb AS prev_team
    FROM case_events e ${filtered ? sql`SEMI JOIN cs ON cs.id = e.case_id` : sql``}
    WHERE (${asOf}::TIMESTAMP IS NULL OR e.ts <= ${asOf}::TIMESTAMP)
    WINDOW w AS (PARTITION BY e.case_id ORDER BY e.ts, e.seq NULLS LAST, e.id),
      wb AS (PARTITION BY e.case_id ORDER BY e.ts, e.seq NULLS LAST, e.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
  ),
  asg2 AS (
    SELECT case_id, rn, ts, next_ts, agent, transfer_reason, prev_team,
      coalesce(team, prev_team) AS team, coalesce(team <> prev_team, false) AS team_change
    FROM ev WHERE type IN ('opened', 'assigned') AND coalesce(team, prev_team) IS NOT NULL
  ),
  asg_base AS (
    SELECT a.*,
      -- when the current team stint started: the first team, or the last team handoff
      max(CASE WHEN team_change OR prev_team IS NULL THEN rn END) OVER wa AS stint_rn,
      -- the last agent named before, and where
      last_value(agent IGNORE NULLS) OVER (wa ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_agent,
      last_value(CASE WHEN agent IS NOT NULL THEN rn END IGNORE NULLS)
        OVER (wa ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_agent_rn,
      tp.tier AS prev_tier, tt.tier AS tier
    FROM asg2 a
    LEFT JOIN teams tp ON tp.id = a.prev_team
    LEFT JOIN teams tt ON tt.id = a.team
    WINDOW wa AS (PARTITION BY case_id ORDER BY rn)
  ),
  asg AS (
    -- per assignment: is it a return to a team already held (only the verbs that need it compute it)
    SELECT *, team_change AND count(*) OVER (PARTITION BY case_id, team ORDER BY rn ROWS UNBOUNDED PRECEDING) > 1 AS is_return
    FROM asg_base
  ),
  asg_case AS (
    SELECT case_id,
      count(*) FILTER (WHERE team_change) AS team_handoffs,
      count(*) FILTER (WHERE NOT team_change AND agent IS NOT NULL AND prev_agent IS NOT NULL
        AND prev_agent_rn >= stint_rn AND agent <> prev_agent) AS agent_reassignments,
      count(DISTINCT team) AS distinct_teams,
      count(DISTINCT agent) AS distinct_agents,
      -- every handoff goes to a new team or back to one already held: returns = handoffs − (teams − 1)
      count(*) FILTER (WHERE team_change) - count(DISTINCT team) + 1 AS returns,
      count(*) FILTER (WHERE team_change AND prev_tier = 1 AND tier > 1) AS escalations,
      count(*) FILTER (WHERE team_change AND regexp_matches(coalesce(transfer_reason, ''), ${access})) AS access_transfers,
      count(*) FILTER (WHERE team_change AND regexp_matches(coalesce(transfer_reason, ''), ${approval})) AS approval_transfers,
      count(*) FILTER (WHERE team_change AND transfer_reason IS NOT NULL) AS transfers_with_reason,
      sum(epoch(next_ts) - epoch(ts)) FILTER (WHERE team_change AND next_ts IS NOT NULL) / 3600.0 AS transfer_hours,
      count(*) FILTER (WHERE team_change AND next_ts IS NOT NULL) AS transfers_timed,
      arg_min(team, rn) AS first_team,
      arg_min(tier, rn) AS first_tier,
      arg_max(team, rn) AS last_team,
      list(team ORDER BY rn) FILTER (WHERE team_change OR prev_team IS NULL) AS team_chain,
      list(ts ORDER BY rn) FILTER (WHERE team_change OR prev_team IS NULL) AS team_chain_ts
    FROM asg_base GROUP BY case_id
  ),
  ev_case AS (
    SELECT case_id,
      count(*) FILTER (WHERE type = 'closed') AS closes,
      count(*) FILTER (WHERE type = 'reopened') AS reopens,
      arg_max(type, rn) FILTER (WHERE type IN ('closed', 'reopened')) AS last_close_event,
      max(ts) FILTER (WHERE type = 'closed') AS last_closed_ts,
      min(ts) FILTER (WHERE type = 'update_sent') AS first_update_ts,
      count(*) FILTER (WHERE type = 'update_sent') AS updates_sent,
      count(*) FILTER (WHERE type = 'customer_contact') AS customer_contacts,
      max(ts) FILTER (WHERE type = 'update_sent') AS last_update_ts,
      list(agent ORDER BY rn) FILTER (WHERE type IN ('opened', 'assigned') AND agent IS NOT NULL) AS agent_seq,
      max(ts) AS last_event_ts
    FROM ev GROUP BY case_id
  ),
  case_metrics AS (
    SELECT c.id AS case_id, c.customer_id, coalesce(c.reason, '(none)') AS reason,
      coalesce(c.channel, '(none)') AS channel, coalesce(c.product, '(none)') AS product,
      strftime(c.opened_at, '%Y-%m') AS month, c.opened_at, c.closed_at AS case_closed_at,
      CASE WHEN e.last_close_event IS NOT NULL THEN e.last_close_event = 'closed'
           ELSE c.closed_at IS NOT NULL AND (${asOf}::TIMESTAMP IS NULL OR c.closed_at <= ${asOf}::TIMESTAMP) END AS is_closed,
      coalesce(a.team_handoffs, 0) AS team_handoffs,
      coalesce(a.agent_reassignments, 0) AS agent_reassignments,
      coalesce(a.distinct_teams, 0) AS distinct_teams,
      coalesce(a.distinct_agents, 0) AS distinct_agents,
      coalesce(a.returns, 0) AS returns,
      coalesce(a.escalations, 0) AS escalations,
      coalesce(a.access_transfers, 0) AS access_transfers,
      coalesce(a.approval_transfers, 0) AS approval_transfers,
      coalesce(a.transfers_with_reason, 0) AS transfers_with_reason,
      coalesce(a.transfer_hours, 0) AS transfer_hours,
      coalesce(a.transfers_timed, 0) AS transfers_timed,
      a.first_team, a.first_tier, a.last_team,
      coalesce(a.team_chain, []::VARCHAR[]) AS team_chain,
      a.team_chain_ts,
      coalesce(e.reopens, 0) AS reopens,
      coalesce(e.updates_sent, 0) AS updates_sent,
      1 + coalesce(e.customer_contacts, 0) AS contacts,
      e.first_update_ts, e.last_update_ts, e.last_event_ts, e.last_closed_ts,
      e.agent_seq,
      coalesce(e.closes, 0) AS closes
    FROM cs c
    LEFT JOIN asg_case a ON a.case_id = c.id
    LEFT JOIN ev_case e ON e.case_id = c.id
  ),
  case_metrics2 AS (
    SELECT m.*,
      CASE WHEN is_closed THEN greatest(closes, 1) ELSE closes END AS resolutions,
      CASE WHEN is_closed THEN coalesce(last_closed_ts, case_closed_at) END AS closed_at,
      CASE WHEN is_closed THEN team_handoffs = 0 AND agent_reassignments = 0 AND reopens = 0 END AS fcr,
      distinct_teams <= 1 AND distinct_agents <= 1 AS single_owner,
      returns > 0 AS ping_pong
    FROM case_metrics m
  )`;
}

/** The CTE name to select from. */
export const CASES = sql`case_metrics2`;

/** One case's handoff metrics, as stored rows give them. */
export interface CaseMetricsRow {
  case_id: string;
  customer_id: string | null;
  reason: string;
  channel: string;
  product: string;
  month: string;
  opened_at: string;
  closed_at: string | null;
  is_closed: boolean;
  team_handoffs: number;
  agent_reassignments: number;
  distinct_teams: number;
  returns: number;
  ping_pong: boolean;
  escalations: number;
  reopens: number;
  resolutions: number;
  contacts: number;
  fcr: boolean | null;
  single_owner: boolean;
  transfer_hours: number;
  transfers_timed: number;
  updates_sent: number;
  first_team: string | null;
  last_team: string | null;
  team_chain: string[];
}

/** Per-case metrics of one or a few cases (drill-down). */
export async function caseMetrics(
  db: Store,
  ids: readonly string[],
  o: CaseMetricsOptions = {},
): Promise<CaseMetricsRow[]> {
  return db.all<CaseMetricsRow>(sql`WITH ${caseMetricsCtes(o)}
    SELECT case_id, customer_id, reason, channel, product, month, opened_at, closed_at, is_closed,
      team_handoffs, agent_reassignments, distinct_teams, returns, ping_pong, escalations, reopens,
      resolutions, contacts, fcr, single_owner, transfer_hours, transfers_timed, updates_sent,
      first_team, last_team, team_chain
    FROM case_metrics2 WHERE list_contains(${ids}::VARCHAR[], case_id) ORDER BY case_id`);
}
