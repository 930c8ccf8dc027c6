import { customerId } from './customers.js';
import type { Plant } from './manifest.js';
import { type Rng, streamFor } from './rng.js';
import {
  AS_OF,
  type Channel,
  DAY,
  type FeedbackInput,
  HOUR,
  MINUTE,
  type Org,
  type Out,
  START,
} from './world.js';

/**
 * What the demo plants for monitors (docs/monitors.md, "The demo"), all drawn from the `monitors`
 * streams so every other draw, plant and row stays as it was:
 *
 * - **Weekday and hour seasonality**: "where is my order" contacts (reason `order status`, handled by
 *   Logistics Support) come in an extra wave every Monday — the weekend's orders asking after their
 *   parcels — in office hours (peak 9–11 h). This weekly peak is the **decoy**: a naive z-score over
 *   the last weeks flags every Monday; a seasonal baseline knows Mondays.
 * - **Break 1, a contact reason's volume**: from Tuesday 18 August 2026 the courier stops scanning
 *   parcels for a week and `order status` contacts triple.
 * - **Break 2, a score**: from Tuesday 22 September 2026, for a week, a new delivery-slot policy sours
 *   delivery CSAT (team Fulfilment & Delivery): half of the satisfied answers become 1 or 2.
 *
 * Volumes scale with the number of customers (per 40,000 customers: 5 extra contacts each Monday,
 * 15 a day during the break), so the plants read the same at every size.
 */
export const MONITOR_PLANT = {
  reason: 'order status',
  team: 'logistics',
  mondayPer40k: 5,
  volumeBreakAt: Date.UTC(2026, 7, 18),
  volumeBreakDays: 7,
  volumeBreakPer40k: 15,
  scoreBreakAt: Date.UTC(2026, 8, 22),
  scoreBreakDays: 7,
  scoreTouchpoint: 'delivery',
  scoreTeam: 'fulfilment',
  /** Share of satisfied answers (4–5) that become 1 or 2 during the score break. */
  soured: 0.5,
} as const;

const P = MONITOR_PLANT;
/** Office-hours profile of the Monday wave and the break's contacts (hour → weight). */
const HOURS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
const HOUR_WEIGHTS = [4, 9, 10, 9, 6, 6, 6, 5, 4, 3, 2] as const;

const inVolumeBreak = (t: number) => t >= P.volumeBreakAt && t < P.volumeBreakAt + P.volumeBreakDays * DAY;
const inScoreBreak = (t: number) => t >= P.scoreBreakAt && t < P.scoreBreakAt + P.scoreBreakDays * DAY;

/**
 * The score break: wraps `out` so that, for one customer, satisfied delivery CSAT answers inside the
 * break week are soured with the customer's own `monitors` stream (drawn only for those answers).
 */
export function souringOut(out: Out, rng: Rng): Out {
  return {
    ...out,
    feedback(f: FeedbackInput) {
      if (
        f.kind === 'csat' &&
        f.touchpoint === P.scoreTouchpoint &&
        f.score !== null &&
        f.score >= 4 &&
        inScoreBreak(f.ts) &&
        rng.chance(P.soured)
      )
        return out.feedback({ ...f, score: rng.chance(0.5) ? 1 : 2 });
      return out.feedback(f);
    },
  };
}

/** The Monday wave and the volume break: extra `order status` contacts, one stream per day. */
export function simulateMonitorContacts(seed: number, customers: number, out: Out, org: Org): void {
  const scale = customers / 40_000;
  const agents = org.get(P.team) ?? [`emp-${P.team}-001`];
  const firstDay = Math.ceil(START / DAY) * DAY;
  for (let day = firstDay, d = 0; day < AS_OF; day += DAY, d++) {
    const monday = new Date(day).getUTCDay() === 1;
    const lambda = scale * ((monday ? P.mondayPer40k : 0) + (inVolumeBreak(day) ? P.volumeBreakPer40k : 0));
    if (lambda === 0) continue;
    const rng = streamFor(seed, d, 'monitors');
    const n = rng.poisson(lambda);
    for (let k = 0; k < n; k++) {
      const at = day + rng.weighted(HOURS, HOUR_WEIGHTS) * HOUR + rng.int(60) * MINUTE;
      const cust = customerId(rng.int(customers));
      const channel: Channel = rng.weighted(['phone', 'chat', 'email'] as const, [0.5, 0.35, 0.15]);
      const agent = rng.pick(agents);
      const closedAt = at + Math.round(rng.lognormal(3, 0.6) * HOUR);
      const id = out.nextCaseId();
      out.event({
        customerId: cust,
        ts: at,
        channel,
        touchpoint: 'support contact',
        stage: null,
        name: 'contact',
        direction: 'inbound',
        properties: { case_id: id, reason: P.reason },
      });
      const events = [
        { ts: at, type: 'opened' as const, team: P.team, channel, status: 'new' },
        { ts: at + 10 * MINUTE, type: 'assigned' as const, team: P.team, agent },
        { ts: closedAt, type: 'closed' as const, team: P.team, agent, status: 'closed' },
      ].filter((e) => e.ts < AS_OF);
      events.forEach((e, i) => {
        out.caseEvent({ ...e, caseId: id, seq: i + 1 });
      });
      const open = closedAt >= AS_OF;
      out.caseRow({
        id,
        customerId: cust,
        openedAt: at,
        closedAt: open ? null : closedAt,
        channel,
        reason: P.reason,
        status: open ? 'in progress' : 'closed',
        ownerTeam: P.team,
        ownerAgent: agent,
        product: null,
        priority: 'normal',
      });
    }
  }
}

/** The monitors' plants (two dated breaks) and decoy (the Monday wave), for the manifest. */
export function monitorPlants(): { plants: Plant[]; decoys: Plant[] } {
  return {
    plants: [
      {
        id: 'monitor-reason-volume-break',
        capability: 'monitors',
        analysis: 'monitors.run',
        kind: 'alert',
        slice: { reason: P.reason },
        description: `from ${new Date(P.volumeBreakAt).toISOString().slice(0, 10)} for ${P.volumeBreakDays} days the courier stops scanning parcels: ${P.reason} contacts triple`,
        effect: { at: P.volumeBreakAt, days: P.volumeBreakDays, extraPer40k: P.volumeBreakPer40k },
      },
      {
        id: 'monitor-score-break',
        capability: 'monitors',
        analysis: 'monitors.run',
        kind: 'alert',
        slice: { team: P.scoreTeam },
        description: `from ${new Date(P.scoreBreakAt).toISOString().slice(0, 10)} for ${P.scoreBreakDays} days a delivery-slot policy sours ${P.scoreTouchpoint} CSAT: half of the satisfied answers become 1 or 2`,
        effect: { at: P.scoreBreakAt, days: P.scoreBreakDays, soured: P.soured },
      },
    ],
    decoys: [
      {
        id: 'monitor-monday-wave',
        capability: 'monitors',
        analysis: 'monitors.run',
        kind: 'alert',
        slice: { reason: P.reason },
        description: `every Monday ${P.reason} contacts rise (the weekend's orders ask after their parcels): a weekly peak, not a break`,
        effect: { weekday: 1, extraPer40k: P.mondayPer40k },
      },
    ],
  };
}
