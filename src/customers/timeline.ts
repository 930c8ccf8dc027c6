import { z } from 'zod';
import { getCaseTimelines } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { currentPersonas } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { resolveInstant, TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';

export const CustomerTimelineParams = z.object({
  customer: z.string().min(1).max(200).describe('the customer id'),
  asOf: TimeFrameParams.asOf,
  limit: z
    .number()
    .int()
    .min(1)
    .max(20_000)
    .default(2000)
    .describe('at most this many timeline items (the most recent are kept)'),
});
export type CustomerTimelineParams = z.output<typeof CustomerTimelineParams>;

/** One thing that happened to or with the customer, on any channel. */
export interface TimelineItem {
  readonly ts: string;
  /** event: an interaction; answer: a survey answer or comment; case-opened / handoff / case-closed / case-reopened: support. */
  readonly kind: 'event' | 'answer' | 'case-opened' | 'handoff' | 'case-closed' | 'case-reopened';
  readonly channel: string | null;
  readonly touchpoint: string | null;
  readonly stage: string | null;
  /** What happened, as a person reads it. */
  readonly title: string;
  readonly outcome: string | null;
  readonly direction: string | null;
  /** Answers: nps / csat / ces / text, the score and the comment with its sentiment and theme. */
  readonly answer: {
    readonly kind: string;
    readonly score: number | null;
    readonly comment: string | null;
    readonly sentiment: string | null;
    readonly theme: string | null;
  } | null;
  readonly caseId: string | null;
  readonly id: string;
}

export interface CustomerCase {
  readonly id: string;
  readonly reason: string | null;
  readonly channel: string | null;
  readonly status: 'open' | 'closed';
  readonly openedAt: string;
  readonly closedAt: string | null;
  /** Teams in order (A → B → A). */
  readonly teams: readonly string[];
  readonly teamHandoffs: number;
  readonly returns: number;
  readonly reopens: number;
  readonly csat: number | null;
}

export interface CustomerTimelineResult {
  readonly customer: {
    readonly id: string;
    readonly createdAt: string | null;
    readonly segment: string | null;
    readonly plan: string | null;
    readonly region: string | null;
    readonly country: string | null;
    readonly monthlyValue: number | null;
    readonly churnedAt: string | null;
    readonly attributes: Readonly<Record<string, unknown>>;
    /** The newest persona run's persona, null before personas exist. */
    readonly persona: { readonly id: string; readonly name: string } | null;
    /** A churn risk the source recorded (an attribute named churn_risk, risk_score, …); null when none. */
    readonly churnRisk: { readonly value: number; readonly source: string } | null;
  };
  readonly asOf: string | null;
  readonly summary: {
    readonly events: number;
    readonly answers: number;
    readonly cases: number;
    readonly firstSeen: string | null;
    readonly lastSeen: string | null;
    readonly channels: readonly string[];
  };
  readonly items: readonly TimelineItem[];
  /** Items left out by `limit` (the oldest). */
  readonly truncated: number;
  readonly cases: readonly CustomerCase[];
}

/** Attribute names read as a recorded churn risk (a probability 0–1 or a percentage). */
export const RISK_ATTRIBUTES = [
  'churn_risk',
  'churn_probability',
  'churn_score',
  'risk_score',
  'risk',
] as const;

function riskOf(attributes: Readonly<Record<string, unknown>>): { value: number; source: string } | null {
  for (const k of RISK_ATTRIBUTES) {
    const v = Number(attributes[k]);
    if (attributes[k] !== null && attributes[k] !== '' && Number.isFinite(v) && v >= 0 && v <= 100)
      return { value: v > 1 ? v / 100 : v, source: `attribute ${k}` };
  }
  return null;
}

/** The most case details drawn per customer (newest first); the rest keep their row in `items`. */
const CASE_DETAILS = 50;

/**
 * Everything Touchpoint knows about one customer, in time order across channels: every event, every
 * survey answer (with its comment, sentiment and theme), every case with its transfers (the handoffs
 * of the one definition, docs/cases.md), plus the persona, segment, value and a recorded churn risk.
 */
export async function getCustomerTimeline(
  db: Store,
  params: CustomerTimelineParams,
): Promise<CustomerTimelineResult> {
  const asOfDate = params.asOf ? await resolveInstant(db, params.asOf, 'asOf') : null;
  const asOf = asOfDate ? asOfDate.toISOString() : null;
  const id = params.customer;
  const c = await db.one<{
    id: string;
    created_at: string | null;
    segment: string | null;
    plan: string | null;
    region: string | null;
    country: string | null;
    monthly_value: number | null;
    churned_at: string | null;
    attributes: string | null;
  }>(sql`SELECT id, created_at, segment, plan, region, country, monthly_value, churned_at,
      CAST(attributes AS VARCHAR) AS attributes FROM customers WHERE id = ${id}`);
  const seen = c
    ? { n: 1 }
    : await db.one<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM events WHERE customer_id = ${id}) + (SELECT count(*) FROM feedback WHERE customer_id = ${id})
      + (SELECT count(*) FROM cases WHERE customer_id = ${id}) AS n`);
  if (!c && (seen?.n ?? 0) === 0)
    throw new TouchpointError('not_found', `customer ${id} does not exist in this workspace`, {
      details: [{ field: 'customer', message: 'no such customer' }],
    });
  const attributes = c?.attributes ? (JSON.parse(c.attributes) as Record<string, unknown>) : {};
  const persona = await db.one<{ persona_id: string; persona: string }>(
    sql`SELECT persona_id, persona FROM ${currentPersonas()} WHERE customer_id = ${id}`,
  );
  const upTo = (col: ReturnType<typeof sql>) =>
    sql`(${asOf}::TIMESTAMP IS NULL OR ${col} <= ${asOf}::TIMESTAMP)`;
  const rows = await db.all<{
    id: string;
    ts: string;
    kind: TimelineItem['kind'];
    channel: string | null;
    touchpoint: string | null;
    stage: string | null;
    name: string | null;
    outcome: string | null;
    direction: string | null;
    a_kind: string | null;
    score: number | null;
    comment: string | null;
    sentiment: string | null;
    theme: string | null;
    case_id: string | null;
    total: number;
  }>(sql`WITH items AS (
      SELECT id, ts, 'event' AS kind, channel, touchpoint, stage, name, outcome, direction,
        NULL AS a_kind, NULL::DOUBLE AS score, NULL AS comment, NULL AS sentiment, NULL AS theme, NULL AS case_id, 0 AS o
      FROM events WHERE customer_id = ${id} AND ${upTo(sql`ts`)}
      UNION ALL
      SELECT f.id, f.ts, 'answer', f.channel, f.touchpoint, NULL, f.question, NULL, NULL,
        f.kind, f.score, f.comment, t.label, t.primary_theme, f.case_id, 1
      FROM feedback f LEFT JOIN feedback_text t ON t.feedback_id = f.id
      WHERE f.customer_id = ${id} AND ${upTo(sql`f.ts`)}
      UNION ALL
      SELECT id, opened_at, 'case-opened', channel, NULL, NULL, reason, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, id, 2
      FROM cases WHERE customer_id = ${id} AND ${upTo(sql`opened_at`)}
      UNION ALL
      SELECT e.id, e.ts, CASE e.type WHEN 'closed' THEN 'case-closed' ELSE 'case-reopened' END, e.channel, NULL, NULL,
        c.reason, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.case_id, 3
      FROM case_events e JOIN cases c ON c.id = e.case_id
      WHERE c.customer_id = ${id} AND e.type IN ('closed', 'reopened') AND ${upTo(sql`e.ts`)}
    )
    SELECT *, count(*) OVER () AS total FROM items ORDER BY ts DESC, o DESC, id DESC LIMIT ${params.limit}`);

  const caseRows = await db.all<{ id: string }>(
    sql`SELECT id FROM cases WHERE customer_id = ${id} AND ${upTo(sql`opened_at`)} ORDER BY opened_at DESC, id LIMIT ${CASE_DETAILS}`,
  );
  const cases: CustomerCase[] = [];
  const handoffItems: TimelineItem[] = [];
  const timelines = await getCaseTimelines(
    db,
    caseRows.map((r) => r.id),
    { promiseHours: 24, fallbackDays: 7, ...(asOf ? { asOf } : {}) },
  );
  for (const t of timelines) {
    cases.push({
      id: t.case.id,
      reason: t.case.reason,
      channel: t.case.channel,
      status: t.case.status,
      openedAt: t.case.openedAt,
      closedAt: t.case.closedAt,
      teams: t.stints.map((s) => s.teamName ?? s.team),
      teamHandoffs: t.metrics.teamHandoffs,
      returns: t.metrics.returns,
      reopens: t.metrics.reopens,
      csat: t.csat?.score ?? null,
    });
    const name = new Map(t.stints.map((s) => [s.team, s.teamName ?? s.team]));
    t.handoffs.forEach((h, i) => {
      handoffItems.push({
        id: `${t.case.id}#handoff${i + 1}`,
        ts: h.at,
        kind: 'handoff',
        channel: null,
        touchpoint: null,
        stage: null,
        title: `Case ${t.case.id} transferred ${name.get(h.from) ?? h.from} → ${name.get(h.to) ?? h.to}${h.isReturn ? ' (back to a team it had left)' : ''}${h.transferReason ? `: ${h.transferReason}` : ''}`,
        outcome: null,
        direction: null,
        answer: null,
        caseId: t.case.id,
      });
    });
  }
  cases.sort((a, b) => a.openedAt.localeCompare(b.openedAt));

  const titleOf = (r: (typeof rows)[number]): string => {
    switch (r.kind) {
      case 'event':
        return `${r.name ?? 'event'} at ${r.touchpoint ?? 'an unknown touchpoint'}`;
      case 'answer':
        return r.a_kind === 'text'
          ? 'Comment'
          : `${(r.a_kind ?? '').toUpperCase()} answer ${r.score ?? ''}`.trim();
      case 'case-opened':
        return `Case ${r.case_id} opened: ${r.name ?? 'no reason recorded'}`;
      case 'case-closed':
        return `Case ${r.case_id} closed`;
      default:
        return `Case ${r.case_id} reopened`;
    }
  };
  const base: TimelineItem[] = rows.map((r) => ({
    id: r.id,
    ts: r.ts,
    kind: r.kind,
    channel: r.channel,
    touchpoint: r.touchpoint,
    stage: r.stage,
    title: titleOf(r),
    outcome: r.outcome,
    direction: r.direction,
    answer:
      r.kind === 'answer'
        ? { kind: r.a_kind ?? '', score: r.score, comment: r.comment, sentiment: r.sentiment, theme: r.theme }
        : null,
    caseId: r.case_id,
  }));
  const oldest = base.length > 0 ? base[base.length - 1]!.ts : null;
  const total = rows[0]?.total ?? 0;
  // handoffs of cases whose items were cut by the limit stay out too
  const kept = handoffItems.filter((h) => total <= params.limit || oldest === null || h.ts >= oldest);
  const order = { event: 0, answer: 1, 'case-opened': 2, handoff: 3, 'case-closed': 4, 'case-reopened': 4 };
  const items = [...base, ...kept].sort(
    (a, b) => a.ts.localeCompare(b.ts) || order[a.kind] - order[b.kind] || a.id.localeCompare(b.id),
  );
  const counts = await db.one<{
    events: number;
    answers: number;
    cases: number;
    first_seen: string | null;
    last_seen: string | null;
    channels: string[] | null;
  }>(sql`WITH t AS (
      SELECT ts, channel, 'e' AS k FROM events WHERE customer_id = ${id} AND ${upTo(sql`ts`)}
      UNION ALL SELECT ts, channel, 'f' FROM feedback WHERE customer_id = ${id} AND ${upTo(sql`ts`)}
      UNION ALL SELECT opened_at, channel, 'c' FROM cases WHERE customer_id = ${id} AND ${upTo(sql`opened_at`)}
    )
    SELECT count(*) FILTER (WHERE k = 'e') AS events, count(*) FILTER (WHERE k = 'f') AS answers,
      count(*) FILTER (WHERE k = 'c') AS cases, min(ts) AS first_seen, max(ts) AS last_seen,
      list_sort(list_distinct(list(channel) FILTER (WHERE channel IS NOT NULL))) AS channels
    FROM t`);
  return {
    customer: {
      id,
      createdAt: c?.created_at ?? null,
      segment: c?.segment ?? null,
      plan: c?.plan ?? null,
      region: c?.region ?? null,
      country: c?.country ?? null,
      monthlyValue: c?.monthly_value ?? null,
      churnedAt: c?.churned_at && (asOf === null || c.churned_at <= asOf) ? c.churned_at : null,
      attributes,
      persona: persona ? { id: persona.persona_id, name: persona.persona } : null,
      churnRisk: riskOf(attributes),
    },
    asOf,
    summary: {
      events: counts?.events ?? 0,
      answers: counts?.answers ?? 0,
      cases: counts?.cases ?? 0,
      firstSeen: counts?.first_seen ?? null,
      lastSeen: counts?.last_seen ?? null,
      channels: counts?.channels ?? [],
    },
    items,
    truncated: Math.max(0, total - params.limit),
    cases,
  };
}

export const customerTimelineOperation = defineOperation({
  area: 'customers',
  verb: 'timeline',
  summary:
    "One customer's history across channels: events, answers with comments, cases with their transfers",
  params: CustomerTimelineParams,
  mode: 'read',
  positional: ['customer'],
  listField: 'items',
  run: (db, params) => getCustomerTimeline(db, params),
  present: (r): Section[] => {
    const c = r.customer;
    const facts = [
      c.segment && `segment ${c.segment}`,
      c.plan && `plan ${c.plan}`,
      c.monthlyValue !== null && `value ${c.monthlyValue}/month`,
      c.persona && `persona ${c.persona.name}`,
      c.churnRisk && `churn risk ${Math.round(c.churnRisk.value * 100)}% (${c.churnRisk.source})`,
      c.churnedAt && `churned ${c.churnedAt.slice(0, 10)}`,
    ].filter(Boolean);
    return [
      {
        text: `Customer ${c.id}${facts.length ? ` · ${facts.join(' · ')}` : ''}\n${r.summary.events} events, ${r.summary.answers} answers, ${r.summary.cases} cases on ${r.summary.channels.join(', ') || 'no channel'}${r.truncated ? ` (${r.truncated} oldest items left out: raise --limit)` : ''}`,
      },
      {
        title: 'Timeline',
        rows: r.items.map((i) => ({
          ts: i.ts,
          kind: i.kind,
          channel: i.channel ?? '',
          what: i.title,
          detail: i.answer?.comment ?? i.outcome ?? '',
        })),
      },
    ];
  },
});
