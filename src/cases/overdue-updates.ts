import { z } from 'zod';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { commCtes, communicationWindow, PROMISE_HOURS } from './communication.js';

export const OverdueUpdatesParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  promiseHours: PROMISE_HOURS,
  team: z.string().optional().describe('only cases currently held by this team'),
  limit: z.number().int().min(1).max(10_000).default(100),
});
export type OverdueUpdatesParams = z.output<typeof OverdueUpdatesParams>;

export interface OverdueCase {
  readonly caseId: string;
  readonly customerId: string | null;
  readonly reason: string;
  readonly channel: string;
  readonly team: string | null;
  /** The agent holding the case now (null: in the team's queue). */
  readonly agent: string | null;
  readonly openedAt: string;
  /** The last update sent (null: never updated since opening). */
  readonly lastUpdateAt: string | null;
  /** When the next update was due: the earlier of last update (or opening) + promise and an unkept promised date. */
  readonly dueAt: string;
  readonly hoursOverdue: number;
  /** A promised date that passed without an update, when one was recorded. */
  readonly brokenPromiseAt: string | null;
}

export interface OverdueUpdatesResult {
  readonly asOf: string;
  readonly promiseHours: number;
  readonly total: number;
  readonly cases: readonly OverdueCase[];
}

/**
 * The list an agent acts on this morning: open cases (as of `asOf`, default the earlier of now and
 * the latest event in the data) whose customer has waited longer than the update promise since the
 * last update (or since opening), or whose recorded promised date passed without an update. Most
 * overdue first.
 */
export async function getOverdueUpdates(
  db: Store,
  params: OverdueUpdatesParams,
  now: Date = new Date(),
): Promise<OverdueUpdatesResult> {
  const o = await communicationWindow(db, params, now);
  const asOf = o.asOf;
  const rows = await db.all<{
    case_id: string;
    customer_id: string | null;
    reason: string;
    channel: string;
    team: string | null;
    agent: string | null;
    opened_at: string;
    last_update_at: string | null;
    due_at: string;
    hours_overdue: number;
    broken_promise_at: string | null;
    total: number;
  }>(sql`WITH ${commCtes(o, params.promiseHours)},
    holder AS (SELECT case_id, arg_max(team, rn) AS team, arg_max_null(agent, rn) AS agent FROM asg GROUP BY case_id),
    broken AS (
      SELECT p.case_id, min(p.promised_at) AS promised_at FROM ev p
      WHERE p.promised_at IS NOT NULL AND p.promised_at <= ${asOf}::TIMESTAMP
        AND NOT EXISTS (SELECT 1 FROM ev u WHERE u.case_id = p.case_id AND u.type IN ('update_sent', 'closed')
          AND u.ts > p.ts AND u.ts <= p.promised_at)
        AND NOT EXISTS (SELECT 1 FROM ev u WHERE u.case_id = p.case_id AND u.type = 'update_sent' AND u.ts > p.promised_at)
      GROUP BY p.case_id
    ),
    due AS (
      SELECT c.case_id, least(c.last_anchor + to_microseconds((${params.promiseHours} * 3600e6)::BIGINT),
               coalesce(b.promised_at, TIMESTAMP '9999-12-31')) AS due_at, b.promised_at AS broken_promise_at
      FROM case_comm c LEFT JOIN broken b ON b.case_id = c.case_id WHERE NOT c.is_closed
    )
    SELECT m.case_id, m.customer_id, m.reason, m.channel, coalesce(h.team, m.last_team) AS team, h.agent,
      m.opened_at, m.last_update_ts AS last_update_at, d.due_at,
      round((epoch(${asOf}::TIMESTAMP) - epoch(d.due_at)) / 3600.0, 2) AS hours_overdue,
      d.broken_promise_at, count(*) OVER () AS total
    FROM due d JOIN case_metrics2 m ON m.case_id = d.case_id LEFT JOIN holder h ON h.case_id = d.case_id
    WHERE d.due_at < ${asOf}::TIMESTAMP
      AND (${params.team ?? null}::VARCHAR IS NULL OR h.team = ${params.team ?? null})
    ORDER BY hours_overdue DESC, m.case_id
    LIMIT ${params.limit}`);
  return {
    asOf,
    promiseHours: params.promiseHours,
    total: rows[0]?.total ?? 0,
    cases: rows.map((r) => ({
      caseId: r.case_id,
      customerId: r.customer_id,
      reason: r.reason,
      channel: r.channel,
      team: r.team,
      agent: r.agent,
      openedAt: r.opened_at,
      lastUpdateAt: r.last_update_at,
      dueAt: r.due_at,
      hoursOverdue: r.hours_overdue,
      brokenPromiseAt: r.broken_promise_at,
    })),
  };
}

export const overdueUpdatesOperation = defineOperation({
  area: 'cases',
  verb: 'overdue-updates',
  summary: 'Open cases whose customer is waiting for an update past the promise: the list to act on now',
  params: OverdueUpdatesParams,
  mode: 'read',
  // the queue's ages read the clock: kept a minute at most (and never past a write)
  cache: { maxAgeSeconds: 60 },
  listField: 'cases',
  run: (db, params, ctx) => getOverdueUpdates(db, params, ctx.now?.()),
  present: (r): Section[] => [
    {
      title: `${r.total} open cases overdue for an update as of ${r.asOf} (promise ${r.promiseHours} h)`,
      rows: r.cases.map((c) => ({
        case: c.caseId,
        customer: c.customerId ?? '',
        reason: c.reason,
        team: c.team ?? '',
        agent: c.agent ?? '(queue)',
        'last update': c.lastUpdateAt ?? 'never',
        'hours overdue': c.hoursOverdue,
        'broken promise': c.brokenPromiseAt ?? '',
      })),
    },
  ],
});
