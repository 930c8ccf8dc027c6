import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { parseTime as parseInstant } from '../core/time.js';
import { CASE_EVENT_TYPES } from '../ingest/index.js';

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
  /** Cases that end closed and open, and cases reopened at least once. */
  readonly summary: { readonly closed: number; readonly open: number; readonly reopened: number };
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

/** A log's time (src/core/time.ts: ISO 8601; without an offset, UTC), or an error naming file, line and field. */
export function parseTime(value: string, where: { source: string; line: number; field: string }): number {
  const t = parseInstant(value);
  if (!t.ok)
    throw new TouchpointError(
      'invalid_input',
      `${where.source}:${where.line}: ${where.field}: ${t.message}`,
      { details: [{ file: where.source, line: where.line, field: where.field, message: t.message }] },
    );
  return t.ms;
}

/** States that close a case unless the mapping names others (`--map closed_states=…`), compared case-insensitively. */
export const DEFAULT_CLOSED_STATES: readonly string[] = [
  'closed',
  'resolved',
  'solved', // Zendesk
  'completed',
  'complete',
  'done',
  'cancelled',
  'canceled',
];

/**
 * Which states close a case and which reopen it. A state entering the closing states closes the case;
 * after a close, a state that is not a closing one reopens it when it is one of `reopen` (every
 * non-closing state when `reopen` is null, the default). A move between two closing states
 * (Resolved → Closed) is neither: one resolution.
 */
export interface StateRules {
  readonly closes: (state: string) => boolean;
  readonly reopens: (state: string) => boolean;
  /** How the rules were given, for the import's notes and `imports.options`. */
  readonly described: string;
}

/** The `--map` keys that configure state rules (every case-log format takes them). */
export const STATE_RULE_KEYS = ['closed_states', 'reopen_states', 'resolved'] as const;

const stateList = (text: string): Set<string> =>
  new Set(
    text
      .split('|')
      .map((x) => x.trim().toLowerCase())
      .filter((x) => x !== ''),
  );

/**
 * State rules from the mapping: `closed_states=a|b|c` and `reopen_states=x|y` (exact names,
 * case-insensitive), or `resolved=REGEX` (a regular expression naming the closing states, kept for
 * older recipes). Defaults: DEFAULT_CLOSED_STATES close; any other state after a close reopens.
 */
export function stateRules(map: Readonly<Record<string, string>>): StateRules {
  if (map.closed_states !== undefined && map.resolved !== undefined)
    throw new TouchpointError(
      'invalid_input',
      '--map: give closed_states (a list) or resolved (a regular expression), not both',
    );
  let closes: (s: string) => boolean;
  let described: string;
  if (map.resolved !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(map.resolved, 'i');
    } catch {
      throw new TouchpointError('invalid_input', `--map resolved: not a regular expression: ${map.resolved}`);
    }
    closes = (s) => re.test(s);
    described = `closing states match /${map.resolved}/i`;
  } else {
    const set =
      map.closed_states !== undefined ? stateList(map.closed_states) : new Set(DEFAULT_CLOSED_STATES);
    if (set.size === 0)
      throw new TouchpointError('invalid_input', '--map closed_states: name at least one state (a|b|c)');
    closes = (s) => set.has(s.trim().toLowerCase());
    described = `closing states ${[...set].join('|')}`;
  }
  let reopens: (s: string) => boolean = () => true;
  if (map.reopen_states !== undefined) {
    const set = stateList(map.reopen_states);
    if (set.size === 0)
      throw new TouchpointError('invalid_input', '--map reopen_states: name at least one state (a|b|c)');
    const both = [...set].filter((s) => closes(s));
    if (both.length > 0)
      throw new TouchpointError(
        'invalid_input',
        `--map reopen_states: ${both.join(', ')} also close${both.length === 1 ? 's' : ''} a case`,
      );
    reopens = (s) => set.has(s.trim().toLowerCase());
    described += `; reopening states ${[...set].join('|')}`;
  } else described += '; any other state after a close reopens';
  return { closes, reopens, described };
}

/**
 * Refuses a `--map` key that the format does not know (it would otherwise be dropped without a word),
 * naming the keys it takes and the closest one.
 */
export function checkMapKeys(
  map: Readonly<Record<string, string>>,
  known: readonly string[],
  format: string,
): void {
  for (const k of Object.keys(map)) {
    if (known.includes(k)) continue;
    const near = known.map((x) => [x, editDistance(k, x)] as const).sort((a, b) => a[1] - b[1])[0];
    const hint =
      near && near[1] <= Math.max(2, Math.floor(k.length / 3)) ? ` (did you mean ${near[0]}?)` : '';
    throw new TouchpointError(
      'invalid_input',
      `--map ${k}: not a key of ${format} logs${hint}; keys: ${known.join(', ')}`,
    );
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

/**
 * Turns the observations of each case, in time order, into case events and a case row:
 * the first observation opens the case; an explicit type wins; otherwise a state entering the
 * closing states closes it and a reopening state after a close reopens it (StateRules); an
 * observation whose team or agent differs from the case's current holder is an `assigned` event (a
 * handoff or pickup); otherwise the activity rules name it (reopen, close, update sent, customer
 * contact, note), else `status`. A case is closed when its last closed/reopened event is a close;
 * `summary` counts the cases that end closed and open.
 */
export function buildCaseLog(
  observations: Observation[],
  caseAttrs: ReadonlyMap<string, CaseAttributes & { line: number }>,
  notes: string[] = [],
  rules: StateRules = stateRules({}),
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
        if (o.state) resolved = rules.closes(o.state);
        if (resolved) push(o, 'closed');
        continue;
      }
      if (o.type && TYPES.has(o.type)) {
        push(o, o.type);
        continue;
      }
      let stateType: string | null = null;
      if (o.state) {
        const closes = rules.closes(o.state);
        if (closes && !resolved) {
          stateType = 'closed';
          resolved = true;
        } else if (!closes && resolved && rules.reopens(o.state)) {
          stateType = 'reopened';
          resolved = false;
        }
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
  const closed = cases.filter((c) => c.status === 'closed').length;
  const reopened = new Set(caseEvents.filter((e) => e.type === 'reopened').map((e) => e.case_id)).size;
  return {
    cases,
    caseEvents,
    eventLines,
    caseLines,
    notes,
    summary: { closed, open: cases.length - closed, reopened },
  };
}
