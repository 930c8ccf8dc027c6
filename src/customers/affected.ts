import { z } from 'zod';
import { affectedCases, CASE_FINDING_KINDS } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import { findingMembers, getFinding } from '../findings/index.js';
import { DEFAULT_BAD_OUTCOMES } from '../journeys/index.js';
import { type Store, sql } from '../store/index.js';

export const AffectedParams = z.object({
  finding: z.string().min(1).max(200).describe('the finding id (findings list shows it)'),
  offset: z.number().int().min(0).default(0).describe('rows to skip (paging)'),
  limit: z.number().int().min(1).max(100_000).default(50).describe('rows to return'),
});
export type AffectedParams = z.output<typeof AffectedParams>;

/** One customer (and, for support findings, one case) behind a finding. */
export interface AffectedRow {
  readonly customerId: string | null;
  readonly caseId: string | null;
  /** When it happened: the case's opening, the comment, the first visit at the touchpoint. */
  readonly at: string;
  /** Where: the contact reason, the touchpoint and channel, the answer. */
  readonly what: string;
  readonly detail: string;
  /** The row shows what the finding measures (listed first); false: in the finding's population only. */
  readonly shows: boolean;
  /** The person key the analysis counted (journey findings: anonymous visitors have no customer id). */
  readonly person?: string;
}

export interface AffectedResult {
  readonly finding: {
    readonly id: string;
    readonly title: string;
    readonly kind: string;
    readonly analysis: string;
    readonly customersAffected: number | null;
  };
  /** How the list was drawn, as a person reads it. */
  readonly rule: string;
  readonly total: number;
  /** Distinct customers among the rows that show the problem, and among all rows. */
  readonly customers: { readonly showing: number; readonly all: number };
  /** Distinct cases in the list (support findings). */
  readonly cases: number;
  /** The showing customers equal the finding's customers affected (null when the finding has no count). */
  readonly agrees: boolean | null;
  readonly offset: number;
  readonly limit: number;
  readonly rows: readonly AffectedRow[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

async function themeRows(
  db: Store,
  theme: string,
  params: Readonly<Record<string, unknown>>,
  driverKind: string | null,
): Promise<AffectedRow[]> {
  const rows = await db.all<{
    customer_id: string | null;
    case_id: string | null;
    ts: string;
    kind: string;
    score: number | null;
    comment: string | null;
    label: string;
  }>(sql`SELECT f.customer_id, f.case_id, f.ts, f.kind, f.score, f.comment, t.label
    FROM feedback_text t JOIN feedback f ON f.id = t.feedback_id
    WHERE list_contains(t.themes, ${theme})
      AND (${driverKind}::VARCHAR IS NULL OR f.kind = ${driverKind})
      AND (${str(params.from)}::TIMESTAMP IS NULL OR f.ts >= ${str(params.from)}::TIMESTAMP)
      AND (${str(params.to)}::TIMESTAMP IS NULL OR f.ts < ${str(params.to)}::TIMESTAMP)
    ORDER BY f.ts DESC, f.id`);
  return rows
    .map((r) => ({
      customerId: r.customer_id,
      caseId: r.case_id,
      at: r.ts,
      what: r.kind === 'text' ? 'comment' : `${r.kind.toUpperCase()} ${r.score ?? ''}`.trim(),
      detail: r.comment ?? '',
      // themes: the negative mentions; drivers: detractors (NPS 0–6) mentioning the theme
      shows:
        driverKind === null
          ? r.label === 'negative'
          : r.kind === 'nps'
            ? (r.score ?? 10) <= 6
            : r.label === 'negative',
    }))
    .filter((r) => driverKind !== null || r.shows);
}

async function touchpointRows(
  db: Store,
  slice: Readonly<Record<string, string | undefined>>,
  params: Readonly<Record<string, unknown>>,
): Promise<AffectedRow[]> {
  const bad: readonly string[] = DEFAULT_BAD_OUTCOMES;
  const rows = await db.all<{
    customer_id: string;
    ts: string;
    channel: string;
    outcome: string | null;
    visits: number;
  }>(
    sql`SELECT customer_id, min(ts) AS ts, arg_min(channel, ts) AS channel, arg_min(outcome, ts) AS outcome, count(*) AS visits
      FROM events
      WHERE customer_id IS NOT NULL AND touchpoint = ${slice.touchpoint ?? null}
        AND (${slice.channel ?? null}::VARCHAR IS NULL OR channel = ${slice.channel ?? null})
        AND (${str(params.from)}::TIMESTAMP IS NULL OR ts >= ${str(params.from)}::TIMESTAMP)
        AND (${str(params.to)}::TIMESTAMP IS NULL OR ts < ${str(params.to)}::TIMESTAMP)
        AND (${str(params.asOf)}::TIMESTAMP IS NULL OR ts <= ${str(params.asOf)}::TIMESTAMP)
      GROUP BY customer_id`,
  );
  return rows
    .map((r) => ({
      customerId: r.customer_id,
      caseId: null,
      at: r.ts,
      what: `${slice.touchpoint} · ${r.channel}`,
      detail: `${r.visits} visit${r.visits === 1 ? '' : 's'}${r.outcome ? ` · first: ${r.outcome}` : ''}`,
      shows: r.outcome !== null && bad.includes(r.outcome.toLowerCase()),
    }))
    .sort((a, b) => Number(b.shows) - Number(a.shows) || b.at.localeCompare(a.at));
}

/**
 * The customers and cases behind a finding, drawn from the finding's slice and evidence parameters
 * with the definition that counted them where the analysis has one per row: support findings list
 * their cases by the cases definitions (`affectedCases`), theme findings the negative comments
 * mentioning the theme, driver findings the answers of the driver's score mentioning it. Journey
 * findings (drop-off, wait, channel switch, moment of truth) list the people the analysis counted,
 * kept with its run (`finding_members`), so the list has exactly the finding's customers affected;
 * a finding of a run from before they were kept falls back to the customers measured at the
 * touchpoint (and channel) in the period — the population its rate was measured on (docs/customers.md).
 */
export async function getAffected(db: Store, params: AffectedParams): Promise<AffectedResult> {
  const f = await getFinding(db, params.finding);
  if (!f)
    throw new TouchpointError(
      'not_found',
      `finding ${params.finding} does not exist (touchpoint findings list --json shows each finding's id)`,
      {
        details: [{ field: 'finding', message: 'no such finding' }],
      },
    );
  const slice = f.slice as Record<string, string | undefined>;
  const ev = f.evidence.params ?? {};
  let rule: string;
  let rows: AffectedRow[];
  // journey findings keep the people they counted (null: a run from before they were kept)
  const members = slice.touchpoint ? await findingMembers(db, f.runId, f.id) : null;
  if ((CASE_FINDING_KINDS as readonly string[]).includes(f.kind)) {
    const r = await affectedCases(db, f.kind, slice, ev);
    rule = r.rule;
    rows = r.cases.map((c) => ({
      customerId: c.customerId,
      caseId: c.caseId,
      at: c.openedAt,
      what: `${c.reason} · ${c.channel}`,
      detail: [c.teams, c.detail].filter(Boolean).join(' · '),
      shows: c.shows,
    }));
  } else if ((f.kind === 'theme' || f.kind === 'driver') && slice.theme) {
    const driverKind = f.kind === 'driver' ? (str(ev.kind) ?? 'nps') : null;
    rows = await themeRows(db, slice.theme, ev, driverKind);
    rule =
      f.kind === 'theme'
        ? `negative comments mentioning ${slice.theme}`
        : `${driverKind?.toUpperCase()} answers whose comment mentions ${slice.theme}; detractors first`;
  } else if (members !== null) {
    // the people the analysis itself counted, kept with its run: exactly its customers affected
    const anonymous = members.filter((m) => m.customerId === null).length;
    rows = members.map((m) => ({
      customerId: m.customerId,
      caseId: null,
      at: m.at,
      what: m.what,
      detail: m.detail,
      shows: true,
      person: m.person,
    }));
    rule = `the people ${f.analysis} counted for this finding${anonymous > 0 ? ` (${anonymous} of them anonymous visitors, listed without a customer id)` : ''}`;
  } else if (slice.touchpoint) {
    rows = await touchpointRows(db, slice, ev);
    rule = `customers measured at ${slice.touchpoint}${slice.channel ? ` on ${slice.channel}` : ''} in the finding's period (the population its rate is measured on; anonymous visitors are not listed), first visits with a bad outcome first — the analysis does not store which of them ${f.kind === 'moment-of-truth' ? 'had the bad moment' : `showed the ${f.kind}`}`;
  } else {
    rule = 'this finding names no cases, comments or touchpoint to list';
    rows = [];
  }
  rows.sort((a, b) => Number(b.shows) - Number(a.shows));
  // a person is their customer id, or the analysis's person key for an anonymous visitor it counted
  const who = (r: AffectedRow) => r.customerId ?? (r.person ? `person:${r.person}` : null);
  const showing = new Set(rows.filter((r) => r.shows && who(r)).map(who));
  const all = new Set(rows.filter((r) => who(r)).map(who));
  const cases = new Set(rows.filter((r) => r.caseId).map((r) => r.caseId)).size;
  const reach = f.customersAffected;
  return {
    finding: { id: f.id, title: f.title, kind: f.kind, analysis: f.analysis, customersAffected: reach },
    rule,
    total: rows.length,
    customers: { showing: showing.size, all: all.size },
    cases,
    agrees: reach === null ? null : reach === showing.size || reach === all.size,
    offset: params.offset,
    limit: params.limit,
    rows: rows.slice(params.offset, params.offset + params.limit),
  };
}

export const affectedOperation = defineOperation({
  area: 'customers',
  verb: 'affected',
  summary: 'The customers and cases behind a finding, paged: who to call, which cases to read',
  params: AffectedParams,
  mode: 'read',
  positional: ['finding'],
  listField: 'rows',
  run: (db, params) => getAffected(db, params),
  present: (r): Section[] => [
    {
      text: `${r.finding.title}\n${r.rule}: ${r.total} rows, ${r.customers.showing} customers showing it${r.cases ? `, ${r.cases} cases` : ''}${r.finding.customersAffected !== null ? ` (the finding counts ${r.finding.customersAffected} customers affected)` : ''}`,
    },
    {
      title: `Rows ${r.offset + 1}–${r.offset + r.rows.length} of ${r.total}`,
      rows: r.rows.map((x) => ({
        customer: x.customerId ?? (x.person ? 'anonymous visitor' : ''),
        case: x.caseId ?? '',
        at: x.at,
        what: x.what,
        detail: x.detail,
        shows: x.shows,
      })),
    },
  ],
});
