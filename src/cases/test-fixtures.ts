import { join } from 'node:path';
import type { CaseEventType } from '../ingest/index.js';
import { type Store, sql } from '../store/index.js';

/** ../shared/data beside the repository (CI clones it there), or TOUCHPOINT_DATA. */
const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
/** The real ServiceNow incident audit log (UCI 498), read by servicenow.test.ts and xes-servicenow.test.ts. */
export const SERVICENOW_FILE = join(DATA, 'servicenow-incidents/incident_event_log.csv.gz');
/** The documented recipe (docs/cases.md, docs/import.md): servicenow.test.ts checks both docs show it. */
export const SERVICENOW_MAP = {
  case_id: 'number',
  ts: 'sys_updated_at',
  order: 'sys_mod_count',
  state: 'ident_state',
  team: 'assignment_group',
  agent: 'assigned_to',
  opened_at: 'opened_at',
  customer_id: 'caller_id',
  reason: 'category',
  channel: 'contact_type',
  priority: 'priority',
  date_format: 'dmy',
  na: '?',
} as const;

/** A compact case for fixtures: `chain` lists events as `type:team/agent@hour` from the opening day. */
export interface FixtureCase {
  readonly id: string;
  readonly customer?: string;
  readonly reason?: string;
  readonly channel?: string;
  readonly product?: string;
  readonly opened: string;
  readonly closedAt?: string;
  readonly events: readonly FixtureEvent[];
}

export interface FixtureEvent {
  readonly at: string;
  readonly type: CaseEventType;
  readonly team?: string;
  readonly agent?: string;
  readonly reason?: string;
  readonly promised?: string;
}

/** Inserts teams (id → tier), cases and their events. */
export async function loadCases(
  db: Store,
  cases: readonly FixtureCase[],
  teams: Readonly<Record<string, number>> = {},
): Promise<void> {
  for (const [id, tier] of Object.entries(teams)) {
    await db.exec(sql`INSERT INTO teams (id, name, tier) VALUES (${id}, ${`Team ${id}`}, ${tier})`);
  }
  for (const c of cases) {
    await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, closed_at, channel, reason, product, status)
      VALUES (${c.id}, ${c.customer ?? `cust-${c.id}`}, ${c.opened}::TIMESTAMP, ${c.closedAt ?? null}::TIMESTAMP,
        ${c.channel ?? 'phone'}, ${c.reason ?? 'billing'}, ${c.product ?? null}, 'open')`);
    let i = 0;
    for (const e of c.events) {
      i++;
      await db.exec(sql`INSERT INTO case_events (id, case_id, ts, seq, type, team, agent, transfer_reason, promised_at)
        VALUES (${`${c.id}-${i}`}, ${c.id}, ${e.at}::TIMESTAMP, ${i}, ${e.type}, ${e.team ?? null}, ${e.agent ?? null},
          ${e.reason ?? null}, ${e.promised ?? null}::TIMESTAMP)`);
    }
  }
}

/** `2026-01-01 HH:00` for hour offsets, so fixtures read as hours from the start. */
export const h = (hours: number, day = '2026-01-01'): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMinutes(Math.round(hours * 60));
  return d.toISOString().replace('T', ' ').replace('Z', '');
};

/** The definition fixtures of docs/cases.md, each with its hand-computed answer. */
export const DEFINITION_CASES: readonly FixtureCase[] = [
  {
    // A→B→A→B: 3 team handoffs, 2 returns; A tier 1 → B tier 2 twice = 2 escalations
    id: 'k1',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(1), type: 'assigned', team: 'B', agent: 'b1', reason: 'no permission in the billing system' },
      { at: h(3), type: 'assigned', team: 'A', agent: 'a2' },
      { at: h(4), type: 'assigned', team: 'B', agent: 'b1' },
      { at: h(6), type: 'note' },
      { at: h(8), type: 'closed' },
    ],
  },
  {
    // self-transfer: A/a1 → A/a1 counts as nothing
    id: 'k2',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(1), type: 'assigned', team: 'A', agent: 'a1' },
      { at: h(2), type: 'update_sent' },
      { at: h(3), type: 'closed' },
    ],
  },
  {
    // same team, other agents: a1 → a2 (1), back to queue (0), a2 again (0), a3 (1) = 2
    id: 'k3',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(1), type: 'assigned', team: 'A', agent: 'a2' },
      { at: h(2), type: 'assigned', team: 'A' },
      { at: h(3), type: 'assigned', team: 'A', agent: 'a2' },
      { at: h(4), type: 'assigned', agent: 'a3' },
      { at: h(5), type: 'closed' },
    ],
  },
  {
    // reopened: one case, two resolutions; one handoff timed 25h → 30h = 5h
    id: 'k4',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(1), type: 'closed' },
      { at: h(24), type: 'reopened' },
      { at: h(25), type: 'assigned', team: 'B', agent: 'b1' },
      { at: h(30), type: 'closed' },
    ],
  },
  {
    // still open, waiting in B's queue: 1 handoff, not timed, no FCR value
    id: 'k5',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(2), type: 'assigned', team: 'B' },
    ],
  },
  // no events at all, closed in the cases table: closed, one resolution, FCR
  { id: 'k6', opened: h(0), closedAt: h(2), events: [] },
  {
    // reopened and still open: 1 resolution so far
    id: 'k7',
    opened: h(0),
    events: [
      { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
      { at: h(1), type: 'closed' },
      { at: h(5), type: 'reopened' },
    ],
  },
];

export const TEAM_TIERS = { A: 1, B: 2, C: 2 } as const;

/**
 * A closed case walking through `teams` ('A B A' = opened at A, then B, then back to A), one hour
 * apart, each team with its own agent (a1, b1 …); `reopen` closes, reopens and closes again.
 */
export function walk(
  id: string,
  reason: string,
  teams: string,
  o: { reopen?: boolean; open?: boolean; transferReason?: string; customer?: string; day?: string } = {},
): FixtureCase {
  const list = teams.split(' ').filter(Boolean);
  const day = o.day ?? '2026-01-01';
  const events: FixtureEvent[] = list.map((team, i) => ({
    at: h(i, day),
    type: i === 0 ? 'opened' : 'assigned',
    team,
    agent: `${team.toLowerCase()}1`,
    ...(i > 0 && o.transferReason ? { reason: o.transferReason } : {}),
  }));
  const t = list.length;
  if (o.reopen) events.push({ at: h(t, day), type: 'closed' }, { at: h(t + 1, day), type: 'reopened' });
  if (!o.open) events.push({ at: h(t + 2, day), type: 'closed' });
  return { id, reason, opened: h(0, day), events, ...(o.customer ? { customer: o.customer } : {}) };
}
