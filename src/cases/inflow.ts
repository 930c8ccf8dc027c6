import { z } from 'zod';
import { FilterParams, personaSlice, personasToRunEach } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { type Store, sql } from '../store/index.js';
import { caseMetricsCtes, caseWindow } from './case-metrics.js';
import { pct, type Rate, rate, ratePct, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

export const InflowParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  repeatDays: z
    .number()
    .int()
    .min(1)
    .default(7)
    .describe('a repeat contact: same customer, same reason within this many days'),
  lookbackDays: z
    .number()
    .int()
    .min(1)
    .default(7)
    .describe('journey events this many days before a case opened may have caused it'),
  limit: z.number().int().min(1).max(1000).default(50),
  by: z
    .enum(['none', 'persona'])
    .default('none')
    .describe('persona: the contact reasons of each persona (newest run), each reason and finding naming it'),
});
export type InflowParams = z.output<typeof InflowParams>;

export interface InflowReason {
  /** With `--by persona`: the persona (id) whose customers' cases these are. */
  readonly persona?: string;
  readonly reason: string;
  readonly cases: number;
  readonly share: number | null;
  readonly customers: number;
  /** Contacts: opening contacts plus customer_contact events of the reason's cases. */
  readonly contacts: number;
  /** Cases opened by a customer who opened a case of the same reason within repeatDays before. */
  readonly repeats: Rate;
  /** Cases with at least one journey event in the lookback window. */
  readonly withJourney: number;
  /** The touchpoint (and its stage) last seen before the case that precedes this reason more than the others. */
  readonly precededBy: {
    readonly touchpoint: string;
    readonly stage: string | null;
    readonly cases: number;
    readonly share: Rate;
    /** Share of the other reasons' cases preceded by the same touchpoint. */
    readonly baseline: number | null;
    /** Contacts of those cases (their repeats included): what prevention at that touchpoint would remove. */
    readonly contactsPreventable: number;
    /** Contacts above what the other reasons' rate would predict. */
    readonly excessContacts: number;
  } | null;
  /** The touchpoint most often last seen before this reason, regardless of other reasons. */
  readonly mostFrequent: { readonly touchpoint: string; readonly cases: number } | null;
}

export interface InflowResult {
  readonly totalCases: number;
  readonly reasons: readonly InflowReason[];
  readonly findings: readonly StoredFinding[];
}

interface ReasonRow {
  reason: string;
  cases: number;
  customers: number;
  contacts: number;
  repeats: number;
  with_journey: number;
}

interface PairRow {
  reason: string;
  touchpoint: string;
  stage: string | null;
  n: number;
  contacts: number;
  tp_total: number;
}

/**
 * Where contacts come from and how to prevent them. Reasons ranked by volume; repeat contacts; and for
 * each reason the touchpoint of the customer's last journey event within `lookbackDays` before the
 * case opened. The touchpoint reported is the one whose share among this reason's cases exceeds its
 * share among the other reasons' cases by the most contacts — a place where documentation, training
 * or a product fix could have prevented them. Written as `inflow` findings, ranked by excess contacts.
 */
export async function getInflow(
  db: Store,
  params: InflowParams,
  now: Date = new Date(),
): Promise<InflowResult> {
  if (params.by === 'persona') return inflowByPersona(db, params, now);
  const r = await computeInflow(db, params);
  const stored = await writeFindings(db, 'cases.inflow', r.fp, r.findings, now);
  return { totalCases: r.totalCases, reasons: r.reasons, findings: stored };
}

/**
 * `--by persona`: each persona's inflow (the analysis with that persona's filter), the reasons
 * listed persona by persona, the findings ranked together by excess contacts, each naming its persona.
 */
async function inflowByPersona(db: Store, params: InflowParams, now: Date): Promise<InflowResult> {
  const ids = await personasToRunEach(db, params.persona);
  let totalCases = 0;
  const reasons: InflowReason[] = [];
  const findings: Finding[] = [];
  let fp: Record<string, unknown> = {};
  for (const persona_id of ids) {
    const r = await computeInflow(db, { ...params, by: 'none', persona: persona_id });
    totalCases += r.totalCases;
    reasons.push(...r.reasons.map((x) => ({ persona: persona_id, ...x })));
    findings.push(...r.findings);
    fp = { ...r.fp, persona: undefined, by: 'persona' };
  }
  const kept = findings.sort((a, b) => b.score - a.score).slice(0, params.limit);
  const stored = await writeFindings(db, 'cases.inflow', fp, kept, now);
  return { totalCases, reasons, findings: stored };
}

async function computeInflow(
  db: Store,
  params: InflowParams,
): Promise<{
  totalCases: number;
  reasons: InflowReason[];
  findings: Finding[];
  fp: Record<string, unknown>;
}> {
  const o = await caseMetricsFor(db, await caseWindow(db, params));
  const base = sql`WITH ${caseMetricsCtes(o)},
    rep AS (
      SELECT case_id, reason, customer_id, contacts,
        lag(opened_at) OVER (PARTITION BY customer_id, reason ORDER BY opened_at, case_id) >=
          opened_at - to_days(${params.repeatDays}::INTEGER) AS is_repeat
      FROM case_metrics2
    ),
    prec AS (
      SELECT c.id AS case_id, arg_max(e.touchpoint, e.ts) AS touchpoint, arg_max(e.stage, e.ts) AS stage
      FROM cs c JOIN events e ON e.customer_id = c.customer_id
        AND e.ts < c.opened_at AND e.ts >= c.opened_at - to_days(${params.lookbackDays}::INTEGER)
      GROUP BY c.id
    )`;
  const reasons = await db.all<ReasonRow>(sql`${base}
    SELECT r.reason, count(*) AS cases, count(DISTINCT r.customer_id) AS customers, sum(r.contacts) AS contacts,
      count(*) FILTER (WHERE r.is_repeat) AS repeats, count(p.case_id) AS with_journey
    FROM rep r LEFT JOIN prec p ON p.case_id = r.case_id GROUP BY r.reason ORDER BY cases DESC, reason`);
  const pairs = await db.all<PairRow>(sql`${base}
    SELECT r.reason, p.touchpoint, mode(p.stage) AS stage, count(*) AS n, sum(r.contacts) AS contacts,
      sum(count(*)) OVER (PARTITION BY p.touchpoint) AS tp_total
    FROM rep r JOIN prec p ON p.case_id = r.case_id GROUP BY 1, 2 ORDER BY 1, 2`);
  const totalCases = reasons.reduce((s, r) => s + r.cases, 0);
  const totalJourney = reasons.reduce((s, r) => s + r.with_journey, 0);
  const out: InflowReason[] = reasons.map((r) => {
    const mine = pairs.filter((p) => p.reason === r.reason);
    const scored = mine.map((p) => {
      const otherN = totalJourney - r.with_journey;
      const baseline = otherN > 0 ? (p.tp_total - p.n) / otherN : null;
      const share = r.with_journey > 0 ? p.n / r.with_journey : 0;
      const perCase = p.n > 0 ? p.contacts / p.n : 0;
      return { p, baseline, excess: Math.round((share - (baseline ?? 0)) * r.with_journey * perCase) };
    });
    const best = [...scored].sort((a, b) => b.excess - a.excess || b.p.n - a.p.n)[0];
    const frequent = [...mine].sort((a, b) => b.n - a.n || a.touchpoint.localeCompare(b.touchpoint))[0];
    return {
      reason: r.reason,
      cases: r.cases,
      share: totalCases > 0 ? round(r.cases / totalCases) : null,
      customers: r.customers,
      contacts: r.contacts,
      repeats: rate(r.repeats, r.cases),
      withJourney: r.with_journey,
      precededBy: best
        ? {
            touchpoint: best.p.touchpoint,
            stage: best.p.stage,
            cases: best.p.n,
            share: rate(best.p.n, r.with_journey),
            baseline: round(best.baseline),
            contactsPreventable: best.p.contacts,
            excessContacts: best.excess,
          }
        : null,
      mostFrequent: frequent ? { touchpoint: frequent.touchpoint, cases: frequent.n } : null,
    };
  });
  const fp = {
    from: params.from,
    to: params.to,
    asOf: params.asOf,
    lookbackDays: params.lookbackDays,
    ...(params.segment ? { segment: params.segment } : {}),
    ...(params.channel ? { channel: params.channel } : {}),
    ...(params.persona ? { persona: params.persona } : {}),
  };
  const owners = await db.all<{ touchpoint: string; team_id: string }>(
    sql`SELECT touchpoint, team_id FROM touchpoint_owners WHERE channel = '*'`,
  );
  const ownerOf = new Map(owners.map((x) => [x.touchpoint, x.team_id]));
  const findings: Finding[] = out
    .filter((r) => r.precededBy && r.precededBy.excessContacts > 0)
    .map((r) => {
      const pb = r.precededBy!;
      return {
        kind: 'inflow',
        p: 'product',
        title: `${pct(pb.share.value)} of “${r.reason}” contacts follow ${pb.touchpoint}${
          pb.stage ? ` (${pb.stage})` : ''
        } vs ${pct(pb.baseline)} for other reasons: ${pb.contactsPreventable} contacts preventable there`,
        slice: {
          reason: r.reason,
          touchpoint: pb.touchpoint,
          ...(pb.stage ? { stage: pb.stage } : {}),
          ...personaSlice(params),
        },
        metric: 'preceded_share',
        value: round(pb.share.value),
        baseline: pb.baseline,
        ciLow: round(pb.share.low),
        ciHigh: round(pb.share.high),
        n: pb.share.n,
        smallSample: pb.share.smallSample,
        score: pb.excessContacts,
        customersAffected: r.customers,
        evidence: {
          analysis: 'cases.inflow',
          params: fp,
          cases: r.cases,
          contactsPreventable: pb.contactsPreventable,
          excessContacts: pb.excessContacts,
          repeatRate: r.repeats.value,
        },
        ownerTeam: ownerOf.get(pb.touchpoint) ?? null,
      };
    });
  return { totalCases, reasons: out.slice(0, params.limit), findings, fp };
}

export const inflowOperation = defineOperation({
  area: 'cases',
  verb: 'inflow',
  summary: 'Contact reasons by volume, repeat contacts and the touchpoint where each could be prevented',
  params: InflowParams,
  mode: 'write',
  listField: 'reasons',
  run: (db, params, ctx) => getInflow(db, params, ctx.now?.()),
  present: (r): Section[] => [
    {
      title: `Contact reasons by volume (${r.totalCases} cases)`,
      rows: r.reasons.map((x) => ({
        ...(x.persona ? { persona: x.persona } : {}),
        reason: x.reason,
        cases: x.cases,
        share: pct(x.share),
        contacts: x.contacts,
        repeats: ratePct(x.repeats),
        'preceded by': x.precededBy
          ? `${x.precededBy.touchpoint} ${pct(x.precededBy.share.value)} vs ${pct(x.precededBy.baseline)}`
          : '',
        preventable: x.precededBy?.contactsPreventable ?? '',
      })),
    },
    { text: `${r.findings.length} inflow findings written (touchpoint findings list --kind inflow)` },
  ],
});
