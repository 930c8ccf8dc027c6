import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { CASE_EVENT_TYPES, type ImportReport, importRecords } from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { stateRules } from './case-log.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(CASE_EVENT_TYPES);

const pick = (r: Record<string, unknown>, ...names: string[]): unknown => {
  for (const n of names) if (r[n] !== undefined && r[n] !== null && r[n] !== '') return r[n];
  return undefined;
};
const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/**
 * Whether a ticket state closes the case: the one definition the case-log imports (XES,
 * ticket-audit: `DEFAULT_CLOSED_STATES`, overridable there with `--map closed_states=…`) and the
 * helpdesk webhook share.
 */
export const isClosedState: (state: string) => boolean = stateRules({}).closes;

/**
 * One helpdesk ticket change (a webhook call, in the ticket-audit fields of the cases capability:
 * ticket id, timestamp, state, group, agent, …) → the case it belongs to (fields present only) and
 * one case event. Common helpdesk spellings are accepted (`ticket_id`/`id`, `group`/`team`,
 * `assignee`/`agent`, `state`/`status`, `updated_at`/`timestamp`/`ts`). The event id is the
 * sender's `event_id`/`audit_id` when given, else derived from ticket, time and type, so a retried
 * webhook never duplicates.
 */
export function helpdeskChange(
  change: Record<string, unknown>,
  index = 0,
): { case: Record<string, unknown>; event: Record<string, unknown> } {
  const ticket = str(pick(change, 'ticket_id', 'case_id', 'id'));
  const ts = str(pick(change, 'ts', 'timestamp', 'updated_at', 'created_at'));
  const missing = [!ticket && 'ticket_id', !ts && 'timestamp'].filter(Boolean) as string[];
  if (missing.length > 0)
    throw new TouchpointError('invalid_input', `[${index}].${missing[0]}: required`, {
      details: missing.map((f) => ({ field: `[${index}].${f}`, message: 'required' })),
    });
  const status = str(pick(change, 'status', 'state'));
  const team = str(pick(change, 'team', 'group', 'assignment_group'));
  const agent = str(pick(change, 'agent', 'assignee', 'assigned_to'));
  const given = str(pick(change, 'type', 'event'));
  const lower = status?.toLowerCase();
  const type =
    given && EVENT_TYPES.has(given)
      ? given
      : lower === 'reopened'
        ? 'reopened'
        : lower && isClosedState(lower)
          ? 'closed'
          : lower === 'new' || lower === 'open' || lower === 'opened'
            ? change.previous_status === undefined && team === undefined
              ? 'opened'
              : 'status'
            : team !== undefined || agent !== undefined
              ? 'assigned'
              : status !== undefined
                ? 'status'
                : 'note';
  const caseRecord: Record<string, unknown> = {
    id: ticket,
    opened_at: str(pick(change, 'opened_at', 'ticket_created_at')) ?? ts,
  };
  const optional: [string, unknown][] = [
    ['customer_id', pick(change, 'customer_id', 'requester_id')],
    ['status', status],
    ['owner_team', team],
    ['owner_agent', agent],
    ['reason', pick(change, 'reason', 'category', 'contact_reason')],
    ['channel', pick(change, 'channel', 'via')],
    ['priority', pick(change, 'priority')],
    ['product', pick(change, 'product')],
    ['closed_at', type === 'closed' ? ts : undefined],
  ];
  for (const [k, v] of optional) if (v !== undefined) caseRecord[k] = str(v);
  const event: Record<string, unknown> = {
    id: str(pick(change, 'event_id', 'audit_id')) ?? `${ticket}@${ts}:${type}`,
    case_id: ticket,
    ts,
    type,
  };
  const evOptional: [string, unknown][] = [
    ['team', team],
    ['agent', agent],
    ['status', status],
    ['channel', pick(change, 'channel', 'via')],
    ['transfer_reason', pick(change, 'transfer_reason', 'reassignment_reason')],
    ['promised_at', pick(change, 'promised_at', 'due_at')],
    ['note', pick(change, 'note', 'comment')],
  ];
  for (const [k, v] of evOptional) if (v !== undefined) event[k] = str(v);
  return { case: caseRecord, event };
}

/**
 * Helpdesk ticket changes → the records to import: each ticket's case, merged to its latest state
 * within the call (fields present only), and one case event per change.
 */
export function helpdeskRecords(changes: readonly Record<string, unknown>[]): {
  cases: Record<string, unknown>[];
  caseEvents: Record<string, unknown>[];
} {
  const mapped = changes.map((c, i) => helpdeskChange(c, i));
  const cases = new Map<string, Record<string, unknown>>();
  for (const c of mapped) {
    const id = String(c.case.id);
    cases.set(id, { ...(cases.get(id) ?? {}), ...c.case });
  }
  return { cases: [...cases.values()], caseEvents: mapped.map((c) => c.event) };
}

/** Imports helpdesk ticket changes in one transaction: an invalid event leaves no case behind either. */
export async function importHelpdeskChanges(
  db: Store,
  changes: readonly Record<string, unknown>[],
  source: string,
): Promise<{ cases: ImportReport; caseEvents: ImportReport }> {
  const r = helpdeskRecords(changes);
  return db.transaction(async (tx) => ({
    cases: await importRecords(tx, 'cases', r.cases, { source }),
    caseEvents: await importRecords(tx, 'case-events', r.caseEvents, { source }),
  }));
}

/** Ticket changes as text: a JSON array, `{"records": [...]}`, one object, or NDJSON lines. */
function parseChanges(text: string): Record<string, unknown>[] {
  const bad = (field: string, message: string) =>
    new TouchpointError('invalid_input', `${field}: ${message}`, { details: [{ field, message }] });
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch (e) {
          throw bad(`line ${i + 1}`, `not JSON (${(e as Error).message})`);
        }
      });
  }
  if (list && typeof list === 'object' && !Array.isArray(list))
    list = Array.isArray((list as { records?: unknown }).records)
      ? (list as { records: unknown[] }).records
      : [list];
  const arr = list as unknown[];
  if (arr.length === 0) throw bad('text', 'no ticket changes');
  arr.forEach((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r))
      throw bad(`[${i}]`, 'each ticket change is a JSON object');
  });
  return arr as Record<string, unknown>[];
}

export const helpdeskEventsOperation = defineOperation({
  area: 'cases',
  verb: 'helpdesk-events',
  summary:
    'Import helpdesk ticket changes (what the helpdesk webhook receives: JSON array or NDJSON) as cases and case events, in one transaction',
  params: z.strictObject({
    file: z.string().optional().describe('a JSON or NDJSON file of ticket changes (CLI)'),
    text: z
      .string()
      .max(10 * 1024 * 1024)
      .optional()
      .describe('the ticket changes as text'),
  }),
  mode: 'write',
  permission: 'ingest',
  positional: ['file'],
  fileInputs: { file: 'text' },
  async run(db, p, ctx) {
    if (p.text === undefined)
      throw new TouchpointError('invalid_input', 'text: give a FILE of ticket changes (or text)', {
        details: [{ field: 'text', message: 'required' }],
      });
    return importHelpdeskChanges(db, parseChanges(p.text), `helpdesk:${ctx.actor ?? 'unknown'}`);
  },
  present: (r) => [
    {
      text: `Cases: ${r.cases.rowsStored} new, ${r.cases.rowsUpdated} updated. Case events: ${r.caseEvents.rowsStored} new, ${r.caseEvents.duplicates} already there (import ${r.caseEvents.importId}).`,
    },
  ],
});
