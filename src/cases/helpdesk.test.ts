import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../server/test-harness.js';
import { sql, withTestDb } from '../store/index.js';
import { helpdeskRecords, importHelpdeskChanges } from './helpdesk.js';
import { readCaseEventsFile } from './import-case-log.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-helpdesk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ticket states a helpdesk sends, some closing a case and some not. */
const STATES = [
  'Solved',
  'resolved',
  'Closed',
  'Done',
  'Cancelled',
  'Completed',
  'pending',
  'On hold',
  'In Progress',
];

describe('the helpdesk webhook and the ticket-audit import: one idea of a closed ticket', () => {
  it('a state closes a case through the webhook exactly when it does in a ticket-audit file', async () => {
    // the same story per state: opened as New at 08:00, moved to the state at 10:00
    const file = join(dir, 'audit.csv');
    writeFileSync(
      file,
      [
        'ticket_id,timestamp,state',
        ...STATES.flatMap((s, i) => [`T${i},2026-03-01T08:00:00Z,New`, `T${i},2026-03-01T10:00:00Z,${s}`]),
      ].join('\n'),
    );
    const audit = await readCaseEventsFile(file, { format: 'ticket-audit' });
    const auditClosed = new Set(audit.caseEvents.filter((e) => e.type === 'closed').map((e) => e.case_id));
    const hook = helpdeskRecords(
      STATES.flatMap((s, i) => [
        { ticket_id: `T${i}`, timestamp: '2026-03-01T08:00:00Z', status: 'new' },
        { ticket_id: `T${i}`, timestamp: '2026-03-01T10:00:00Z', status: s },
      ]),
    );
    const hookClosed = new Set(hook.caseEvents.filter((e) => e.type === 'closed').map((e) => e.case_id));
    expect([...hookClosed].sort()).toEqual([...auditClosed].sort());
    // and the states that close are the six named, not the three that do not
    expect([...hookClosed].sort()).toEqual(['T0', 'T1', 'T2', 'T3', 'T4', 'T5']);
    expect(hook.cases.filter((c) => c.closed_at).map((c) => c.id)).toEqual([
      'T0',
      'T1',
      'T2',
      'T3',
      'T4',
      'T5',
    ]);
  });

  it('imports in one transaction: a bad event leaves no case behind; a retry stores nothing twice', async () => {
    await withTestDb(async (db) => {
      const count = async () =>
        (await db.one<{ n: number }>(
          sql`SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM case_events) AS n`,
        ))!.n;
      const good = { ticket_id: 'H1', timestamp: '2026-03-01T08:00:00Z', status: 'new', group: 'Front' };
      const bad = { ticket_id: 'H2', timestamp: '2026-02-30T08:00:00Z', status: 'new' };
      const err = await importHelpdeskChanges(db, [good, bad], 'test').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect(await count()).toBe(0);
      const r = await importHelpdeskChanges(db, [good], 'test');
      expect([r.cases.rowsStored, r.caseEvents.rowsStored]).toEqual([1, 1]);
      const again = await importHelpdeskChanges(db, [good], 'test');
      expect(again.caseEvents.rowsStored).toBe(0);
      expect(await count()).toBe(2);
    });
  });

  it('is `touchpoint cases helpdesk-events FILE` (NDJSON), and a bad line is one line naming it', async () => {
    const ws = join(dir, 'ws.duckdb');
    const customers = join(dir, 'customers.csv');
    writeFileSync(customers, 'id,name\nc1,Ann\n');
    expect((await runCli(['import', 'customers', customers, '--db', ws])).code).toBe(0);
    const file = join(dir, 'changes.ndjson');
    writeFileSync(
      file,
      [
        { ticket_id: 'W1', timestamp: '2026-03-01T08:00:00Z', status: 'new', customer_id: 'c1' },
        { ticket_id: 'W1', timestamp: '2026-03-01T09:00:00Z', group: 'Tech', agent: 'tom' },
        { ticket_id: 'W1', timestamp: '2026-03-01T11:00:00Z', status: 'Solved' },
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    const r = await runCli(['cases', 'helpdesk-events', file, '--db', ws, '--json']);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { cases: { rowsStored: number }; caseEvents: { rowsStored: number } };
    expect([out.cases.rowsStored, out.caseEvents.rowsStored]).toEqual([1, 3]);
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, `${JSON.stringify({ ticket_id: 'W2', timestamp: '2026-03-01' })}\n{"ticket_id": `);
    const b = await runCli(['cases', 'helpdesk-events', broken, '--db', ws]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/line 2: not JSON/);
  }, 60_000);
});
