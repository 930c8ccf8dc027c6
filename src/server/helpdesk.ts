import { TouchpointError } from '../core/errors.js';
import { CASE_EVENT_TYPES } from '../ingest/index.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(CASE_EVENT_TYPES);

const pick = (r: Record<string, unknown>, ...names: string[]): unknown => {
  for (const n of names) if (r[n] !== undefined && r[n] !== null && r[n] !== '') return r[n];
  return undefined;
};
const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

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
      : lower && /^(closed|solved|resolved)$/.test(lower)
        ? 'closed'
        : lower === 'reopened'
          ? 'reopened'
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
