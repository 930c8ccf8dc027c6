import { type FilterInput, type Filters, filterSql, NO_FILTERS, resolveFilters } from '../core/filters.js';
import { resolveTimeFrame, type TimeFrameInput } from '../core/time.js';
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
  /**
   * Read `case_metrics2` from the stored table `case_metrics_store` (set by `caseMetricsFor`, which
   * brings it up to date first); the other CTEs are computed from the events as always.
   */
  readonly stored?: boolean;
  /** Only the cases whose ids a relation with a `case_id` column holds (the store's refresh). */
  readonly only?: SqlFragment;
  /** Segment / channel / persona of the case (src/core/filters.ts); default none. */
  readonly filters?: Filters;
}

export const DEFAULT_ACCESS_PATTERN =
  '(?i)(permission|access|rights|privilege|authori[sz]ation|no login|licen[cs]e|system|tool)';
export const DEFAULT_APPROVAL_PATTERN = '(?i)(approv|sign[- ]?off|authori[sz]e)';

/**
 * The time frame of a cases verb (`...TimeFrameParams` in its schema) resolved in the workspace's
 * zone, as the ISO strings `CaseMetricsOptions` takes.
 */
export async function caseWindow(
  db: Store,
  p: TimeFrameInput & FilterInput,
): Promise<{ asOf: string | null; from: string | null; to: string | null; filters: Filters }> {
  const f = await resolveTimeFrame(db, p);
  const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
  return { asOf: iso(f.asOf), from: iso(f.from), to: iso(f.to), filters: await resolveFilters(db, p) };
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
  const filters = o.filters ?? NO_FILTERS;
  const narrowed = filters.segment !== null || filters.channel !== null || filters.persona !== null;
  const filtered = asOf !== null || from !== null || to !== null || o.only !== undefined || narrowed;
  return sql`
  cs AS (
    SELECT c.* FROM cases c
    WHERE ${o.only ? sql`c.id IN (SELECT case_id FROM ${o.only}) AND ` : sql``}(${asOf}::TIMESTAMP IS NULL OR c.opened_at <= ${asOf}::TIMESTAMP)
      AND (${from}::TIMESTAMP IS NULL OR c.opened_at >= ${from}::TIMESTAMP)
      AND (${to}::TIMESTAMP IS NULL OR c.opened_at < ${to}::TIMESTAMP)
      AND ${filterSql(filters, { customer: sql`c.customer_id`, channel: sql`c.channel` })}
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
  evl AS (
    -- one GROUP BY pass: each case's events as one ordered list (sorting small per-case lists is far
    -- cheaper than window passes over all events); counts that need no order come with it
    SELECT e.case_id,
      -- sorting the struct list (its leading fields are the event order; id is unique) is much cheaper
      -- than list(… ORDER BY …)
      list_sort(list(struct_pack(ts := e.ts, sn := e.seq IS NULL, seq := coalesce(e.seq, 0), id := e.id, ty := e.type,
        team := e.team, agent := e.agent, reason := e.transfer_reason))) AS l,
      count(*) FILTER (WHERE e.type = 'closed') AS closes,
      count(*) FILTER (WHERE e.type = 'reopened') AS reopens,
      max(e.ts) FILTER (WHERE e.type = 'closed') AS last_closed_ts,
      min(e.ts) FILTER (WHERE e.type = 'update_sent') AS first_update_ts,
      count(*) FILTER (WHERE e.type = 'update_sent') AS updates_sent,
      count(*) FILTER (WHERE e.type = 'customer_contact') AS customer_contacts,
      max(e.ts) FILTER (WHERE e.type = 'update_sent') AS last_update_ts,
      max(e.ts) AS last_event_ts
    FROM case_events e ${filtered ? sql`SEMI JOIN cs ON cs.id = e.case_id` : sql``}
    WHERE (${asOf}::TIMESTAMP IS NULL OR e.ts <= ${asOf}::TIMESTAMP)
    GROUP BY e.case_id
  ),
  evl_a AS (
    -- the opened/assigned events with their position and the next event's time
    SELECT case_id, closes, reopens, last_closed_ts, first_update_ts, updates_sent, customer_contacts,
      last_update_ts, last_event_ts,
      list_filter(l, x -> x.ty IN ('closed', 'reopened'))[-1].ty AS last_close_event,
      list_transform(list_filter(l, x -> x.ty IN ('opened', 'assigned') AND x.agent IS NOT NULL), x -> x.agent) AS agent_seq0,
      list_filter(list_transform(l, (x, i) -> struct_pack(i := i, ts := x.ts, nts := l[i + 1].ts, ty := x.ty,
        team := x.team, agent := x.agent, reason := x.reason)), y -> y.ty IN ('opened', 'assigned')) AS a0
    FROM evl
  ),
  evl_b AS (
    -- the team held before each assignment (the last one named earlier; usually the one just before)
    SELECT * EXCLUDE (a0),
      list_transform(a0, (y, k) -> struct_pack(i := y.i, ts := y.ts, nts := y.nts, agent := y.agent, reason := y.reason,
        team := y.team, prev_team := CASE WHEN k = 1 THEN NULL WHEN a0[k - 1].team IS NOT NULL THEN a0[k - 1].team
          ELSE list_filter(a0, z -> z.i < y.i AND z.team IS NOT NULL)[-1].team END)) AS a1
    FROM evl_a
  ),
  evl_c AS (
    SELECT * EXCLUDE (a1),
      list_filter(list_transform(a1, y -> struct_pack(i := y.i, ts := y.ts, nts := y.nts, agent := y.agent,
        reason := y.reason, prev_team := y.prev_team, team := coalesce(y.team, y.prev_team),
        tc := coalesce(y.team <> y.prev_team, false))), y -> y.team IS NOT NULL) AS a
    FROM evl_b
  ),
  tier_sets AS (
    SELECT coalesce(list(id) FILTER (WHERE tier = 1), []) AS t1, coalesce(list(id) FILTER (WHERE tier > 1), []) AS hi
    FROM teams
  ),
  asg_case AS (
    SELECT x.*,
      len(x.h) AS team_handoffs,
      -- keep the stint starts and the assignments naming an agent: an assignment naming an agent, not a
      -- team handoff, is a reassignment when the one kept just before named another agent (a stint
      -- start without agent means no agent named yet in this stint)
      len(list_filter(list_zip(x.b[2:], x.b[1:len(x.b) - 1]), z -> NOT z[1].tc AND z[1].agent IS NOT NULL
        AND z[2].agent IS NOT NULL AND z[1].agent <> z[2].agent)) AS agent_reassignments,
      -- every team held is in the chain
      list_unique(list_transform(list_filter(x.a, y -> y.tc OR y.prev_team IS NULL), y -> y.team)) AS distinct_teams,
      list_unique(list_transform(x.a, y -> y.agent)) AS distinct_agents,
      len(list_filter(x.h, y -> list_contains(ts.t1, y.prev_team) AND list_contains(ts.hi, y.team))) AS escalations,
      len(list_filter(x.h, y -> regexp_matches(coalesce(y.reason, ''), ${access}))) AS access_transfers,
      len(list_filter(x.h, y -> regexp_matches(coalesce(y.reason, ''), ${approval}))) AS approval_transfers,
      len(list_filter(x.h, y -> y.reason IS NOT NULL)) AS transfers_with_reason,
      list_sum(list_transform(list_filter(x.h, y -> y.nts IS NOT NULL), y -> epoch(y.nts) - epoch(y.ts))) / 3600.0 AS transfer_hours,
      len(list_filter(x.h, y -> y.nts IS NOT NULL)) AS transfers_timed,
      x.a[1].team AS first_team,
      x.a[-1].team AS last_team,
      list_transform(list_filter(x.a, y -> y.tc OR y.prev_team IS NULL), y -> y.team) AS team_chain0,
      list_transform(list_filter(x.a, y -> y.tc OR y.prev_team IS NULL), y -> y.ts) AS team_chain_ts0
    FROM (
      SELECT *, list_filter(a, y -> y.tc) AS h,
        list_transform(list_filter(a, y -> y.tc OR y.prev_team IS NULL OR y.agent IS NOT NULL),
          y -> struct_pack(tc := y.tc, agent := y.agent)) AS b
      FROM evl_c
    ) x CROSS JOIN tier_sets ts
  ),
  asg AS (
    -- one row per assignment that leaves the case with a team; is_return: a handoff to a team the
    -- case already held
    SELECT case_id, u.i AS rn, u.ts, u.nts AS next_ts, u.agent, u.reason AS transfer_reason, u.prev_team, u.team,
      u.tc AS team_change, u.ret AS is_return
    FROM (
      SELECT case_id, unnest(list_transform(a, (y, k) -> struct_pack(i := y.i, ts := y.ts, nts := y.nts, agent := y.agent,
        reason := y.reason, prev_team := y.prev_team, team := y.team, tc := y.tc,
        ret := CASE WHEN y.tc THEN list_contains(list_transform(a[1:k - 1], z -> z.team), y.team) ELSE false END))) AS u
      FROM evl_c
    )
  ),
  case_metrics AS (
    SELECT c.id AS case_id, c.customer_id, coalesce(c.reason, '(none)') AS reason,
      coalesce(c.channel, '(none)') AS channel, coalesce(c.product, '(none)') AS product,
      strftime(c.opened_at, '%Y-%m') AS month, c.opened_at, c.closed_at AS case_closed_at,
      CASE WHEN a.last_close_event IS NOT NULL THEN a.last_close_event = 'closed'
           ELSE c.closed_at IS NOT NULL AND (${asOf}::TIMESTAMP IS NULL OR c.closed_at <= ${asOf}::TIMESTAMP) END AS is_closed,
      coalesce(a.team_handoffs, 0) AS team_handoffs,
      coalesce(a.agent_reassignments, 0) AS agent_reassignments,
      coalesce(a.distinct_teams, 0) AS distinct_teams,
      coalesce(a.distinct_agents, 0) AS distinct_agents,
      -- every handoff goes to a new team or back to one already held: returns = handoffs − (teams − 1)
      CASE WHEN len(a.a) > 0 THEN a.team_handoffs - a.distinct_teams + 1 ELSE 0 END AS returns,
      coalesce(a.escalations, 0) AS escalations,
      coalesce(a.access_transfers, 0) AS access_transfers,
      coalesce(a.approval_transfers, 0) AS approval_transfers,
      coalesce(a.transfers_with_reason, 0) AS transfers_with_reason,
      coalesce(a.transfer_hours, 0) AS transfer_hours,
      coalesce(a.transfers_timed, 0) AS transfers_timed,
      a.first_team, tf.tier AS first_tier, a.last_team,
      coalesce(a.team_chain0, []::VARCHAR[]) AS team_chain,
      CASE WHEN len(a.a) > 0 THEN a.team_chain_ts0 END AS team_chain_ts,
      coalesce(a.reopens, 0) AS reopens,
      coalesce(a.updates_sent, 0) AS updates_sent,
      1 + coalesce(a.customer_contacts, 0) AS contacts,
      a.first_update_ts, a.last_update_ts, a.last_event_ts, a.last_closed_ts,
      CASE WHEN len(a.agent_seq0) > 0 THEN a.agent_seq0 END AS agent_seq,
      coalesce(a.closes, 0) AS closes
    FROM cs c
    LEFT JOIN asg_case a ON a.case_id = c.id
    LEFT JOIN teams tf ON tf.id = a.first_team
  ),
  case_metrics2 AS (${
    o.stored
      ? sql`SELECT * FROM case_metrics_store
        WHERE (${from}::TIMESTAMP IS NULL OR opened_at >= ${from}::TIMESTAMP)
          AND (${to}::TIMESTAMP IS NULL OR opened_at < ${to}::TIMESTAMP)
          AND ${filterSql(filters, { customer: sql`customer_id`, channel: sql`channel` })}`
      : computedMetrics
  })`;
}

/** case_metrics2 computed from case_metrics (the definition the stored table is built with). */
const computedMetrics = sql`SELECT m.*,
      CASE WHEN is_closed THEN greatest(closes, 1) ELSE closes END AS resolutions,
      CASE WHEN is_closed THEN coalesce(last_closed_ts, case_closed_at) END AS closed_at,
      CASE WHEN is_closed THEN team_handoffs = 0 AND agent_reassignments = 0 AND reopens = 0 END AS fcr,
      distinct_teams <= 1 AND distinct_agents <= 1 AS single_owner,
      returns > 0 AS ping_pong
    FROM case_metrics m`;

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
