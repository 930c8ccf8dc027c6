import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { CASE_EVENT_TYPES, parseIsoTimestamp } from '../ingest/index.js';

/**
 * Shared shape of the case-log readers (XES, ticket audit): canonical records for
 * `importRecords(db, 'cases' | 'case-events', …)`, with the line each came from.
 */
export interface CaseLog {
  readonly cases: Record<string, unknown>[];
  readonly caseEvents: Record<string, unknown>[];
  /** Line in the file of each case event (same index), for error messages. */
  readonly eventLines: number[];
  readonly caseLines: number[];
  /** Notes a person should read (defaults taken, rows ignored and why). */
  readonly notes: string[];
}

export interface CaseLogOptions {
  /** Canonical field → attribute / column name (see docs/cases.md for each format's defaults). */
  readonly map?: Readonly<Record<string, string>>;
  readonly onProgress?: (p: Progress) => void;
  /** Name shown in errors (default: the path). */
  readonly source?: string;
}

/** One observation of a case at an instant, before event types are inferred. */
export interface Observation {
  readonly caseId: string;
  readonly ts: number;
  readonly line: number;
  readonly team: string | null;
  readonly agent: string | null;
  /** The activity / state name (e.g. "Assign", "Resolved"). */
  readonly activity: string | null;
  /** An explicit case event type when the source records one. */
  readonly type: string | null;
  /** The case's state after this observation (ticket logs), read with the resolved-state rule. */
  readonly state?: string | null;
  /** A sort key among observations at the same instant (e.g. a modification counter); then file order. */
  readonly order?: number | null;
  readonly transferReason: string | null;
  readonly properties: Record<string, unknown> | null;
}

export interface CaseAttributes {
  readonly opened_at?: number | null;
  readonly customer_id?: string | null;
  readonly reason?: string | null;
  readonly channel?: string | null;
  readonly product?: string | null;
  readonly priority?: string | null;
  readonly properties?: Record<string, unknown> | null;
}

const TYPES: ReadonlySet<string> = new Set(CASE_EVENT_TYPES);

/** Default activity rules, in order; the first match names the type. */
export const ACTIVITY_RULES: readonly (readonly [RegExp, string])[] = [
  [/re-?open/i, 'reopened'],
  [/\bclos(e|ed|ure|ing)\b/i, 'closed'],
  [
    /(update|notif|inform|e-?mail|message|reply|respond|call ?back) .*customer|customer (update|notif)|send update|update sent/i,
    'update_sent',
  ],
  [/customer (contact|call|reply|chase)|inbound|caller/i, 'customer_contact'],
  [/\bnote\b|comment|work ?log/i, 'note'],
];

export function parseTime(value: string, where: { source: string; line: number; field: string }): number {
  const ms = parseIsoTimestamp(value);
  if (ms === undefined)
    throw new TouchpointError(
      'invalid_input',
      `${where.source}:${where.line}: ${where.field}: not an ISO-8601 time: ${JSON.stringify(value)}`,
      {
        details: [
          {
            file: where.source,
            line: where.line,
            field: where.field,
            message: `not an ISO-8601 time: ${value}`,
          },
        ],
      },
    );
  return ms;
}

/**
 * Turns the observations of each case, in time order, into case events and a case row:
 * the first observation opens the case; an explicit type wins; otherwise an observation whose team or
 * agent differs from the case's current holder is an `assigned` event (a handoff or pickup); otherwise
 * the activity rules name it (reopen, close, update sent, customer contact, note), else `status`.
 * A case is closed when its last closed/reopened event is a close.
 */
export const DEFAULT_RESOLVED_STATES = /resolv|clos|solved|done|complete|cancel/i;

export function buildCaseLog(
  observations: Observation[],
  caseAttrs: ReadonlyMap<string, CaseAttributes & { line: number }>,
  notes: string[] = [],
  resolvedStates: RegExp = DEFAULT_RESOLVED_STATES,
): CaseLog {
  observations.sort((a, b) =>
    a.caseId < b.caseId
      ? -1
      : a.caseId > b.caseId
        ? 1
        : a.ts - b.ts || (a.order ?? 0) - (b.order ?? 0) || a.line - b.line,
  );
  const caseEvents: Record<string, unknown>[] = [];
  const eventLines: number[] = [];
  const cases: Record<string, unknown>[] = [];
  const caseLines: number[] = [];
  let i = 0;
  while (i < observations.length) {
    const caseId = observations[i]!.caseId;
    let team: string | null = null;
    let agent: string | null = null;
    let seq = 0;
    let closedAt: number | null = null;
    let firstLine = observations[i]!.line;
    const openedAt = observations[i]!.ts;
    let resolved = false;
    const push = (o: Observation, type: string) => {
      seq++;
      if (type === 'opened' || type === 'assigned') {
        if (o.team !== null) team = o.team;
        if (o.agent !== null) agent = o.agent;
      }
      if (type === 'closed') closedAt = o.ts;
      if (type === 'reopened') closedAt = null;
      caseEvents.push({
        id: `${caseId}#${seq}`,
        case_id: caseId,
        ts: new Date(o.ts).toISOString(),
        seq,
        type,
        team: o.team,
        agent: o.agent,
        status: o.state ?? o.activity,
        transfer_reason: type === 'assigned' ? o.transferReason : null,
        properties: o.properties,
      });
      eventLines.push(o.line);
    };
    for (; i < observations.length && observations[i]!.caseId === caseId; i++) {
      const o = observations[i]!;
      firstLine = Math.min(firstLine, o.line);
      const moved = (o.team !== null && o.team !== team) || (o.agent !== null && o.agent !== agent);
      if (seq === 0) {
        push(o, o.type && TYPES.has(o.type) ? o.type : 'opened');
        if (o.state) resolved = resolvedStates.test(o.state);
        if (resolved) push(o, 'closed');
        continue;
      }
      if (o.type && TYPES.has(o.type)) {
        push(o, o.type);
        continue;
      }
      let stateType: string | null = null;
      if (o.state) {
        const isResolved = resolvedStates.test(o.state);
        if (isResolved && !resolved) stateType = 'closed';
        else if (!isResolved && resolved) stateType = 'reopened';
        resolved = isResolved;
      }
      // a reopen goes first (the case is active again), a close last (after a final reassignment)
      if (stateType === 'reopened') push(o, 'reopened');
      if (moved) push(o, 'assigned');
      if (stateType === 'closed') push(o, 'closed');
      if (!stateType && !moved) {
        const rule = ACTIVITY_RULES.find(([re]) => o.activity !== null && re.test(o.activity));
        push(o, o.state ? 'status' : (rule?.[1] ?? 'status'));
      }
    }
    const a = caseAttrs.get(caseId);
    cases.push({
      id: caseId,
      opened_at: new Date(Math.min(openedAt, caseAttrs.get(caseId)?.opened_at ?? openedAt)).toISOString(),
      closed_at: closedAt === null ? null : new Date(closedAt).toISOString(),
      status: closedAt === null ? 'open' : 'closed',
      customer_id: a?.customer_id ?? null,
      reason: a?.reason ?? null,
      channel: a?.channel ?? null,
      product: a?.product ?? null,
      priority: a?.priority ?? null,
      properties: a?.properties ?? null,
    });
    caseLines.push(a?.line ?? firstLine);
  }
  return { cases, caseEvents, eventLines, caseLines, notes };
}
