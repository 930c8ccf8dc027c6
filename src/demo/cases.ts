import type { Plant } from './manifest.js';
import { TEAM_QUALITY } from './people.js';
import type { Rng } from './rng.js';
import {
  AS_OF,
  type CaseEventInput,
  type CaseSummary,
  type Channel,
  type CustomerState,
  DAY,
  HOUR,
  MINUTE,
  type Org,
  type Out,
} from './world.js';

/**
 * Support cases and their histories: opened at the front line (tier 1), resolved there or transferred
 * to a specialist team (tier 2) and sometimes on to tier 3; transfers sometimes bounce back
 * (ping-pong) with a recorded reason; updates are sent to the customer, sometimes late; some cases
 * reopen; cases still open on the demo's "today" stay open.
 *
 * Plants: 'billing dispute' cases ping-pong between Billing and Payments a little more than other
 * reasons (and record 'missing permission: refunds tool' on the way back: the access lever); cases
 * with no update within 24 h while open score lower CSAT (via `csatShift`, read by feedback.ts).
 * Decoy: 'order status' is the highest-volume reason with an ordinary handoff rate.
 */

interface Route {
  /** Tier-2 team that owns the reason. */
  readonly home: string;
  /** Chance the front line resolves it without a transfer. */
  readonly frontResolve: number;
  /** Optional tier-3 escalation. */
  readonly tier3?: { readonly team: string; readonly p: number };
}

export const ROUTES: Readonly<Record<string, Route>> = {
  'order status': { home: 'logistics', frontResolve: 0.8 },
  'delivery problem': { home: 'logistics', frontResolve: 0.45 },
  'product defect': { home: 'returns', frontResolve: 0.5 },
  'app issue': { home: 'tech-support', frontResolve: 0.3, tier3: { team: 'engineering', p: 0.35 } },
  'return request': { home: 'returns', frontResolve: 0.65 },
  'refund status': { home: 'returns', frontResolve: 0.4, tier3: { team: 'payments', p: 0.15 } },
  'billing dispute': { home: 'billing', frontResolve: 0.3, tier3: { team: 'payments', p: 0.45 } },
  'account access': { home: 'tech-support', frontResolve: 0.6 },
};

export const CASE_PLANT = {
  pingPongReason: 'billing dispute',
  /** Chance that a transfer bounces straight back (A→B→A). */
  pingPongBase: 0.06,
  /** … for the plant reason's transfer from its home team to tier 3. */
  pingPongPlant: 0.18,
  decoyReason: 'order status',
  /** Chance a case open longer than a day gets no update within 24 h. */
  overdueRate: 0.35,
  /** CSAT points lost when updates were overdue. */
  overdueCsatPenalty: 0.75,
  pingPongCsatPenalty: 0.45,
} as const;

const TRANSFER_REASONS = ['needs specialist', 'wrong queue', 'escalation', 'customer request'] as const;
const BOUNCE_REASONS = ['not our queue', 'missing information', 'belongs to previous team'] as const;

const TIER_WORK_HOURS: Readonly<Record<string, number>> = {
  'care-frontline': 2.5,
  'store-service': 2,
  billing: 10,
  logistics: 12,
  returns: 9,
  'tech-support': 11,
  payments: 20,
  engineering: 30,
};

interface Trigger {
  readonly reason: string;
  readonly at: number;
  readonly product: string | null;
}

function triggers(c: CustomerState, rng: Rng): Trigger[] {
  const list: Trigger[] = [];
  let completed = 0;
  for (const o of c.orders) {
    if (!o.completed) continue;
    completed++;
    const late = o.late === true;
    if (rng.chance(0.025 + (late ? 0.12 : 0))) {
      list.push({ reason: 'order status', at: o.checkoutAt + rng.range(24, 150) * HOUR, product: o.product });
    }
    if (o.deliveredAt !== undefined) {
      if (rng.chance(late ? 0.04 : 0.006)) {
        list.push({
          reason: 'delivery problem',
          at: o.deliveredAt + rng.range(1, 72) * HOUR,
          product: o.product,
        });
      }
      if (rng.chance(0.012)) {
        list.push({
          reason: 'product defect',
          at: o.deliveredAt + rng.range(3, 40) * DAY,
          product: o.product,
        });
      }
    }
    if (o.channel === 'app' && rng.chance(0.012)) {
      list.push({ reason: 'app issue', at: o.checkoutAt + rng.range(5, 120) * MINUTE, product: null });
    }
    if (o.returnedAt !== undefined) {
      if (rng.chance(0.1))
        list.push({
          reason: 'return request',
          at: o.returnedAt - rng.range(2, 30) * HOUR,
          product: o.product,
        });
      if (rng.chance(0.06 + (o.returnFee ? 0.05 : 0))) {
        list.push({ reason: 'refund status', at: o.returnedAt + rng.range(5, 15) * DAY, product: o.product });
      }
    }
  }
  const active = Math.max(DAY, Math.min(AS_OF, c.lastActivity + 30 * DAY) - c.createdAt);
  if (rng.chance(0.01 + 0.006 * completed))
    list.push({ reason: 'billing dispute', at: c.createdAt + rng.int(active), product: null });
  if (rng.chance(0.008))
    list.push({ reason: 'account access', at: c.createdAt + rng.int(active), product: null });
  return list
    .filter((t) => t.at < AS_OF && (c.churnedAt === null || t.at < c.churnedAt))
    .sort((a, b) => a.at - b.at);
}

export function simulateCases(c: CustomerState, rng: Rng, out: Out, org: Org): void {
  for (const trig of triggers(c, rng)) c.cases.push(simulateCase(c, trig, rng, out, org));
}

function simulateCase(c: CustomerState, trig: Trigger, rng: Rng, out: Out, org: Org): CaseSummary {
  const id = out.nextCaseId();
  const da = c.hidden.digitalAffinity;
  const storeShopper = c.channelWeights[2]! > 0.3;
  const channel: Channel = rng.weighted(['phone', 'chat', 'email', 'web', 'store'] as const, [
    0.1 + 0.5 * (1 - da),
    0.1 + 0.4 * da,
    0.25,
    0.1,
    storeShopper ? 0.1 : 0.01,
  ]);
  const route = ROUTES[trig.reason]!;
  const front = channel === 'store' ? 'store-service' : 'care-frontline';
  const agentOf = (team: string) => rng.pick(org.get(team) ?? [`emp-${team}-001`]);

  // The chain of team stints: [team, reason the case came in with]
  const chain: { team: string; reason: string | null }[] = [{ team: front, reason: null }];
  let pingPong = false;
  const transfer = (to: string, bounceP: number, bounceReason: () => string) => {
    const from = chain[chain.length - 1]!.team;
    if (rng.chance(0.05)) {
      // a detour through the wrong specialist queue
      const wrong = rng.pick(
        ['billing', 'logistics', 'returns', 'tech-support'].filter((t) => t !== to && t !== from),
      );
      chain.push({ team: wrong, reason: rng.chance(0.5) ? 'wrong queue' : null });
    }
    chain.push({ team: to, reason: rng.chance(0.45) ? rng.pick(TRANSFER_REASONS) : null });
    if (rng.chance(bounceP)) {
      pingPong = true;
      chain.push({ team: from, reason: bounceReason() });
      chain.push({ team: to, reason: rng.chance(0.4) ? 'returned after clarification' : null });
    }
  };
  const plant = trig.reason === CASE_PLANT.pingPongReason;
  if (!rng.chance(route.frontResolve)) {
    transfer(route.home, CASE_PLANT.pingPongBase, () => rng.pick(BOUNCE_REASONS));
    if (route.tier3 && rng.chance(route.tier3.p)) {
      transfer(route.tier3.team, plant ? CASE_PLANT.pingPongPlant : CASE_PLANT.pingPongBase, () =>
        plant && rng.chance(0.6) ? 'missing permission: refunds tool' : rng.pick(BOUNCE_REASONS),
      );
    }
  }

  // Timeline
  const events: Omit<CaseEventInput, 'caseId' | 'seq'>[] = [];
  let t = trig.at;
  events.push({ ts: t, type: 'opened', team: front, channel, status: 'new' });
  out.event({
    customerId: c.id,
    ts: t,
    channel,
    touchpoint: 'support contact',
    stage: null,
    name: 'contact',
    direction: 'inbound',
    properties: { case_id: id, reason: trig.reason },
  });
  let agent = agentOf(front);
  t += Math.round(rng.lognormal(15, 0.8) * MINUTE);
  events.push({ ts: t, type: 'assigned', team: front, agent });
  events.push({
    ts: t + rng.range(1, 30) * MINUTE,
    type: 'status',
    team: front,
    agent,
    status: 'in progress',
  });
  let teamQuality = 0;
  const touched = new Set<string>([front]);
  for (let i = 0; i < chain.length; i++) {
    const stint = chain[i]!;
    if (i > 0) {
      t += Math.round(rng.lognormal(1.5, 0.9) * HOUR);
      agent = agentOf(stint.team);
      touched.add(stint.team);
      events.push({ ts: t, type: 'assigned', team: stint.team, agent, transferReason: stint.reason });
    }
    const work = rng.lognormal(TIER_WORK_HOURS[stint.team] ?? 8, 0.7) * HOUR;
    if (rng.chance(0.08) && i === chain.length - 1) {
      // handed to a colleague in the same team
      t += Math.round(work / 2);
      agent = agentOf(stint.team);
      events.push({
        ts: t,
        type: 'assigned',
        team: stint.team,
        agent,
        transferReason: rng.chance(0.3) ? 'shift change' : null,
      });
      t += Math.round(work / 2);
    } else t += Math.round(work);
  }
  for (const team of touched) teamQuality += TEAM_QUALITY[team] ?? 0;
  const lastTeam = chain[chain.length - 1]!.team;
  if (rng.chance(0.2)) {
    const wait = t - rng.range(2, 12) * HOUR;
    if (wait > trig.at)
      events.push({ ts: wait, type: 'status', team: lastTeam, agent, status: 'waiting on customer' });
  }
  const closedAt = t;

  // Updates to the customer
  const duration = closedAt - trig.at;
  const overdue = duration > 24 * HOUR && rng.chance(CASE_PLANT.overdueRate + (chain.length > 1 ? 0.06 : 0));
  let u = trig.at + (overdue ? (24 + rng.range(2, 40)) * HOUR : rng.range(2, 20) * HOUR);
  if (duration <= 24 * HOUR && rng.chance(0.5)) u = trig.at + Math.round(duration / 2);
  while (u < closedAt) {
    const ch: Channel = rng.weighted(['email', 'phone', 'app'] as const, [0.6, 0.25, 0.15]);
    const promised = rng.chance(0.3) ? u + rng.range(12, 72) * HOUR : null;
    events.push({ ts: u, type: 'update_sent', team: lastTeam, agent, channel: ch, promisedAt: promised });
    if (u < AS_OF) {
      out.event({
        customerId: c.id,
        ts: u,
        channel: ch,
        touchpoint: 'support update',
        stage: null,
        name: ch === 'phone' ? 'call back' : 'case update',
        direction: 'outbound',
        properties: { case_id: id },
      });
    }
    u += rng.range(8, 30) * HOUR;
  }
  if (overdue && rng.chance(0.5)) {
    const chase = trig.at + rng.range(25, 40) * HOUR;
    const via = rng.pick(['phone', 'chat', 'email'] as const);
    if (chase < closedAt && chase < AS_OF) {
      events.push({ ts: chase, type: 'customer_contact', channel: via });
      out.event({
        customerId: c.id,
        ts: chase,
        channel: via,
        touchpoint: 'support contact',
        stage: null,
        name: 'chase',
        direction: 'inbound',
        properties: { case_id: id, reason: trig.reason },
      });
    }
  }
  events.push({ ts: closedAt - MINUTE, type: 'status', team: lastTeam, agent, status: 'resolved' });
  events.push({ ts: closedAt, type: 'closed', team: lastTeam, agent, status: 'closed' });
  const handoffs = chain.length - 1;
  const reopened = rng.chance(0.05 + (pingPong ? 0.03 : 0) + (teamQuality < 0 ? 0.06 : 0));
  let finalClose = closedAt;
  if (reopened) {
    const r = closedAt + rng.range(24, 140) * HOUR;
    events.push({ ts: r, type: 'reopened', team: lastTeam, agent, status: 'reopened' });
    finalClose = r + Math.round(rng.lognormal(8, 0.7) * HOUR);
    events.push({ ts: finalClose, type: 'closed', team: lastTeam, agent, status: 'closed' });
  }

  events.sort((a, b) => a.ts - b.ts);
  const visible = events.filter((e) => e.ts < AS_OF);
  const open = finalClose >= AS_OF;
  visible.forEach((e, i) => {
    out.caseEvent({ ...e, caseId: id, seq: i + 1 });
  });
  const lastStatus = [...visible].reverse().find((e) => e.status)?.status ?? 'new';
  out.caseRow({
    id,
    customerId: c.id,
    openedAt: trig.at,
    closedAt: open ? null : finalClose,
    channel,
    reason: trig.reason,
    status: open ? (lastStatus === 'closed' ? 'in progress' : lastStatus) : 'closed',
    ownerTeam: lastTeam,
    ownerAgent: agent,
    product: trig.product,
    priority: rng.weighted(['low', 'normal', 'high'] as const, [
      0.25,
      0.6,
      c.segment === 'enterprise' ? 0.4 : 0.15,
    ]),
  });
  const csatShift =
    -(overdue ? CASE_PLANT.overdueCsatPenalty : 0) -
    (pingPong ? CASE_PLANT.pingPongCsatPenalty : 0) -
    0.1 * handoffs -
    (reopened ? 0.4 : 0) +
    teamQuality +
    0.3 * (c.hidden.patience - 0.5);
  return {
    id,
    reason: trig.reason,
    channel,
    openedAt: trig.at,
    closedAt: open ? null : finalClose,
    teams: [...touched],
    handoffs,
    pingPong,
    overdue,
    reopened,
    lastTeam,
    lastAgent: agent,
    csatShift,
  };
}

export function casePlants(): { plants: Plant[]; decoys: Plant[] } {
  const P = CASE_PLANT;
  return {
    plants: [
      {
        id: 'cases-billing-ping-pong',
        capability: 'cases',
        analysis: 'cases.ping-pong',
        kind: 'ping-pong',
        slice: { reason: P.pingPongReason },
        description: 'Billing disputes bounce between Billing and Payments a little more than other reasons',
        effect: { bounceProbability: P.pingPongPlant, baseBounceProbability: P.pingPongBase },
      },
      {
        id: 'cases-billing-levers',
        capability: 'cases',
        analysis: 'cases.levers',
        kind: 'lever',
        slice: { reason: P.pingPongReason },
        description:
          "Billing disputes bounce back from Payments, often recorded as 'missing permission: refunds tool' (access / empower)",
        effect: { bounceProbability: P.pingPongPlant, baseBounceProbability: P.pingPongBase },
      },
      {
        id: 'cases-overdue-updates',
        capability: 'cases',
        analysis: 'cases.communication',
        kind: 'communication',
        slice: {},
        description: 'Cases with no update within 24 h while open score lower CSAT',
        effect: { overdueRate: P.overdueRate, csatPenalty: P.overdueCsatPenalty },
      },
    ],
    decoys: [
      {
        id: 'cases-busy-order-status-ping-pong',
        capability: 'cases',
        analysis: 'cases.ping-pong',
        kind: 'ping-pong',
        slice: { reason: P.decoyReason },
        description: 'The highest-volume reason, with an ordinary handoff rate',
        effect: { bounceProbability: P.pingPongBase },
      },
      {
        id: 'cases-busy-order-status-levers',
        capability: 'cases',
        analysis: 'cases.levers',
        kind: 'lever',
        slice: { reason: P.decoyReason },
        description: 'The highest-volume reason, with an ordinary handoff rate',
        effect: { bounceProbability: P.pingPongBase },
      },
    ],
  };
}
