import { type Store, sql } from '../store/index.js';

/**
 * A hand-built workspace: 98 days from Monday 2026-01-05 of checkout visits (weekdays 100, weekends
 * 40, a deterministic ±5 wobble), 60 CSAT answers a day at checkout (48 satisfied), and on day 91
 * (Monday 2026-04-06) a break: visits fall to 30 and only 20 of 60 answers are satisfied.
 */
export const DAYS = 98;
export const BREAK = 91;
export const BREAK_DAY = '2026-04-06';

export async function monitorFixture(db: Store): Promise<void> {
  await db.exec(sql`INSERT INTO teams (id, name) VALUES ('web', 'Web team'), ('care', 'Care')`);
  await db.exec(
    sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('checkout', '*', 'web')`,
  );
  await db.exec(sql`INSERT INTO journeys (id, name, is_default) VALUES ('buy', 'Buy', true)`);
  await db.exec(sql`INSERT INTO journey_stages (journey_id, position, stage) VALUES ('buy', 1, 'purchase')`);
  await db.exec(
    sql`INSERT INTO journey_touchpoints (journey_id, touchpoint, stage) VALUES ('buy', 'checkout', 'purchase')`,
  );
  await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint)
    SELECT 'e' || d || '-' || i, 'c' || (i % 70), TIMESTAMP '2026-01-05 06:00' + to_days(d::INTEGER) + to_minutes((i * 7)::BIGINT), 'web', 'checkout'
    FROM range(0, ${DAYS}) t(d), range(0, 110) r(i)
    WHERE i < CASE WHEN d = ${BREAK} THEN 30 WHEN d % 7 IN (5, 6) THEN 40 ELSE 100 END + (d * 37) % 11 - 5`);
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, channel, touchpoint, kind, score, comment)
    SELECT 'f' || d || '-' || i, 'c' || (i % 70), TIMESTAMP '2026-01-05 08:00' + to_days(d::INTEGER) + to_minutes((i * 9)::BIGINT), 'web', 'checkout', 'csat',
      CASE WHEN i < CASE WHEN d = ${BREAK} THEN 20 ELSE 48 - (d * 13) % 7 + 3 END THEN 5 ELSE 2 END,
      CASE WHEN i = 59 THEN 'the card form failed' ELSE NULL END
    FROM range(0, ${DAYS}) t(d), range(0, 60) r(i)`);
}
