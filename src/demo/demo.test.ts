import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type SqlFragment, type Store, sql } from '../store/index.js';
import { type DemoManifest, type Plant, readManifest } from './manifest.js';
import { demoDbPath, TEST_CUSTOMERS } from './test-fixture.js';

/**
 * The manifest tells the truth about the data: each plant's effect is really there, in about the
 * planted size, and each decoy really looks like what it pretends to be. Slices come from the
 * manifest, never from names written here.
 */
let db: Store;
let manifest: DemoManifest;

beforeAll(async () => {
  db = await openStore(demoDbPath(), { readOnly: true });
  manifest = (await readManifest(db))!;
});
afterAll(async () => db?.close());

const one = async <T = number>(q: SqlFragment, field = 'v'): Promise<T> =>
  (await db.one<Record<string, T>>(q))![field]!;
const plant = (id: string): Plant => {
  const p = [...manifest.plants, ...manifest.decoys].find((x) => x.id === id);
  if (!p) throw new Error(`no plant ${id} in the manifest`);
  return p;
};

describe('the test demo company', () => {
  it('has the size and the volumes of a real company', async () => {
    expect(manifest.customers).toBe(TEST_CUSTOMERS);
    expect(manifest.seed).toBe(42);
    const customerEvents = await one(
      sql`SELECT count(*) / count(DISTINCT customer_id) AS v FROM events WHERE customer_id IS NOT NULL`,
    );
    expect(customerEvents).toBeGreaterThanOrEqual(5);
    // ~13 from orders, ~8 everyday habits (habits.ts)
    expect(customerEvents).toBeLessThanOrEqual(24);
    const npsShare = await one(
      sql`SELECT count(DISTINCT customer_id) / (SELECT count(*) FROM customers) AS v FROM feedback WHERE kind = 'nps'`,
    );
    expect(npsShare).toBeGreaterThan(0.22);
    expect(npsShare).toBeLessThan(0.38);
    const caseShare = await one(
      sql`SELECT count(DISTINCT customer_id) / (SELECT count(*) FROM customers) AS v FROM cases`,
    );
    expect(caseShare).toBeGreaterThan(0.08);
    expect(caseShare).toBeLessThan(0.15);
    expect(await one(sql`SELECT count(*) AS v FROM events`)).toBe(manifest.events);
  });

  it('every plant and decoy names a capability, an analysis, a kind and a slice', () => {
    for (const p of [...manifest.plants, ...manifest.decoys]) {
      expect(p.analysis, p.id).toMatch(/^[a-z]+\.[a-z-]+$/);
      expect(p.kind.length, p.id).toBeGreaterThan(0);
    }
    const ids = [...manifest.plants, ...manifest.decoys].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('journeys: the planted channel converts at checkout below the others by about the planted effect', async () => {
    const p = plant('journeys-checkout-app');
    const { touchpoint, channel } = p.slice as { touchpoint: string; channel: string };
    const rows = await db.all<{ planted: boolean; conv: number; n: number }>(sql`
      SELECT channel = ${channel} AS planted, avg((outcome = 'completed')::INT) AS conv, count(*) AS n
      FROM events WHERE touchpoint = ${touchpoint} GROUP BY 1 ORDER BY 1`);
    const [others, planted] = rows;
    expect(planted!.planted).toBe(true);
    expect(planted!.n).toBeGreaterThan(5000);
    const diff = planted!.conv - others!.conv;
    expect(diff).toBeLessThan(0);
    expect(Math.abs(diff - p.effect.difference!)).toBeLessThan(0.02);
  });

  it('journeys: delivery is late about as often as planned; a late delivery lowers later retention and CSAT', async () => {
    const wait = plant('journeys-delivery-wait');
    const tp = wait.slice.touchpoint!;
    // lateShare is of shipped orders; in-store purchases are handed over on the spot
    const late = await one(
      sql`SELECT avg((outcome = 'late')::INT) AS v FROM events WHERE touchpoint = ${tp} AND channel <> 'store'`,
    );
    expect(Math.abs(late - wait.effect.lateShare!)).toBeLessThan(0.02);
    const median = await one(sql`
      SELECT median(date_diff('minute', c.ts, d.ts)) / 1440.0 AS v FROM events d
      JOIN events c ON c.customer_id = d.customer_id AND c.touchpoint = 'payment'
        AND c.ts = (SELECT max(ts) FROM events p WHERE p.customer_id = d.customer_id AND p.touchpoint = 'payment' AND p.ts < d.ts)
      WHERE d.touchpoint = ${tp} AND d.channel <> 'store'`);
    expect(Math.abs(median - wait.effect.medianDays!)).toBeLessThan(0.4);
    // any inbound event 30–90 days after the delivery, deliveries old enough to observe
    const ret = await db.all<{ late: boolean; r: number; n: number }>(sql`
      SELECT d.outcome = 'late' AS late, count(*) AS n, avg((EXISTS (SELECT 1 FROM events e WHERE e.customer_id = d.customer_id
        AND e.direction = 'inbound' AND e.ts BETWEEN d.ts + INTERVAL 30 DAY AND d.ts + INTERVAL 90 DAY))::INT) AS r
      FROM events d WHERE d.touchpoint = ${tp} AND d.ts < TIMESTAMP '2026-08-01' GROUP BY 1 ORDER BY 1`);
    const drop = ret[1]!.r - ret[0]!.r;
    expect(drop).toBeLessThan(-0.03);
    expect(drop).toBeGreaterThan(-0.15);
    const csat = await db.all<{ late: boolean; s: number }>(sql`
      SELECT d.outcome = 'late' AS late, avg(f.score) AS s FROM feedback f
      JOIN events d ON d.customer_id = f.customer_id AND d.touchpoint = ${tp}
        AND f.ts BETWEEN d.ts AND d.ts + INTERVAL 3 DAY
      WHERE f.kind = 'csat' AND f.touchpoint = ${tp} GROUP BY 1 ORDER BY 1`);
    expect(csat[0]!.s - csat[1]!.s).toBeGreaterThan(1);
  });

  it('journeys decoys: the busiest touchpoint is the decoy, and the few-answers decoy has only a handful of dreadful answers', async () => {
    const busy = plant('journeys-busy-product-page').slice.touchpoint!;
    const top = await one<string>(
      sql`SELECT touchpoint AS v FROM events WHERE direction = 'inbound' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    );
    expect(top).toBe(busy);
    const few = plant('journeys-gift-wrap-few-answers');
    const r = await db.one<{ n: number; s: number; events: number }>(sql`
      SELECT count(*) AS n, avg(score) AS s, (SELECT count(*) FROM events WHERE touchpoint = ${few.slice.touchpoint!}) AS events
      FROM feedback WHERE touchpoint = ${few.slice.touchpoint!}`);
    expect(r!.n).toBe(few.effect.answers);
    expect(r!.s).toBe(few.effect.score);
    expect(r!.events).toBeGreaterThan(r!.n);
  });

  it('feedback: return-fee comments exist only after the policy date and go with a much lower NPS; the fee raises churn', async () => {
    const p = plant('feedback-return-fee-theme');
    const theme = p.slice.theme!;
    const from = new Date(p.effect.policyFrom!);
    const r = await db.one<{ n: number; before: number }>(sql`
      SELECT count(*) AS n, count(*) FILTER (WHERE f.ts < ${from}) AS before
      FROM demo_truth_comments t JOIN feedback f ON f.id = t.feedback_id WHERE t.theme = ${theme}`);
    expect(r!.n).toBeGreaterThan(100);
    expect(r!.before).toBe(0);
    const nps = await db.all<{ mentions: boolean; nps: number }>(sql`
      SELECT EXISTS (SELECT 1 FROM demo_truth_comments t WHERE t.feedback_id = f.id AND t.theme = ${theme}) AS mentions,
        100 * (avg((score >= 9)::INT) - avg((score <= 6)::INT)) AS nps
      FROM feedback f WHERE kind = 'nps' AND comment IS NOT NULL GROUP BY 1 ORDER BY 1`);
    expect(nps[0]!.nps - nps[1]!.nps).toBeGreaterThan(25);
    // churn among customers served in the same months: those who paid the fee vs the rest
    const churn = await db.all<{ fee: boolean; churn: number; n: number }>(sql`
      WITH served AS (SELECT DISTINCT customer_id FROM events WHERE touchpoint = 'delivery'
          AND ts BETWEEN ${from} AND ${from}::TIMESTAMP + INTERVAL 80 DAY),
        fee AS (SELECT DISTINCT customer_id FROM events WHERE touchpoint = 'returns' AND outcome = 'refunded minus fee'
          AND ts < ${from}::TIMESTAMP + INTERVAL 100 DAY)
      SELECT fee.customer_id IS NOT NULL AS fee, count(*) AS n, avg((c.churned_at IS NOT NULL)::INT) AS churn
      FROM served JOIN customers c ON c.id = served.customer_id LEFT JOIN fee ON fee.customer_id = served.customer_id
      GROUP BY 1 ORDER BY 1`);
    expect(churn[1]!.churn - churn[0]!.churn).toBeGreaterThan(0.05);
  });

  it('feedback decoy: packaging is mentioned more often than the return fee but with an ordinary NPS', async () => {
    const decoy = plant('feedback-packaging-driver').slice.theme!;
    const fee = plant('feedback-return-fee-driver').slice.theme!;
    const rows = await db.all<{ theme: string; n: number; nps: number }>(sql`
      SELECT t.theme, count(*) AS n, 100 * (avg((f.score >= 9)::INT) - avg((f.score <= 6)::INT)) AS nps
      FROM demo_truth_comments t JOIN feedback f ON f.id = t.feedback_id AND f.kind = 'nps' GROUP BY 1`);
    const all = await one(
      sql`SELECT 100 * (avg((score >= 9)::INT) - avg((score <= 6)::INT)) AS v FROM feedback WHERE kind = 'nps' AND comment IS NOT NULL`,
    );
    const d = rows.find((r) => r.theme === decoy)!;
    const f = rows.find((r) => r.theme === fee)!;
    expect(d.n).toBeGreaterThan(3 * f.n);
    expect(Math.abs(d.nps - all)).toBeLessThan(8);
  });

  it('feedback: comments carry typos, mixed themes and off-topic text, and held-out templates are used', async () => {
    const r = await db.one<{ mixed: number; off: number; held: number; total: number }>(sql`
      SELECT count(*) FILTER (WHERE n > 1) AS mixed, count(*) FILTER (WHERE off) AS off,
        count(*) FILTER (WHERE held) AS held, count(*) AS total
      FROM (SELECT feedback_id, count(*) AS n, bool_or(theme = 'off-topic') AS off, bool_or(held_out) AS held
            FROM demo_truth_comments GROUP BY 1)`);
    expect(r!.mixed / r!.total).toBeGreaterThan(0.08);
    expect(r!.off / r!.total).toBeGreaterThan(0.02);
    expect(r!.held / r!.total).toBeGreaterThan(0.15);
  });

  it('cases: the ping-pong reason bounces more than any other; the decoy reason has the highest volume and an ordinary rate', async () => {
    const pp = plant('cases-billing-ping-pong').slice.reason!;
    const decoy = plant('cases-busy-order-status-ping-pong').slice.reason!;
    const rows = await db.all<{ reason: string; n: number; pp: number; handoffs: number }>(sql`
      WITH a AS (SELECT case_id, seq, team, lag(team) OVER (PARTITION BY case_id ORDER BY seq) AS prev
                 FROM case_events WHERE type = 'assigned'),
        chains AS (SELECT case_id, list(team ORDER BY seq) AS teams FROM a WHERE prev IS NULL OR prev <> team GROUP BY 1)
      SELECT c.reason, count(*) AS n, avg((len(list_distinct(teams)) < len(teams))::INT) AS pp, avg(len(teams) - 1) AS handoffs
      FROM chains JOIN cases c ON c.id = chains.case_id GROUP BY 1 ORDER BY pp DESC`);
    expect(rows[0]!.reason).toBe(pp);
    // "a little more", not a cliff
    expect(rows[0]!.pp / rows[1]!.pp).toBeLessThan(3);
    const byVolume = [...rows].sort((a, b) => b.n - a.n);
    expect(byVolume[0]!.reason).toBe(decoy);
    const mean = rows.reduce((s, r) => s + r.pp * r.n, 0) / rows.reduce((s, r) => s + r.n, 0);
    expect(byVolume[0]!.pp).toBeLessThanOrEqual(mean);
    const access = await one(sql`
      SELECT count(*) FILTER (WHERE c.reason = ${pp}) / count(*) AS v FROM case_events e JOIN cases c ON c.id = e.case_id
      WHERE e.transfer_reason LIKE 'missing permission%'`);
    expect(access).toBeGreaterThan(0.5);
  });

  it('cases: overdue updates (none within 24 h while open) go with a lower case CSAT', async () => {
    const p = plant('cases-overdue-updates');
    const rows = await db.all<{ overdue: boolean; csat: number; n: number }>(sql`
      WITH o AS (SELECT c.id, c.opened_at, coalesce(c.closed_at, TIMESTAMP '2026-10-31') AS closed_at,
          (SELECT min(ts) FROM case_events e WHERE e.case_id = c.id AND e.type = 'update_sent') AS first_update FROM cases c)
      SELECT closed_at > opened_at + INTERVAL 24 HOUR AND coalesce(first_update > opened_at + INTERVAL 24 HOUR, true) AS overdue,
        avg(f.score) AS csat, count(*) AS n
      FROM o JOIN feedback f ON f.case_id = o.id AND f.kind = 'csat' GROUP BY 1 ORDER BY 1`);
    expect(rows[1]!.n).toBeGreaterThan(100);
    const drop = rows[0]!.csat - rows[1]!.csat;
    expect(drop).toBeGreaterThan(p.effect.csatPenalty! / 2);
  });

  it('people: the plant team has low pulse and worse case outcomes; the decoy team has low pulse only', async () => {
    const team = plant('people-low-pulse-worse-outcomes').slice.team!;
    const decoy = plant('people-low-pulse-normal-outcomes').slice.team!;
    const pulse = await db.all<{ team_id: string; s: number }>(
      sql`SELECT team_id, avg(score) AS s FROM pulse WHERE question = 'enps' GROUP BY 1 ORDER BY s`,
    );
    expect(new Set(pulse.slice(0, 2).map((r) => r.team_id))).toEqual(new Set([team, decoy]));
    const csat = await db.all<{ team: string; csat: number }>(sql`
      SELECT e.team, avg(f.score) AS csat FROM (SELECT DISTINCT case_id, team FROM case_events WHERE type = 'assigned') e
      JOIN feedback f ON f.case_id = e.case_id AND f.kind = 'csat' GROUP BY 1`);
    const all = await one(
      sql`SELECT avg(score) AS v FROM feedback WHERE kind = 'csat' AND case_id IS NOT NULL`,
    );
    const t = csat.find((r) => r.team === team)!;
    const d = csat.find((r) => r.team === decoy)!;
    expect(all - t.csat).toBeGreaterThan(0.3);
    expect(Math.abs(d.csat - all)).toBeLessThan(t.csat < all ? all - t.csat : 1);
  });
});
