import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOperation } from '../operations.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { stateRules } from './case-log.js';
import { ExportParams, exportCases } from './export.js';
import { getHandoffs, HandoffsParams } from './handoffs.js';
import { readCaseEventsFile } from './import-case-log.js';

/**
 * Case state from the log (docs/cases.md "Case states"): the state attribute a mapping names closes and
 * reopens cases, in XES and ticket-audit logs alike; unknown `--map` keys are refused; a dry run
 * stores nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'tp-states-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ev = (name: string, status: string, group: string, at: string) => `    <event>
      <string key="concept:name" value="${name}"/>
      <string key="lifecycle:transition" value="${status}"/>
      <string key="org:group" value="${group}"/>
      <date key="time:timestamp" value="${at}"/>
    </event>`;

/**
 * Three incidents (hand-made, in the shape of a service-desk XES log: the status in an attribute of
 * its own, activity names that say nothing about closing):
 * - S1: Front, resolved 4 h after opening, never reopened, one team → FCR, resolution 4 h;
 * - S2: Front → Tech (a handoff), resolved at +10 h, REOPENED (In Progress) at +24 h, closed at +30 h
 *   → two resolutions, reopened, not FCR, resolution 30 h (opening to final closure);
 * - S3: still in progress → open, no FCR value.
 * Hand-computed: closed 2 of 3; FCR 1 of 2 closed; reopen rate 1 of 2 resolved at least once.
 */
const XES = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace>
    <string key="concept:name" value="S1"/>
${ev('Accepted', 'In Progress', 'Front', '2026-02-01T08:00:00Z')}
${ev('Completed', 'Resolved', 'Front', '2026-02-01T12:00:00Z')}
  </trace>
  <trace>
    <string key="concept:name" value="S2"/>
${ev('Accepted', 'In Progress', 'Front', '2026-02-01T08:00:00Z')}
${ev('Queued', 'Awaiting Assignment', 'Tech', '2026-02-01T09:00:00Z')}
${ev('Completed', 'RESOLVED', 'Tech', '2026-02-01T18:00:00Z')}
${ev('Accepted', 'In Progress', 'Tech', '2026-02-02T08:00:00Z')}
${ev('Completed', 'Closed', 'Tech', '2026-02-02T14:00:00Z')}
  </trace>
  <trace>
    <string key="concept:name" value="S3"/>
${ev('Accepted', 'In Progress', 'Front', '2026-02-03T08:00:00Z')}
  </trace>
</log>
`;

const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const counts = async (db: Store) =>
  db.one<{ cases: number; events: number; imports: number }>(
    sql`SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events,
      (SELECT count(*) FROM imports) AS imports`,
  );

describe('XES: the state attribute closes and reopens cases', () => {
  it('without a state mapping every case stays open, and the import line says why', async () => {
    const f = file('nostate.xes', XES);
    const log = await readCaseEventsFile(f);
    expect(log.summary).toEqual({ closed: 0, open: 3, reopened: 0 });
    const op = findOperation('import', 'case-events')!;
    const lines: string[] = [];
    await withTestDb(async (db) => {
      await op.run(db, op.params.parse({ file: f }), { log: (l) => lines.push(l) });
    });
    expect(lines.find((l) => l.startsWith('cases:'))).toMatch(
      /in the file 0 end closed, 3 open — no state closed a case: map the state with --map state=ATTRIBUTE/,
    );
  });

  it('with --map state=lifecycle:transition: closed, reopened and open cases; FCR, reopen rate and resolution time work', async () => {
    const f = file('states.xes', XES);
    const op = findOperation('import', 'case-events')!;
    const lines: string[] = [];
    await withTestDb(async (db) => {
      await op.run(db, op.params.parse({ file: f, map: 'state=lifecycle:transition' }), {
        log: (l) => lines.push(l),
      });
      expect(lines.find((l) => l.startsWith('cases:'))).toMatch(
        /^cases: 3 stored, 0 updated \(import imp-[^)]+\); in the file 2 end closed, 1 open, 1 reopened at least once$/,
      );
      const events = await db.all<{ case_id: string; type: string; status: string }>(
        sql`SELECT case_id, type, status FROM case_events WHERE case_id = 'S2' ORDER BY ts, seq`,
      );
      expect(events.map((e) => [e.type, e.status])).toEqual([
        ['opened', 'In Progress'],
        ['assigned', 'Awaiting Assignment'],
        ['closed', 'RESOLVED'], // case-insensitive
        ['reopened', 'In Progress'],
        ['closed', 'Closed'],
      ]);
      const cases = await db.all<{ id: string; status: string; closed_at: Date | null }>(
        sql`SELECT id, status, closed_at FROM cases ORDER BY id`,
      );
      expect(cases.map((c) => [c.id, c.status, c.closed_at === null])).toEqual([
        ['S1', 'closed', false],
        ['S2', 'closed', false],
        ['S3', 'open', true],
      ]);
      const h = await getHandoffs(db, HandoffsParams.parse({}));
      expect(h.totals).toMatchObject({ cases: 3, openCases: 1, resolutions: 3, teamHandoffs: 1 });
      expect([h.totals.fcr.k, h.totals.fcr.n]).toEqual([1, 2]);
      expect([h.totals.reopen.k, h.totals.reopen.n]).toEqual([1, 2]);
      const rows = await exportCases(db, ExportParams.parse({}));
      expect(rows.map((r) => [r.case_id, r.status, r.reopens, r.resolution_hours])).toEqual([
        ['S1', 'closed', 0, 4],
        ['S2', 'closed', 1, 30],
        ['S3', 'open', 0, null],
      ]);
    });
  });

  it('closing and reopening states are configurable (exact names, case-insensitive)', async () => {
    const f = file('custom.xes', XES);
    // only "closed" closes: S1 (Resolved) stays open, S2 closes once at Closed
    const onlyClosed = await readCaseEventsFile(f, {
      map: { state: 'lifecycle:transition', closed_states: 'CLOSED' },
    });
    expect(onlyClosed.summary).toEqual({ closed: 1, open: 2, reopened: 0 });
    // only "Reopened" reopens: S2's "In Progress" after Resolved is a status change, one resolution
    const log = await readCaseEventsFile(f, {
      map: { state: 'lifecycle:transition', reopen_states: 'reopened' },
    });
    expect(log.summary).toEqual({ closed: 2, open: 1, reopened: 0 });
    expect(log.caseEvents.filter((e) => e.case_id === 'S2').map((e) => e.type)).toEqual([
      'opened',
      'assigned',
      'closed',
      'status',
      'status', // Closed after Resolved: neither
    ]);
    expect(log.cases.find((c) => c.id === 'S2')).toMatchObject({
      status: 'closed',
      closed_at: '2026-02-01T18:00:00.000Z',
    });
  });

  it.each([
    [
      { stat: 'lifecycle:transition' },
      /--map stat: not a key of xes logs \(did you mean state\?\); keys: case_id, /,
    ],
    [{ closed_states: 'done', resolved: 'done' }, /closed_states \(a list\) or resolved/],
    [{ closed_states: 'closed', reopen_states: 'Closed' }, /reopen_states: closed also closes a case/],
    [{ closed_states: ' | ' }, /closed_states: name at least one state/],
  ])('refuses a bad mapping %j with one line', async (map, message) => {
    const f = file('refuse.xes', XES);
    await expect(readCaseEventsFile(f, { map })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(message),
    });
  });

  it('the default closing states are the documented ones', () => {
    const r = stateRules({});
    expect(['closed', 'Resolved', 'COMPLETED', 'done', 'Cancelled', 'canceled'].every(r.closes)).toBe(true);
    // exact names: a state that merely contains one is not a closure
    expect(['In Progress', 'Awaiting Closure', 'not done', 'Solved?'].some(r.closes)).toBe(false);
    expect(r.reopens('anything')).toBe(true);
  });
});

describe('ticket-audit: the same state rules, and unknown keys refused', () => {
  const AUDIT = [
    'ticket,ts,state,group',
    'A,2026-03-01T08:00:00Z,New,Front',
    'A,2026-03-01T09:00:00Z,Done,Front',
    'A,2026-03-02T09:00:00Z,Waiting,Front',
    'A,2026-03-02T10:00:00Z,Reopened,Front',
    'A,2026-03-02T11:00:00Z,Done,Front',
  ].join('\n');

  it('reopens only on a reopening state when reopen_states names them', async () => {
    const f = file('audit.csv', AUDIT);
    const dflt = await readCaseEventsFile(f, { format: 'ticket-audit' });
    expect(dflt.caseEvents.map((e) => e.type)).toEqual(['opened', 'closed', 'reopened', 'status', 'closed']);
    const named = await readCaseEventsFile(f, { format: 'ticket-audit', map: { reopen_states: 'reopened' } });
    expect(named.caseEvents.map((e) => e.type)).toEqual(['opened', 'closed', 'status', 'reopened', 'closed']);
  });

  it('refuses an unknown --map key through the import verb, storing nothing', async () => {
    const f = file('audit2.csv', AUDIT);
    const op = findOperation('import', 'case-events')!;
    await withTestDb(async (db) => {
      const err = await op
        .run(db, op.params.parse({ file: f, format: 'ticket-audit', map: 'team=group,sate=state' }), {})
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect((err as Error).message).toMatch(
        /^--map sate: not a key of ticket-audit logs \(did you mean state\?\)/,
      );
      expect((err as Error).message).not.toContain('\n');
      expect(await counts(db)).toEqual({ cases: 0, events: 0, imports: 0 });
    });
  });
});

it('refuses CSV flags that a case log does not read (they would be dropped)', async () => {
  const f = file('flags.xes', XES);
  const op = findOperation('import', 'case-events')!;
  await withTestDb(async (db) => {
    await expect(
      op.run(db, op.params.parse({ file: f, dateFormat: 'DD/MM/YYYY', na: '?' }), {}),
    ).rejects.toThrow(
      /^--date-format \(use --map date_format=iso\|dmy\|mdy\), --na \(use --map na=\?\): not an option of xes logs/,
    );
    expect(await counts(db)).toEqual({ cases: 0, events: 0, imports: 0 });
  });
});

describe('--dry-run of case logs stores nothing and says what would be stored', () => {
  it.each([
    ['xes', 'dry.xes', XES, 'state=lifecycle:transition'],
    [
      'ticket-audit',
      'dry.csv',
      [
        'ticket,ts,state,group',
        'A,2026-03-01T08:00:00Z,New,Front',
        'A,2026-03-01T09:00:00Z,New,Tech',
        'A,2026-03-01T10:00:00Z,Closed,Tech',
        'B,2026-03-01T08:00:00Z,New,Front',
      ].join('\n'),
      '',
    ],
  ])('%s', async (format, name, text, map) => {
    const f = file(name, text);
    const op = findOperation('import', 'case-events')!;
    await withTestDb(async (db) => {
      const params = op.params.parse({ file: f, format, ...(map ? { map } : {}), dryRun: true });
      const lines: string[] = [];
      const before = await counts(db);
      const r = (await op.run(db, params, { log: (l) => lines.push(l) })) as {
        dryRun: boolean;
        rowsRead: number;
        wouldStore: { stored: number; updated: number; duplicates: number };
      };
      expect(before).toEqual({ cases: 0, events: 0, imports: 0 });
      expect(await counts(db)).toEqual(before);
      // XES: S1 opened+closed, S2 five events, S3 opened; audit: A opened, assigned, closed; B opened
      expect(r).toMatchObject({ dryRun: true, rowsRead: format === 'xes' ? 8 : 4 });
      expect(r.wouldStore).toEqual({ stored: format === 'xes' ? 8 : 4, updated: 0, duplicates: 0 });
      expect(lines.find((l) => l.startsWith('cases:'))).toMatch(
        /^cases: \d+ would be stored, 0 would be updated;/,
      );
      // the text a person reads
      const text = op.present!(r as never, params)
        .map((s) => ('text' in s ? s.text : ''))
        .join('\n');
      const sections = op.present!(r as never, params);
      expect(sections.find((x) => x.title === 'First rows as they would be stored')).toMatchObject({
        rows: expect.arrayContaining([expect.objectContaining({ type: 'opened' })]),
      });
      expect(text).toMatch(
        /would be stored, 0 would update stored rows, 0 are already stored, 0 would fail\. Nothing was written\./,
      );
      // after a real import, the same dry run counts every row as already stored
      await op.run(db, op.params.parse({ file: f, format, ...(map ? { map } : {}) }), {});
      const stored = await counts(db);
      const again = (await op.run(db, params, {})) as { wouldStore: { stored: number; duplicates: number } };
      expect(again.wouldStore).toMatchObject({ stored: 0, duplicates: r.wouldStore.stored });
      expect(await counts(db)).toEqual(stored);
    });
  });
});
