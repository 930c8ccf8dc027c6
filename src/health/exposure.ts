import { SCORE_SCALES } from '../core/score-scales.js';
import type { StoredFinding } from '../findings/index.js';
import { DEFAULT_BAD_OUTCOMES } from '../journeys/index.js';
import { type SqlFragment, sql } from '../store/index.js';

/**
 * Who a finding affected, and when (docs/health.md §Business case): one query per finding returning
 * rows (customer_id, ts, contacts) — a customer met the problem at ts; `contacts` is the number of
 * contacts the row cost when the finding is contact-driven (a case: its opening contact plus each
 * further customer contact recorded on it), else NULL.
 *
 * | finding kind                      | affected at ts                                                          |
 * |-----------------------------------|-------------------------------------------------------------------------|
 * | theme                             | wrote a negative comment on the theme                                   |
 * | driver                            | mentioned the theme in a comment                                         |
 * | inflow, lever (with a reason)     | opened a case with the reason (contact-driven)                          |
 * | handoff                           | a case with the reason went through two or more teams (contact-driven)  |
 * | ping-pong                         | a case with the reason came back to a team it had left (contact-driven) |
 * | lever own-it (no reason)          | a case went through two or more teams (contact-driven)                  |
 * | communication                     | a case's first update came later than the promise, or never (contact-driven) |
 * | team-pulse (team)                 | a case was handled by the team (contact-driven)                         |
 * | moment-of-truth                   | an event at the touchpoint with a bad outcome, or a bad score given there |
 * | wait                              | reached the touchpoint after a wait longer than the analysis's long wait |
 * | drop-off                          | reached the touchpoint (channel) and did nothing more within its window  |
 * | channel-switch                    | left the touchpoint's channel for the `to` channel within the switch window |
 */
export type Exposure =
  | { readonly query: SqlFragment; readonly contactDriven: boolean; readonly definition: string }
  | { readonly query: null; readonly reason: string };

const str = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;

/** The analysis parameters a journey finding was computed with (its evidence's source). */
function sourceParams(f: StoredFinding): Record<string, unknown> {
  const src = (f.evidence as { source?: { params?: Record<string, unknown> } }).source;
  return src?.params ?? (f.evidence.params as Record<string, unknown>) ?? {};
}

/** Cases of a reason (any reason when none), with their contacts. */
function cases(reason: string | undefined, extra: SqlFragment): SqlFragment {
  return sql`
    SELECT c.customer_id, c.opened_at AS ts,
           1 + (SELECT count(*) FROM case_events x WHERE x.case_id = c.id AND x.type = 'customer_contact') AS contacts
    FROM cases c
    WHERE c.customer_id IS NOT NULL AND (${reason ?? null}::VARCHAR IS NULL OR c.reason = ${reason ?? null})
      AND ${extra}`;
}

/** Teams a case went through, in order: (case_id, team, changed) for each assignment. */
const ASSIGNMENTS = sql`
  SELECT case_id, team, team IS DISTINCT FROM lag(team) OVER (PARTITION BY case_id ORDER BY ts, seq) AS changed
  FROM case_events WHERE type = 'assigned' AND team IS NOT NULL`;

export function exposureOf(f: StoredFinding): Exposure {
  const s = f.slice;
  switch (f.kind) {
    case 'theme':
    case 'driver': {
      if (!s.theme) return { query: null, reason: 'the finding names no theme' };
      const negativeOnly = f.kind === 'theme';
      return {
        contactDriven: false,
        definition: negativeOnly ? 'wrote a negative comment on the theme' : 'mentioned the theme',
        query: sql`
          SELECT fb.customer_id, fb.ts, NULL::BIGINT AS contacts
          FROM feedback fb JOIN feedback_text t ON t.feedback_id = fb.id
          WHERE fb.customer_id IS NOT NULL AND list_contains(t.themes, ${s.theme})
            AND (NOT ${negativeOnly} OR t.label = 'negative')`,
      };
    }
    case 'inflow':
    case 'handoff':
    case 'ping-pong':
    case 'train':
    case 'access':
    case 'own-it':
    case 'lever': {
      const several = sql`c.id IN (SELECT case_id FROM (${ASSIGNMENTS}) a GROUP BY case_id HAVING count(DISTINCT team) >= 2)`;
      // a return: more team changes than distinct teams minus one
      const back = sql`c.id IN (SELECT case_id FROM (${ASSIGNMENTS}) a GROUP BY case_id
                                HAVING count(*) FILTER (WHERE changed) > count(DISTINCT team))`;
      if (f.kind === 'own-it' || (f.kind === 'lever' && !s.reason))
        return {
          contactDriven: true,
          definition: 'a case went through two or more teams',
          query: cases(undefined, several),
        };
      if (!s.reason) return { query: null, reason: 'the finding names no contact reason' };
      if (f.kind === 'handoff')
        return {
          contactDriven: true,
          definition: 'a case with the reason went through two or more teams',
          query: cases(s.reason, several),
        };
      if (f.kind === 'ping-pong')
        return {
          contactDriven: true,
          definition: 'a case with the reason came back to a team it had left',
          query: cases(s.reason, back),
        };
      return {
        contactDriven: true,
        definition: 'opened a case with the reason',
        query: cases(s.reason, sql`true`),
      };
    }
    case 'communication': {
      const hours = str((f.evidence.params as Record<string, unknown>)?.promiseHours, 24);
      return {
        contactDriven: true,
        definition: `a case's first update came more than ${hours} h after it opened, or never`,
        query: cases(
          s.reason,
          sql`coalesce((SELECT min(x.ts) FROM case_events x WHERE x.case_id = c.id AND x.type = 'update_sent'),
                       c.closed_at, TIMESTAMP '9999-12-31') > c.opened_at + to_hours(${hours}::BIGINT)`,
        ),
      };
    }
    case 'team-pulse': {
      if (!s.team) return { query: null, reason: 'the finding names no team' };
      return {
        contactDriven: true,
        definition: 'a case was handled by the team',
        query: cases(
          s.reason,
          sql`c.id IN (SELECT case_id FROM case_events WHERE type = 'assigned' AND team = ${s.team})`,
        ),
      };
    }
    case 'moment-of-truth': {
      if (!s.touchpoint) return { query: null, reason: 'the finding names no touchpoint' };
      return {
        contactDriven: false,
        definition: 'an event at the touchpoint with a bad outcome, or a bad score given there',
        query: sql`
          SELECT customer_id, ts, NULL::BIGINT AS contacts FROM events
          WHERE customer_id IS NOT NULL AND touchpoint = ${s.touchpoint}
            AND list_contains(${[...DEFAULT_BAD_OUTCOMES]}::VARCHAR[], lower(outcome))
          UNION ALL
          SELECT customer_id, ts, NULL FROM feedback
          WHERE customer_id IS NOT NULL AND touchpoint = ${s.touchpoint}
            AND ((kind = 'csat' AND score <= ${SCORE_SCALES.csat.badAtMost})
              OR (kind = 'nps' AND score <= ${SCORE_SCALES.nps.badAtMost})
              OR (kind = 'ces' AND score <= ${SCORE_SCALES.ces.badAtMost}))`,
      };
    }
    case 'wait':
    case 'drop-off':
    case 'channel-switch': {
      if (!s.touchpoint) return { query: null, reason: 'the finding names no touchpoint' };
      const p = sourceParams(f);
      const longWaitHours = str(p.longWaitHours, 48);
      const windowDays = str(p.windowDays, 7);
      const switchHours = str(p.switchHours, 24);
      const condition =
        f.kind === 'wait'
          ? sql`prev_ts IS NOT NULL AND ts - prev_ts > to_hours(${longWaitHours}::BIGINT)`
          : f.kind === 'drop-off'
            ? sql`(next_ts IS NULL OR next_ts - ts > to_days(${windowDays}::BIGINT))
                  AND ts < (SELECT max(ts) FROM events) - to_days(${windowDays}::BIGINT)`
            : sql`next_channel = ${s.to ?? ''} AND next_ts - ts <= to_hours(${switchHours}::BIGINT)`;
      const definition =
        f.kind === 'wait'
          ? `reached the touchpoint after a wait over ${longWaitHours} h`
          : f.kind === 'drop-off'
            ? `reached the touchpoint and did nothing more within ${windowDays} days`
            : `switched to ${s.to ?? '?'} within ${switchHours} h`;
      return {
        contactDriven: false,
        definition,
        query: sql`
          SELECT customer_id, ts, NULL::BIGINT AS contacts FROM (
            SELECT customer_id, ts, touchpoint, channel,
                   lag(ts) OVER w AS prev_ts, lead(ts) OVER w AS next_ts, lead(channel) OVER w AS next_channel
            FROM events WHERE customer_id IS NOT NULL AND direction = 'inbound'
            WINDOW w AS (PARTITION BY customer_id ORDER BY ts, id)
          ) e
          WHERE touchpoint = ${s.touchpoint} AND (${s.channel ?? null}::VARCHAR IS NULL OR channel = ${s.channel ?? null})
            AND ${condition}`,
      };
    }
    default:
      return { query: null, reason: `no definition of the customers a "${f.kind}" finding affects` };
  }
}
