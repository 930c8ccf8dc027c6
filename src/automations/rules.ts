import { z } from 'zod';
import { buildReport } from '../audit/index.js';
import { PROMISE_HOURS } from '../cases/index.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { createFollowUps } from '../feedback/index.js';
import { enqueue } from '../notify/index.js';
import { countTwoSidedP } from '../stats/change-detection.js';
import { type Store, sql } from '../store/index.js';

/**
 * The rules an automation can run (docs/automations.md). Each rule is two functions:
 * - `moments(db, window, params)`: what happened in the half-open window (from, to] that the rule acts
 *   on, each with a stable key and the instant it happened — decided from data stamped at or before
 *   that instant only, so a live run after each ingest and one replay over the same history find the
 *   same moments;
 * - `act(db, moments, params, ctx)`: what the rule does about them, through the owning capability
 *   (feedback's follow-ups, notify's outbox, audit's report). A dry run calls the same `act` inside a
 *   transaction that is rolled back.
 */
export interface Moment {
  readonly key: string;
  /** ISO instant the moment happened (an answer's time, a promise's due time, a day's end…). */
  readonly at: string;
  readonly subject: string;
  readonly detail: Record<string, unknown>;
}

export interface Action {
  readonly key: string;
  readonly at: string;
  /** What was done: follow-up, notify, customer-update, report, or skipped. */
  readonly did: 'follow-up' | 'notify' | 'customer-update' | 'report' | 'skipped';
  readonly summary: string;
  /** Team or destination it went to. */
  readonly target: string | null;
  readonly detail: Record<string, unknown>;
}

export interface ActContext {
  readonly now: Date;
  readonly dry: boolean;
  readonly automation: { readonly id: string; readonly name: string };
}

export interface Window {
  readonly from: Date;
  readonly to: Date;
}

interface Rule<S extends z.ZodObject> {
  readonly summary: string;
  readonly params: S;
  moments(db: Store, w: Window, p: z.output<S>): Promise<Moment[]>;
  act(db: Store, ms: readonly Moment[], p: z.output<S>, ctx: ActContext): Promise<Action[]>;
}

const destinationsParam = z
  .string()
  .optional()
  .describe('notify destinations (ids or names, comma-separated); default those subscribed to the topic');
const listOf = (s: string | undefined) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const iso = (d: Date | string) => new Date(d).toISOString();
/** A moment key as a message key: characters outside letters, digits and . _ : @ / - as %XX (UTF-8). */
const keySafe = (k: string) =>
  k.replace(/[^\w.:@/-]/g, (c) =>
    [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

/** Sends one notification per moment through notify's outbox; the message key is the automation's. */
async function notifyEach(
  db: Store,
  ms: readonly Moment[],
  ctx: ActContext,
  make: (m: Moment) => {
    subject: string;
    text: string;
    target: string | null;
    topic?: string;
    /** The team the message is for: routed to its destinations unless the rule names some. */
    team?: string | null;
  },
  destinations: string | undefined,
  did: Action['did'] = 'notify',
  keyPrefix = '',
): Promise<Action[]> {
  const out: Action[] = [];
  for (const m of ms) {
    const msg = make(m);
    const r = await enqueue(
      db,
      {
        key: `auto:${ctx.automation.id}:${keySafe(`${keyPrefix}${m.key}`)}`,
        topic: msg.topic ?? 'automation',
        subject: msg.subject,
        text: msg.text,
        data: { automation: ctx.automation.name, at: m.at, ...m.detail },
        team: msg.team ?? null,
        ...(listOf(destinations) ? { destinations: listOf(destinations)! } : {}),
      },
      ctx.now,
    );
    out.push({
      key: `${keyPrefix}${m.key}`,
      at: m.at,
      did: r.destinations.length === 0 ? 'skipped' : did,
      summary: r.destinations.length === 0 ? `${msg.subject} (no destination for it)` : msg.subject,
      target: msg.target,
      detail: { ...m.detail, destinations: r.destinations },
    });
  }
  return out;
}

/** When a detractor (NPS 0–6) or dissatisfied (CSAT 1–2) answer arrives: a follow-up for its owner. */
const detractorFollowUp: Rule<z.ZodObject<Record<string, never>>> = {
  summary: 'When a detractor or dissatisfied answer arrives, open a follow-up for the owning team',
  params: z.object({}),
  async moments(db, w) {
    const rows = await db.all<{
      id: string;
      ts: string;
      kind: string;
      score: number;
      touchpoint: string | null;
      customer_id: string | null;
    }>(sql`
      SELECT id, ts, kind, score, touchpoint, customer_id FROM feedback
      WHERE ((kind = 'nps' AND score <= ${SCORE_SCALES.nps.badAtMost}) OR (kind = 'csat' AND score <= ${SCORE_SCALES.csat.badAtMost}))
        AND ts > ${w.from} AND ts <= ${w.to}
      ORDER BY ts, id`);
    return rows.map((r) => ({
      key: `feedback:${r.id}`,
      at: iso(r.ts),
      subject: `${r.kind.toUpperCase()} ${r.score} from ${r.customer_id ?? 'an anonymous customer'}${r.touchpoint ? ` about ${r.touchpoint}` : ''}`,
      detail: {
        feedbackId: r.id,
        kind: r.kind,
        score: r.score,
        touchpoint: r.touchpoint,
        customerId: r.customer_id,
      },
    }));
  },
  async act(db, ms, _p, ctx) {
    if (ms.length === 0) return [];
    // the feedback capability's creation: idempotent per answer, routed to the touchpoint's owner
    await createFollowUps(db, { now: ctx.now });
    const ids = ms.map((m) => String(m.detail.feedbackId));
    const made = new Map(
      (
        await db.all<{ feedback_id: string; id: string; owner_team: string | null }>(
          sql`SELECT feedback_id, id, owner_team FROM follow_ups WHERE list_contains(${ids}::VARCHAR[], feedback_id)`,
        )
      ).map((r) => [r.feedback_id, r]),
    );
    return ms.map((m) => {
      const f = made.get(String(m.detail.feedbackId));
      return f
        ? {
            key: m.key,
            at: m.at,
            did: 'follow-up' as const,
            summary: `follow-up ${f.id} for ${f.owner_team ?? 'no team (set a default team)'}: ${m.subject}`,
            target: f.owner_team,
            detail: { ...m.detail, followUp: f.id },
          }
        : {
            key: m.key,
            at: m.at,
            did: 'skipped' as const,
            summary: `no follow-up (the answer has no comment to act on): ${m.subject}`,
            target: null,
            detail: m.detail,
          };
    });
  },
};

const OverdueParams = z
  .object({
    promiseHours: PROMISE_HOURS,
    destinations: destinationsParam,
    customerUpdate: z
      .boolean()
      .default(false)
      .describe('also send the customer a templated progress update through customerDestination'),
    customerDestination: z
      .string()
      .optional()
      .describe('the webhook (e.g. the helpdesk) that sends customer updates'),
    template: z
      .string()
      .default(
        'Hello, we are still working on your request {case} ({reason}). You will hear from us again within {promiseHours} hours.',
      )
      .describe('the customer update; {case}, {reason}, {customer}, {promiseHours} are filled in'),
  })
  .refine((p) => !p.customerUpdate || Boolean(p.customerDestination), {
    message: 'customer updates need a customerDestination (the helpdesk webhook that writes to customers)',
    path: ['customerDestination'],
  });

/**
 * When an open case has had no customer update past its promise: each anchor (the opening or an
 * `update_sent`) whose next anchor (update or closing) came later than anchor + promise, or not yet,
 * is one overdue moment at anchor + promise. Its owner is the team holding the case then.
 */
const overdueUpdate: Rule<typeof OverdueParams> = {
  summary:
    'When an open case has had no customer update past its promise, remind its owner (and optionally update the customer)',
  params: OverdueParams,
  async moments(db, w, p) {
    const promise = sql`to_microseconds(CAST(${p.promiseHours * 3600e6} AS BIGINT))`;
    const since = new Date(w.from.getTime() - p.promiseHours * 3_600_000);
    const rows = await db.all<{
      case_id: string;
      anchor: string;
      due: string;
      reason: string | null;
      customer_id: string | null;
      team: string | null;
    }>(sql`
      WITH anchors AS (
        -- only anchors whose promise can end in the window (and those after them, for lead())
        SELECT id AS case_id, opened_at AS ts, 'opened' AS type FROM cases WHERE opened_at > ${since}
        UNION ALL SELECT case_id, ts, type FROM case_events WHERE type IN ('update_sent', 'closed') AND ts > ${since}
        UNION ALL SELECT id, closed_at, 'closed' FROM cases WHERE closed_at IS NOT NULL AND closed_at > ${since}
      ), nexts AS (
        SELECT case_id, ts, type, lead(ts) OVER (PARTITION BY case_id ORDER BY ts, type DESC) AS next_ts FROM anchors
      )
      SELECT n.case_id, n.ts AS anchor, n.ts + ${promise} AS due, c.reason, c.customer_id,
        coalesce((SELECT arg_max(e.team, e.ts) FROM case_events e WHERE e.case_id = n.case_id
          AND e.type = 'assigned' AND e.team IS NOT NULL AND e.ts <= n.ts + ${promise}), c.owner_team) AS team
      FROM nexts n JOIN cases c ON c.id = n.case_id
      WHERE n.type <> 'closed' AND (n.next_ts IS NULL OR n.next_ts > n.ts + ${promise})
        AND n.ts + ${promise} > ${w.from} AND n.ts + ${promise} <= ${w.to}
      ORDER BY due, n.case_id`);
    return rows.map((r) => ({
      key: `case:${r.case_id}@${iso(r.anchor)}`,
      at: iso(r.due),
      subject: `case ${r.case_id}${r.reason ? ` (${r.reason})` : ''}: no customer update for ${p.promiseHours} h`,
      detail: {
        caseId: r.case_id,
        reason: r.reason,
        customerId: r.customer_id,
        team: r.team,
        lastUpdate: iso(r.anchor),
      },
    }));
  },
  async act(db, ms, p, ctx) {
    const reminders = await notifyEach(
      db,
      ms,
      ctx,
      (m) => ({
        subject: `Reminder for ${m.detail.team ?? 'the case owner'}: ${m.subject}`,
        text: `Case ${m.detail.caseId} has had no customer update since ${m.detail.lastUpdate} (promise: ${p.promiseHours} h). Send the customer news now.`,
        target: (m.detail.team as string | null) ?? null,
        team: (m.detail.team as string | null) ?? null,
      }),
      p.destinations,
    );
    if (!p.customerUpdate) return reminders;
    const fill = (m: Moment) =>
      p.template
        .replaceAll('{case}', String(m.detail.caseId))
        .replaceAll('{reason}', String(m.detail.reason ?? 'your request'))
        .replaceAll('{customer}', String(m.detail.customerId ?? ''))
        .replaceAll('{promiseHours}', String(p.promiseHours));
    const updates = await notifyEach(
      db,
      ms,
      ctx,
      (m) => ({
        subject: `Progress update on case ${m.detail.caseId}`,
        text: fill(m),
        target: String(m.detail.customerId ?? ''),
        topic: 'customer',
      }),
      p.customerDestination,
      'customer-update',
      'customer:',
    );
    return [...reminders, ...updates];
  },
};

const SpikeParams = z.object({
  baselineDays: z
    .number()
    .int()
    .min(7)
    .max(365)
    .default(28)
    .describe('days of history each day is compared with'),
  minCount: z.number().int().min(1).default(10).describe('no spike below this many cases in a day'),
  alpha: z.number().gt(0).lt(0.5).default(0.001).describe('one-sided level of the count test'),
  destinations: destinationsParam,
});

/**
 * When a contact reason's daily case count spikes: a day (UTC) whose count is at least `minCount` and
 * improbable (one-sided p < alpha) for a count with the mean and variance of the previous
 * `baselineDays` days (negative binomial when the days vary more than a Poisson count, which real
 * contact volumes do). A simple count test until the monitors' seasonal detector serves it. The
 * moment is the day's end; the owner notified is the team owning the touchpoint the day's customers
 * of that reason visited last before opening their case (the inflow source).
 */
const reasonSpike: Rule<typeof SpikeParams> = {
  summary: 'When a contact reason’s daily volume spikes, notify the owner of the touchpoint that precedes it',
  params: SpikeParams,
  async moments(db, w, p) {
    const DAY = 86_400_000;
    const first = new Date(Math.floor((w.from.getTime() - DAY) / DAY) * DAY);
    const rows = await db.all<{ reason: string; day: string; n: number }>(sql`
      SELECT reason, date_trunc('day', opened_at) AS day, count(*) AS n FROM cases
      WHERE reason IS NOT NULL AND opened_at >= ${new Date(first.getTime() - p.baselineDays * DAY)}
        AND opened_at < ${w.to}
      GROUP BY ALL`);
    const byReason = new Map<string, Map<number, number>>();
    for (const r of rows) {
      const m = byReason.get(r.reason) ?? new Map<number, number>();
      m.set(Date.parse(r.day), r.n);
      byReason.set(r.reason, m);
    }
    const out: Moment[] = [];
    for (let d = first.getTime(); d + DAY <= w.to.getTime(); d += DAY) {
      if (d + DAY <= w.from.getTime()) continue;
      for (const [reason, days] of [...byReason].sort(([a], [b]) => a.localeCompare(b))) {
        const x = days.get(d) ?? 0;
        if (x < p.minCount) continue;
        const past = Array.from({ length: p.baselineDays }, (_, i) => days.get(d - (i + 1) * DAY) ?? 0);
        const mu = past.reduce((s, v) => s + v, 0) / past.length;
        const v = past.reduce((s, y) => s + (y - mu) ** 2, 0) / Math.max(1, past.length - 1);
        if (mu <= 0 || x <= mu) continue;
        const pv = countTwoSidedP(x, mu, Math.max(mu, v)) / 2;
        if (pv >= p.alpha) continue;
        out.push({
          key: `reason:${reason}@${new Date(d).toISOString().slice(0, 10)}`,
          at: new Date(d + DAY).toISOString(),
          subject: `${reason}: ${x} cases on ${new Date(d).toISOString().slice(0, 10)} (usual ${mu.toFixed(1)} a day)`,
          detail: {
            reason,
            day: new Date(d).toISOString().slice(0, 10),
            count: x,
            baseline: Math.round(mu * 100) / 100,
            p: pv,
          },
        });
      }
    }
    // the touchpoint that precedes the reason on that day, and its owner
    for (const [i, m] of out.entries()) {
      const day = new Date(`${m.detail.day}T00:00:00Z`);
      const src = await db.one<{ touchpoint: string | null; team: string | null; n: number }>(sql`
        WITH prior AS (
          SELECT c.id, (SELECT arg_max(e.touchpoint, e.ts) FROM events e WHERE e.customer_id = c.customer_id
            AND e.ts <= c.opened_at AND e.ts > c.opened_at - INTERVAL 7 DAY) AS touchpoint
          FROM cases c WHERE c.reason = ${String(m.detail.reason)} AND c.opened_at >= ${day}
            AND c.opened_at < ${new Date(day.getTime() + DAY)}
        )
        SELECT touchpoint, (SELECT team_id FROM touchpoint_owners o WHERE o.touchpoint = prior.touchpoint
          ORDER BY (o.channel = '*') LIMIT 1) AS team, count(*) AS n
        FROM prior WHERE touchpoint IS NOT NULL GROUP BY touchpoint ORDER BY n DESC, touchpoint LIMIT 1`);
      out[i] = {
        ...m,
        detail: { ...m.detail, precedingTouchpoint: src?.touchpoint ?? null, team: src?.team ?? null },
      };
    }
    return out;
  },
  act(db, ms, p, ctx) {
    return notifyEach(
      db,
      ms,
      ctx,
      (m) => ({
        subject: `Contact spike for ${m.detail.team ?? 'the owner'}: ${m.subject}`,
        text: `${m.subject}. ${m.detail.precedingTouchpoint ? `Most of these customers came from ${m.detail.precedingTouchpoint}${m.detail.team ? ` (owned by ${m.detail.team})` : ''}: fixing it there reduces the inflow.` : 'No preceding touchpoint was found in the customers’ journeys.'}`,
        target: (m.detail.team as string | null) ?? null,
        team: (m.detail.team as string | null) ?? null,
      }),
      p.destinations,
    );
  },
};

const ReportScheduleParams = z.object({
  weekday: z
    .number()
    .int()
    .min(0)
    .max(6)
    .default(1)
    .describe('day of the week (0 = Sunday, 1 = Monday), UTC'),
  hour: z.number().int().min(0).max(23).default(8).describe('hour of the day, UTC'),
  days: z
    .number()
    .int()
    .min(1)
    .max(366)
    .default(7)
    .describe('the period each report covers, ending at its send time'),
  destinations: destinationsParam,
});

/** Scheduled delivery of the audit report: once a week at the set day and hour. */
const auditReport: Rule<typeof ReportScheduleParams> = {
  summary: 'Deliver the audit report on a weekly schedule',
  params: ReportScheduleParams,
  async moments(_db, w, p) {
    const out: Moment[] = [];
    const DAY = 86_400_000;
    const start = new Date(w.from);
    start.setUTCHours(p.hour, 0, 0, 0);
    for (let t = start.getTime() - DAY; t <= w.to.getTime(); t += DAY) {
      const d = new Date(t);
      if (d.getUTCDay() !== p.weekday || t <= w.from.getTime() || t > w.to.getTime()) continue;
      out.push({
        key: `report@${d.toISOString()}`,
        at: d.toISOString(),
        subject: `Audit report, ${new Date(t - p.days * DAY).toISOString().slice(0, 10)} to ${d.toISOString().slice(0, 10)}`,
        detail: { from: new Date(t - p.days * DAY).toISOString(), to: d.toISOString() },
      });
    }
    return out;
  },
  async act(db, ms, p, ctx) {
    if (ctx.dry)
      return notifyEach(
        db,
        ms,
        ctx,
        (m) => ({ subject: m.subject, text: m.subject, target: null, topic: 'report' }),
        p.destinations,
        'report',
      );
    const out: Action[] = [];
    for (const m of ms) {
      const r = await buildReport(db, { from: String(m.detail.from), to: String(m.detail.to) }, [], {
        now: () => ctx.now,
      });
      const kpis = r.kpis
        .filter((k) => k.value !== null)
        .map(
          (k) =>
            `- ${k.label}: ${k.value!.toFixed(1)}${k.unit} (95% ${k.low?.toFixed(1)}–${k.high?.toFixed(1)}, n = ${k.n})`,
        );
      const top = r.audit.top.slice(0, 5).map((i, n) => `${n + 1}. ${i.title}`);
      const text = [`${r.title}`, '', 'Key figures', ...kpis, '', 'Top problems', ...top].join('\n');
      out.push(
        ...(await notifyEach(
          db,
          [m],
          ctx,
          () => ({ subject: m.subject, text, target: null, topic: 'report' }),
          p.destinations,
          'report',
        )),
      );
    }
    return out;
  },
};

export const RULES = {
  'detractor-follow-up': detractorFollowUp,
  'overdue-update': overdueUpdate,
  'reason-spike': reasonSpike,
  'audit-report': auditReport,
} as const;
export type RuleKind = keyof typeof RULES;
export const RULE_KINDS = Object.keys(RULES) as RuleKind[];
