import { type SqlFragment, type Store, sql } from '../store/index.js';
import { caseMetricsCtes, caseWindow } from './case-metrics.js';
import { commCtes, communicationWindow } from './communication.js';
import { caseMetricsFor } from './metrics-store.js';

/** Finding kinds written by the cases analyses, whose cases this file lists. */
export const CASE_FINDING_KINDS = [
  'ping-pong',
  'handoff',
  'empower',
  'train',
  'automate',
  'access',
  'own-it',
  'inflow',
  'communication',
] as const;

export interface AffectedCase {
  readonly caseId: string;
  readonly customerId: string | null;
  readonly openedAt: string;
  readonly reason: string;
  readonly channel: string;
  /** Teams in order, `A > B > A`. */
  readonly teams: string;
  /** The case shows what the finding measures (returned, transferred, late, preceded by the touchpoint…). */
  readonly shows: boolean;
  readonly detail: string;
}

export interface AffectedCases {
  /** How the list was drawn, as a person reads it. */
  readonly rule: string;
  readonly cases: readonly AffectedCase[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The cases behind a cases finding, by the definitions that counted it (docs/cases.md): for
 * ping-pong, handoff and communication the cases that returned, were transferred or waited past the
 * promise (their customers are the finding's customers affected); for the levers and inflow, whose
 * customers affected are the customers of the reason's cases, every case of the reason, those showing
 * the lever's pattern (or preceded by the touchpoint) first. `params` are the finding's evidence
 * parameters (its time frame and filters).
 */
export async function affectedCases(
  db: Store,
  kind: string,
  slice: Readonly<Record<string, string | undefined>>,
  params: Readonly<Record<string, unknown>>,
): Promise<AffectedCases> {
  const frame = {
    from: str(params.from),
    to: str(params.to),
    asOf: str(params.asOf),
    segment: str(params.segment),
    channel: str(params.channel),
    persona: str(params.persona),
  };
  const reason = slice.reason ?? null;
  const ofReason = sql`(${reason}::VARCHAR IS NULL OR m.reason = ${reason})`;
  let shows: SqlFragment;
  let only = false;
  let rule: string;
  let ctes: SqlFragment;
  let extra = sql``;
  if (kind === 'communication') {
    const promiseHours = typeof params.promiseHours === 'number' ? params.promiseHours : 24;
    const w = await communicationWindow(db, frame);
    ctes = commCtes(w, promiseHours);
    extra = sql`LEFT JOIN case_comm cc ON cc.case_id = m.case_id`;
    shows = sql`coalesce(cc.overdue, false)`;
    only = true;
    rule = `cases whose customer waited longer than the ${promiseHours} h update promise at least once (as of ${w.asOf.slice(0, 10)})`;
  } else {
    const o = await caseMetricsFor(db, await caseWindow(db, frame));
    ctes = caseMetricsCtes(o);
    const r = reason ?? 'every reason';
    switch (kind) {
      case 'ping-pong':
        shows = sql`m.ping_pong`;
        only = true;
        rule = `cases of ${r} that went back to a team they had left`;
        break;
      case 'handoff':
        shows = sql`m.team_handoffs > 0`;
        only = true;
        rule = `cases of ${r} handed to another team at least once`;
        break;
      case 'access':
        shows = sql`m.access_transfers > 0`;
        rule = `every case of ${r}; first those transferred for a missing permission or system`;
        break;
      case 'train':
        shows = sql`m.returns > 0 OR m.reopens > 0`;
        rule = `every case of ${r}; first those that bounced back to a team or were reopened`;
        break;
      case 'empower':
        shows = sql`m.first_tier = 1 AND m.team_handoffs > 0`;
        rule = `every case of ${r}; first those the front line passed on`;
        break;
      case 'own-it':
        shows = sql`NOT m.single_owner`;
        rule = `every case of ${r}; first those with several owners`;
        break;
      case 'inflow': {
        const days = typeof params.lookbackDays === 'number' ? params.lookbackDays : 7;
        shows = sql`EXISTS (SELECT 1 FROM events e WHERE e.customer_id = m.customer_id
          AND e.touchpoint = ${slice.touchpoint ?? null} AND e.ts < m.opened_at
          AND e.ts >= m.opened_at - to_days(${days}::INTEGER))`;
        rule = `every case of ${r}; first those whose customer was at ${slice.touchpoint ?? 'the touchpoint'} in the ${days} days before opening`;
        break;
      }
      default:
        shows = sql`true`;
        rule = `every case of ${r}`;
    }
  }
  const rows = await db.all<{
    case_id: string;
    customer_id: string | null;
    opened_at: string;
    reason: string;
    channel: string;
    teams: string;
    shows: boolean;
    team_handoffs: number;
    returns: number;
    reopens: number;
  }>(sql`WITH ${ctes}
    SELECT * FROM (
      SELECT m.case_id, m.customer_id, m.opened_at, m.reason, m.channel, array_to_string(m.team_chain, ' > ') AS teams,
        coalesce(${shows}, false) AS shows, m.team_handoffs, m.returns, m.reopens
      FROM case_metrics2 m ${extra}
      WHERE ${ofReason}
    ) WHERE ${only} = false OR shows
    ORDER BY shows DESC, opened_at DESC, case_id`);
  return {
    rule,
    cases: rows.map((x) => ({
      caseId: x.case_id,
      customerId: x.customer_id,
      openedAt: x.opened_at,
      reason: x.reason,
      channel: x.channel,
      teams: x.teams,
      shows: x.shows,
      detail: [
        `${x.team_handoffs} handoff${x.team_handoffs === 1 ? '' : 's'}`,
        x.returns > 0 ? `${x.returns} back to a team it had left` : '',
        x.reopens > 0 ? `reopened ${x.reopens}×` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    })),
  };
}
