import { type Store, sql } from '../store/index.js';
import type { Plant } from './manifest.js';
import { streamFor } from './rng.js';
import { AS_OF, DAY } from './world.js';

/**
 * The health decoy (docs/demo.md, "The health decoy"): password-reset contacts that only new customers
 * make — in their first three weeks — and that change nothing about whether they stay. New customers
 * churn more than established ones anyway (in the demo about 41 % vs 33 % within 150 days), so a raw
 * "affected vs the rest" comparison calls the reason costly; the business case compares customers of
 * the same tenure band, segment and plan and must not rank it among the costly findings.
 *
 * Drawn after the simulation from the stream `health-decoy` (one per customer, by id order), so no
 * other draw, plant or test changes; the cases are handled by one team and closed the same day, so the
 * handoff analyses see ordinary cases.
 */
export const HEALTH_DECOY = {
  reason: 'password reset',
  /** Share of customers who ask, once, in their first weeks. */
  share: 0.012,
  firstDays: 21,
  team: 'care-frontline',
} as const;

export function healthDecoyPlants(): { plants: Plant[]; decoys: Plant[] } {
  return {
    plants: [],
    decoys: [
      {
        id: 'health-new-customer-password-reset',
        capability: 'cases',
        analysis: 'health.business-case',
        kind: 'inflow',
        slice: { reason: HEALTH_DECOY.reason },
        description:
          'Password resets asked only by customers in their first weeks, with no effect on churn: new customers churn more anyway, so a raw affected-vs-rest comparison calls it costly',
        effect: { churnEffect: 0, share: HEALTH_DECOY.share, firstDays: HEALTH_DECOY.firstDays },
      },
    ],
  };
}

/** Adds the decoy's cases and their events; returns how many cases. */
export async function seedHealthDecoy(db: Store, seed: number): Promise<number> {
  const customers = await db.all<{ id: string; created: string; churned: string | null }>(sql`
    SELECT id, strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS created,
      strftime(churned_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS churned
    FROM customers WHERE created_at < ${new Date(AS_OF - 30 * DAY).toISOString()}::TIMESTAMP ORDER BY id`);
  // the team's agents as the simulation staffed it (their number grows with the company)
  const agents = (
    await db.all<{ id: string }>(
      sql`SELECT id FROM employees WHERE team_id = ${HEALTH_DECOY.team} ORDER BY id`,
    )
  ).map((r) => r.id);
  const cases: string[][] = [];
  const events: string[][] = [];
  for (const [i, c] of customers.entries()) {
    const rng = streamFor(seed, i, 'health-decoy');
    if (!rng.chance(HEALTH_DECOY.share)) continue;
    const opened =
      new Date(c.created).getTime() + rng.range(1, HEALTH_DECOY.firstDays) * DAY + rng.int(10 * 3_600_000);
    // the reset does not change the customer's fate; a customer who had already left cannot ask
    if (c.churned !== null && new Date(c.churned).getTime() <= opened) continue;
    const channel = rng.pick(['chat', 'web', 'phone', 'email'] as const);
    const agent = agents.length > 0 ? rng.pick(agents) : '';
    const assigned = opened + (5 + rng.int(40)) * 60_000;
    const resolved = assigned + (20 + rng.int(240)) * 60_000;
    const closed = resolved + 60_000;
    const id = `CSH${String(cases.length + 1).padStart(6, '0')}`;
    const iso = (t: number) => new Date(t).toISOString();
    cases.push([id, c.id, iso(opened), iso(closed), channel, agent]);
    const steps: [number, string, string | null, string | null, string | null][] = [
      [opened, 'opened', null, 'new', channel],
      [assigned, 'assigned', agent || null, null, null],
      [resolved, 'status', agent || null, 'resolved', null],
      [closed, 'closed', agent || null, 'closed', null],
    ];
    for (const [k, [t, type, a, status, ch]] of steps.entries())
      events.push([
        `ceh${id.slice(3)}-${k + 1}`,
        id,
        iso(t),
        String(k + 1),
        type,
        a ?? '',
        status ?? '',
        ch ?? '',
      ]);
  }
  if (cases.length === 0) return 0;
  const col = (rows: string[][], k: number) => rows.map((r) => r[k]!);
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, closed_at, channel, reason, status, owner_team, owner_agent, priority)
    SELECT id, c, o::TIMESTAMP, x::TIMESTAMP, ch, ${HEALTH_DECOY.reason}, 'closed', ${HEALTH_DECOY.team}, nullif(a, ''), 'normal'
    FROM (SELECT unnest(${col(cases, 0)}::VARCHAR[]) AS id, unnest(${col(cases, 1)}::VARCHAR[]) AS c,
      unnest(${col(cases, 2)}::VARCHAR[]) AS o, unnest(${col(cases, 3)}::VARCHAR[]) AS x,
      unnest(${col(cases, 4)}::VARCHAR[]) AS ch, unnest(${col(cases, 5)}::VARCHAR[]) AS a)`);
  await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team, agent, status, channel)
    SELECT id, k, t::TIMESTAMP, s::INTEGER, ty, ${HEALTH_DECOY.team}, nullif(a, ''), nullif(st, ''), nullif(ch, '')
    FROM (SELECT unnest(${col(events, 0)}::VARCHAR[]) AS id, unnest(${col(events, 1)}::VARCHAR[]) AS k,
      unnest(${col(events, 2)}::VARCHAR[]) AS t, unnest(${col(events, 3)}::VARCHAR[]) AS s,
      unnest(${col(events, 4)}::VARCHAR[]) AS ty, unnest(${col(events, 5)}::VARCHAR[]) AS a,
      unnest(${col(events, 6)}::VARCHAR[]) AS st, unnest(${col(events, 7)}::VARCHAR[]) AS ch)`);
  return cases.length;
}
