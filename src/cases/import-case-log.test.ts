import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { findOperation } from '../operations.js';
import { sql, withTestDb } from '../store/index.js';
import { caseMetrics } from './case-metrics.js';
import { importCaseEventsFile, readCaseEventsFile } from './import-case-log.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-caselog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const XES = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <string key="concept:name" value="helpdesk"/>
  <trace>
    <string key="concept:name" value="T1"/>
    <string key="reason" value="refund"/>
    <event>
      <string key="concept:name" value="Open"/>
      <string key="org:group" value="Front"/>
      <string key="org:resource" value="ann"/>
      <date key="time:timestamp" value="2026-01-01T10:00:00.000+01:00"/>
      <container key="ticket"><string key="dept" value="Front office"/><int key="priority" value="2"/></container>
    </event>
    <event>
      <string key="concept:name" value="Transfer"/>
      <string key="org:group" value="Billing"/>
      <string key="org:resource" value="bob"/>
      <string key="why" value="no access to the billing system"/>
      <date key="time:timestamp" value="2026-01-01T09:30:00Z"/>
      <container key="ticket"><string key="dept" value="Back office"/></container>
    </event>
    <event>
      <string key="concept:name" value="Transfer back"/>
      <string key="org:group" value="Front"/>
      <date key="time:timestamp" value="2026-01-01T06:00:00-05:00"/>
    </event>
    <event>
      <string key="concept:name" value="Send update to customer"/>
      <date key="time:timestamp" value="2026-01-01T12:00:00Z"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/>
      <date key="time:timestamp" value="2026-01-01T13:00:00Z"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="T2"/>
    <event>
      <string key="concept:name" value="Open"/>
      <string key="org:group" value="Front"/>
      <date key="time:timestamp" value="2026-01-02T08:00:00"/>
    </event>
  </trace>
</log>
`;

describe('XES import', () => {
  it.each([
    ['plain', 'log.xes', Buffer.from(XES)],
    ['gzipped', 'log.xes.gz', gzipSync(Buffer.from(XES))],
  ])('reads a %s log with nested attributes and time-zone offsets', async (_label, name, bytes) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const log = await readCaseEventsFile(file, { map: { reason: 'reason', transfer_reason: 'why' } });
    // 10:00+01:00 = 09:00Z, then 09:30Z, then 06:00-05:00 = 11:00Z
    expect(log.caseEvents.map((e) => [e.case_id, e.ts, e.type, e.team, e.agent])).toEqual([
      ['T1', '2026-01-01T09:00:00.000Z', 'opened', 'Front', 'ann'],
      ['T1', '2026-01-01T09:30:00.000Z', 'assigned', 'Billing', 'bob'],
      ['T1', '2026-01-01T11:00:00.000Z', 'assigned', 'Front', null],
      ['T1', '2026-01-01T12:00:00.000Z', 'update_sent', null, null],
      ['T1', '2026-01-01T13:00:00.000Z', 'closed', null, null],
      ['T2', '2026-01-02T08:00:00.000Z', 'opened', 'Front', null], // no offset: UTC
    ]);
    expect(log.caseEvents[1]!.transfer_reason).toBe('no access to the billing system');
    expect(log.caseEvents[0]!.properties).toMatchObject({
      'ticket.dept': 'Front office',
      'ticket.priority': 2,
    });
    expect(log.cases).toMatchObject([
      { id: 'T1', reason: 'refund', status: 'closed', closed_at: '2026-01-01T13:00:00.000Z' },
      { id: 'T2', status: 'open', closed_at: null },
    ]);
  });

  it('takes the team from the attribute the mapping names (a nested one here)', async () => {
    const file = join(dir, 'dept.xes');
    writeFileSync(file, XES);
    const log = await readCaseEventsFile(file, { map: { team: 'ticket.dept' } });
    expect(log.caseEvents.slice(0, 2).map((e) => e.team)).toEqual(['Front office', 'Back office']);
  });

  it('imports into cases and case_events, and the analyses see the A→B→A chain', async () => {
    const file = join(dir, 'import.xes');
    writeFileSync(file, XES);
    await withTestDb(async (db) => {
      const r = await importCaseEventsFile(db, file, { map: { transfer_reason: 'why' } });
      expect([r.cases.rowsStored, r.caseEvents.rowsStored]).toEqual([2, 6]);
      const [m] = await caseMetrics(db, ['T1']);
      expect(m).toMatchObject({ team_handoffs: 2, returns: 1, is_closed: true, updates_sent: 1 });
      // importing the same file again stores nothing new
      const again = await importCaseEventsFile(db, file, { map: { transfer_reason: 'why' } });
      expect(again.caseEvents.duplicates).toBe(6);
    });
  });

  it('is what `touchpoint import case-events FILE --format xes --map …` runs', async () => {
    const file = join(dir, 'cli.xes.gz');
    writeFileSync(file, gzipSync(Buffer.from(XES)));
    const op = findOperation('import', 'case-events')!;
    const notes: string[] = [];
    await withTestDb(async (db) => {
      const params = op.params.parse({ file, map: 'team=ticket.dept,transfer_reason=why' });
      const r = (await op.run(db, params, { log: (l) => notes.push(l) })) as { rowsStored: number };
      expect(r.rowsStored).toBe(6);
      const teams = await db.all<{ team: string }>(
        sql`SELECT DISTINCT team FROM case_events WHERE team IS NOT NULL ORDER BY team`,
      );
      expect(teams.map((t) => t.team)).toEqual(['Back office', 'Front office']);
      expect(notes.some((n) => n.startsWith('cases: 2 stored'))).toBe(true);
      // a case-log format for another kind is refused
      const other = findOperation('import', 'events')!;
      await expect(other.run(db, other.params.parse({ file, format: 'xes' }), {})).rejects.toMatchObject({
        code: 'invalid_input',
      });
    });
  });

  it.each([
    [
      'a close tag that does not match',
      XES.replace(
        '</event>\n    <event>\n      <string key="concept:name" value="Transfer"/>',
        '</evnt>\n    <event>\n      <string key="concept:name" value="Transfer"/>',
      ),
      15,
    ],
    [
      'an event without a timestamp',
      XES.replace('<date key="time:timestamp" value="2026-01-02T08:00:00"/>', ''),
      40,
    ],
    ['a bad timestamp', XES.replace('2026-01-01T12:00:00Z', '2026-13-01T12:00:00Z'), 31],
    ['a truncated file', XES.slice(0, 900), 19], // the end of the input
  ])('rejects %s with its line number and loads nothing', async (_label, text, line) => {
    const file = join(dir, `bad-${line}.xes`);
    writeFileSync(file, text);
    await withTestDb(async (db) => {
      const err = await importCaseEventsFile(db, file).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_input' });
      expect((err as { details: { line: number }[] }).details[0]!.line).toBe(line);
      const n = await db.one<{ n: number }>(
        sql`SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM case_events) AS n`,
      );
      expect(n!.n).toBe(0);
    });
  });
});

describe('ticket-audit import', () => {
  it('reads a field-change audit (ticket, timestamp, field, old, new)', async () => {
    const file = join(dir, 'audit.csv');
    writeFileSync(
      file,
      [
        'ticket_id,timestamp,field,old_value,new_value',
        'K1,2026-03-01T08:00:00Z,state,,New',
        'K1,2026-03-01T08:00:00Z,assignment_group,,Front',
        'K1,2026-03-01T09:00:00Z,assignment_group,Front,Tech',
        'K1,2026-03-01T09:00:00Z,assigned_to,,tom',
        'K1,2026-03-01T10:00:00Z,assignment_group,Tech,Front',
        'K1,2026-03-01T11:00:00Z,state,New,Resolved',
        'K1,2026-03-02T11:00:00Z,state,Resolved,Closed',
        'K1,2026-03-03T11:00:00Z,state,Closed,In Progress',
        'K1,2026-03-03T12:00:00Z,state,In Progress,Resolved',
      ].join('\n'),
    );
    const log = await readCaseEventsFile(file);
    expect(log.caseEvents.map((e) => [e.type, e.team, e.agent, e.status])).toEqual([
      ['opened', 'Front', null, 'New'],
      ['assigned', 'Tech', 'tom', null],
      ['assigned', 'Front', null, null],
      ['closed', null, null, 'Resolved'],
      ['status', null, null, 'Closed'], // Resolved → Closed: no second resolution
      ['reopened', null, null, 'In Progress'],
      ['closed', null, null, 'Resolved'],
    ]);
  });

  it('reads one row per update with state, group and agent columns, day-first dates and ? as missing', async () => {
    const file = join(dir, 'snap.csv.gz');
    writeFileSync(
      file,
      gzipSync(
        [
          'number,state,assignment_group,assigned_to,updated,category,category',
          '7,New,G1,?,1/2/2026 08:00,cat1,sub1',
          '7,Active,G1,a1,1/2/2026 09:00,cat1,sub1',
          '7,Active,G2,?,2/2/2026 09:00,cat1,sub1',
          '7,-100,G2,b2,2/2/2026 10:00,cat1,sub1',
          '7,Resolved,G2,b2,3/2/2026 10:00,cat1,sub1',
        ].join('\n'),
      ),
    );
    const log = await readCaseEventsFile(file, {
      format: 'ticket-audit',
      map: { ts: 'updated', reason: 'category', date_format: 'dmy', na: '?' },
    });
    expect(log.caseEvents.map((e) => [e.ts, e.type, e.team, e.agent])).toEqual([
      ['2026-02-01T08:00:00.000Z', 'opened', 'G1', null],
      ['2026-02-01T09:00:00.000Z', 'assigned', 'G1', 'a1'],
      ['2026-02-02T09:00:00.000Z', 'assigned', 'G2', null],
      ['2026-02-02T10:00:00.000Z', 'assigned', 'G2', 'b2'],
      ['2026-02-03T10:00:00.000Z', 'closed', 'G2', 'b2'],
    ]);
    expect(log.cases[0]).toMatchObject({ id: '7', reason: 'cat1', status: 'closed' });
    expect(log.notes[0]).toMatch(/^1 rows carry a numeric state/);
  });

  it('names the line of a bad date', async () => {
    const file = join(dir, 'baddate.csv');
    writeFileSync(file, 'ticket,ts,state\nA,2026-01-01T00:00:00Z,New\nA,31/2/2026,Active\n');
    await expect(readCaseEventsFile(file, { map: { date_format: 'iso' } })).rejects.toMatchObject({
      details: [{ line: 3 }],
    });
  });
});
