import { type Store, sql } from '../store/index.js';

/**
 * A small hand-computed world for the metric registry's tests (values derived in
 * compute-metric.test.ts): four customers, their events, answers, cases and follow-ups.
 */
export async function loadMetricFixture(db: Store): Promise<void> {
  const customers = [
    ['c1', 'a'],
    ['c2', 'a'],
    ['c3', 'b'],
    ['c4', 'b'],
  ];
  for (const [id, seg] of customers)
    await db.exec(sql`INSERT INTO customers (id, segment) VALUES (${id!}, ${seg!})`);
  const events: [string, string, string, string, object | null][] = [
    ['c1', '2026-01-05 10:00', 'product page', 'view', null],
    ['c1', '2026-01-07 10:00', 'checkout', 'checkout', { value: 100 }],
    ['c2', '2026-01-10 10:00', 'product page', 'view', null],
    ['c3', '2026-01-12 10:00', 'product page', 'view', null],
    ['c3', '2026-01-25 10:00', 'checkout', 'checkout', { value: 50 }],
    ['c4', '2026-02-03 10:00', 'product page', 'view', null],
    ['c4', '2026-02-04 10:00', 'checkout', 'checkout', { value: 30 }],
    ['c4', '2026-02-05 10:00', 'checkout', 'checkout', { value: 70 }],
    ['c2', '2026-02-20 10:00', 'account', 'visit', null],
    ['c1', '2026-06-01 10:00', 'account', 'visit', null],
  ];
  let i = 0;
  for (const [c, ts, tp, name, props] of events)
    await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, name, properties)
      VALUES (${`e${++i}`}, ${c}, ${ts}::TIMESTAMP, 'web', ${tp}, ${name}, ${props ? JSON.stringify(props) : null}::JSON)`);
  for (let d = 1; d <= 10; d++)
    await db.exec(sql`INSERT INTO events (id, anonymous_id, ts, channel, touchpoint, name, properties)
      VALUES (${`d${d}`}, ${`anon${d}`}, ${`2026-01-${String(10 + d).padStart(2, '0')} 09:00`}::TIMESTAMP, 'web',
        'delivery', 'delivered', ${JSON.stringify({ days: d })}::JSON)`);
  const answers: [string | null, string, string, number, string | null][] = [
    ['c1', '2026-01-08', 'nps', 10, null],
    ['c2', '2026-01-11', 'nps', 9, null],
    ['c3', '2026-01-13', 'nps', 3, null],
    ['c4', '2026-02-06', 'nps', 7, null],
    [null, '2026-02-07', 'nps', 0, null],
    ['c1', '2026-01-09', 'csat', 5, 'delivery'],
    ['c1', '2026-01-20', 'csat', 2, 'delivery'],
    ['c2', '2026-01-21', 'csat', 4, 'delivery'],
    ['c3', '2026-01-22', 'csat', 3, 'support'],
  ];
  i = 0;
  for (const [c, ts, kind, score, tp] of answers)
    await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, touchpoint)
      VALUES (${`f${++i}`}, ${c}, ${ts}::TIMESTAMP, ${kind}, ${score}, ${tp})`);
  // k1: T1 → T2 → closed (1 handoff, not FCR); k2: T1 → closed (FCR); k3: T1, open
  const cases: [string, string, [string, string, string | null][]][] = [
    [
      'k1',
      'c1',
      [
        ['opened', '2026-01-20 09:00', 'T1'],
        ['assigned', '2026-01-20 10:00', 'T2'],
        ['closed', '2026-01-21 09:00', null],
      ],
    ],
    [
      'k2',
      'c2',
      [
        ['opened', '2026-01-20 09:00', 'T1'],
        ['closed', '2026-01-20 12:00', null],
      ],
    ],
    ['k3', 'c3', [['opened', '2026-01-20 09:00', 'T1']]],
  ];
  for (const [id, cust, evs] of cases) {
    await db.exec(
      sql`INSERT INTO cases (id, customer_id, opened_at, channel) VALUES (${id}, ${cust}, '2026-01-20 09:00'::TIMESTAMP, 'phone')`,
    );
    let s = 0;
    for (const [type, ts, team] of evs)
      await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team)
        VALUES (${`${id}-${++s}`}, ${id}, ${ts}::TIMESTAMP, ${s}, ${type}, ${team})`);
  }
  // follow-ups: in time, late, open and overdue, open and too young to judge (now = 2026-03-01)
  const fus: [string, string, 'open' | 'closed', string | null][] = [
    ['u1', '2026-01-10 10:00', 'closed', '2026-01-11 10:00'],
    ['u2', '2026-01-10 10:00', 'closed', '2026-01-15 10:00'],
    ['u3', '2026-01-10 10:00', 'open', null],
    ['u4', '2026-02-28 23:00', 'open', null],
  ];
  for (const [id, at, status, closed] of fus)
    await db.exec(sql`INSERT INTO follow_ups (id, feedback_id, customer_id, kind, status, answered_at, created_at, closed_at)
      VALUES (${id}, ${`fb-${id}`}, 'c1', 'nps', ${status}, ${at}::TIMESTAMP, ${at}::TIMESTAMP, ${closed}::TIMESTAMP)`);
}
