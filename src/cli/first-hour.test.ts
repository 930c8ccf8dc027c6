/**
 * A new user's first hour at the command line (#17), scripted: the README's commands on the demo
 * company, each import kind with a good file, each class of bad file, and a workspace path that
 * does not exist. Every step is a real `bin/touchpoint.js` process; every mistake must be one line
 * (a file with several bad rows: one line per row), with no stack trace, and store nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_SPECS, KINDS } from '../ingest/index.js';
import { ident, openStore, sql } from '../store/index.js';

const BIN = new URL('../../bin/touchpoint.js', import.meta.url).pathname;
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'tp-first-hour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tp(args: readonly string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, TOUCHPOINT_SERVER: '', TOUCHPOINT_DB: '' },
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (text: string) => {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toMatch(/internal error|TypeError|ReferenceError|Catalog Error|Usage:/);
};

/** The README's example commands: every `$ touchpoint …` line of its CLI reference. */
const readmeCommands = [...README.matchAll(/^\$ touchpoint (.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));

describe('the README on the demo company', () => {
  const demo = join(dir, 'demo.duckdb');
  beforeAll(() => {
    const r = tp(['demo', '--customers', '1500', '--db', demo]);
    expect(r.code).toBe(0);
    noStack(r.err);
  });

  it('lists the commands it shows', () => {
    expect(readmeCommands.length).toBeGreaterThanOrEqual(10);
  });

  it.each(readmeCommands.map((c) => [c.join(' '), c]))('touchpoint %s', (_, args) => {
    const r = tp([...args, '--db', demo]);
    noStack(r.err);
    expect(r.code).toBe(0);
    expect(r.out.trim().length).toBeGreaterThan(0);
    expect(r.out).not.toMatch(/–\s+\[–+\]|NaN|undefined|\[object Object\]/);
  });
});

/** Every table an import kind writes, and the import log. */
const TABLES = [...KINDS.map((k) => KIND_SPECS[k].table), 'imports'];

/** Good files, one per import kind, in the order a new user would load them. */
const GOOD: [kind: string, file: string, text: string][] = [
  ['teams', 'teams.csv', 'id,name,tier\ncare,Care,1\nbilling,Billing,2\n'],
  [
    'customers',
    'customers.csv',
    'id,segment,created_at\nc1,smb,2026-01-05T10:00:00Z\nc2,enterprise,2026-02-01T09:00:00Z\n',
  ],
  [
    'events',
    'events.csv',
    'id,customer_id,ts,channel,touchpoint\ne1,c1,2026-03-01T10:00:00Z,web,cart\ne2,c1,2026-03-01T10:05:00Z,web,checkout\ne3,c2,2026-03-02T11:00:00Z,app,cart\n',
  ],
  [
    'feedback',
    'feedback.csv',
    'id,customer_id,ts,kind,score,comment\nf1,c1,2026-03-03T10:00:00Z,nps,9,\nf2,c2,2026-03-04T10:00:00Z,text,,Delivery was late\n',
  ],
  [
    'cases',
    'cases.csv',
    'id,customer_id,opened_at,closed_at,reason,status\nk1,c1,2026-03-05T10:00:00Z,2026-03-06T10:00:00Z,billing dispute,closed\n',
  ],
  [
    'case-events',
    'case-events.csv',
    'case_id,ts,type,team\nk1,2026-03-05T10:00:00Z,opened,care\nk1,2026-03-05T12:00:00Z,assigned,billing\nk1,2026-03-06T10:00:00Z,closed,billing\n',
  ],
  ['employees', 'employees.csv', 'id,team_id,name\nu1,care,Uma\nu2,billing,Ben\n'],
  ['pulse', 'pulse.csv', 'id,employee_id,team_id,ts,score\np1,u1,care,2026-03-01T00:00:00Z,8\n'],
  ['touchpoint-owners', 'owners.csv', 'touchpoint,team_id\ncheckout,billing\n'],
  ['journeys', 'journeys.csv', 'journey_id,stage,position,touchpoint\nbuy,shop,0,cart\nbuy,pay,1,checkout\n'],
  ['identities', 'identities.csv', 'alias_type,alias,customer_id\nemail,ann@example.org,c1\n'],
];

/** A service-desk XES log: one case resolved, reopened and closed, one still open. */
const XES = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="x1"/>
    <event><string key="concept:name" value="Accepted"/><string key="status" value="In Progress"/><string key="org:group" value="care"/><date key="time:timestamp" value="2026-03-07T08:00:00Z"/></event>
    <event><string key="concept:name" value="Completed"/><string key="status" value="Resolved"/><string key="org:group" value="care"/><date key="time:timestamp" value="2026-03-07T10:00:00Z"/></event>
    <event><string key="concept:name" value="Accepted"/><string key="status" value="In Progress"/><string key="org:group" value="billing"/><date key="time:timestamp" value="2026-03-08T08:00:00Z"/></event>
    <event><string key="concept:name" value="Completed"/><string key="status" value="Closed"/><string key="org:group" value="billing"/><date key="time:timestamp" value="2026-03-08T12:00:00Z"/></event>
  </trace>
  <trace><string key="concept:name" value="x2"/>
    <event><string key="concept:name" value="Accepted"/><string key="status" value="In Progress"/><string key="org:group" value="care"/><date key="time:timestamp" value="2026-03-09T08:00:00Z"/></event>
  </trace>
</log>
`;

describe('your own data: each import kind, good and bad files', () => {
  const ws = join(dir, 'mine.duckdb');
  /** Every table's row count and the import log, read in-process between two CLI runs. */
  const state = async () => {
    const db = await openStore(ws);
    try {
      const counts: Record<string, number> = {};
      for (const t of TABLES) {
        counts[t] = Number((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(t)}`))!.n);
      }
      return counts;
    } finally {
      await db.close();
    }
  };

  it('a read before any import refuses the missing workspace and creates nothing', () => {
    const r = tp(['overview', 'summary', '--db', ws]);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(ws)).toBe(false);
  });

  it.each(GOOD)('import %s %s', (kind, file, text) => {
    writeFileSync(join(dir, file), text);
    const r = tp(['import', kind, file, '--db', ws]);
    noStack(r.err);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^import imp-\S+: \d+ rows read/);
  });

  it('an XES log: the dry run stores nothing, the import reads the mapped state', async () => {
    writeFileSync(join(dir, 'desk.xes'), XES);
    const before = await state();
    const dry = tp(['import', 'case-events', 'desk.xes', '--map', 'state=status', '--dry-run', '--db', ws]);
    noStack(dry.err);
    expect(dry.code).toBe(0);
    expect(dry.out + dry.err).toMatch(
      /6 would be stored, 0 would update stored rows, 0 are already stored, 0 would fail\. Nothing was written\./,
    );
    expect(await state()).toEqual(before);
    const r = tp(['import', 'case-events', 'desk.xes', '--map', 'state=status', '--db', ws]);
    noStack(r.err);
    expect(r.code).toBe(0);
    expect(r.out + r.err).toMatch(
      /cases: 2 stored, 0 updated \(import \S+\); in the file 1 end closed, 1 open, 1 reopened at least once/,
    );
    const after = await state();
    expect([after.cases! - before.cases!, after.case_events! - before.case_events!]).toEqual([2, 6]);
  });

  it('lists the imports and reads what was loaded', async () => {
    const counts = await state();
    expect(counts).toMatchObject({
      customers: 2,
      events: 3,
      feedback: 2,
      cases: 3,
      teams: 2,
      employees: 2,
      pulse: 1,
    });
    expect(tp(['import', 'list', '--db', ws]).out.split('\n').length).toBeGreaterThanOrEqual(GOOD.length + 2);
  });

  const BAD: [what: string, kind: string, file: string, content: string | Buffer, line: RegExp][] = [
    [
      'a bad date',
      'events',
      'bad-date.csv',
      'id,customer_id,ts,channel,touchpoint\nx1,c1,31/02/2026,web,cart\n',
      /^touchpoint: bad-date\.csv:2: ts: "31\/02\/2026" is not/,
    ],
    [
      'a missing required column',
      'events',
      'no-channel.csv',
      'id,customer_id,ts,touchpoint\nx2,c1,2026-03-01T10:00:00Z,cart\n',
      /^touchpoint: no-channel\.csv.*channel/,
    ],
    ['an empty file', 'customers', 'empty.csv', '', /^touchpoint: empty\.csv: the file is empty/],
    [
      'a value outside the allowed ones',
      'feedback',
      'bad-kind.csv',
      'id,customer_id,ts,kind,score\nx3,c1,2026-03-03T10:00:00Z,stars,4\n',
      /^touchpoint: bad-kind\.csv:2: kind: /,
    ],
    [
      'a duplicate header',
      'customers',
      'dup-header.csv',
      'id,segment,id\nc9,smb,c9\n',
      /^touchpoint: dup-header\.csv:1: column "id" appears twice in the header \(columns 1 and 3\)/,
    ],
    [
      'a file that is not UTF-8 (Latin-1)',
      'customers',
      'latin1.csv',
      Buffer.from('id,segment\nc8,caf\xe9\n', 'latin1'),
      /^touchpoint: latin1\.csv:2: .*(latin1|windows-1252)/,
    ],
    [
      'an XES log with an unknown --map key',
      'case-events',
      'log.xes',
      XES,
      /^touchpoint: --map stat: not a key of xes logs \(did you mean state\?\)/,
    ],
  ];

  it.each(BAD)(
    '%s: one line naming file, line and field; nothing stored',
    async (_, kind, file, content, line) => {
      writeFileSync(join(dir, file), content);
      const before = await state();
      const r = tp(['import', kind, file, '--db', ws, ...(file.endsWith('.xes') ? ['--map', 'stat=x'] : [])]);
      noStack(r.err);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(line);
      expect(await state()).toEqual(before);
    },
  );

  it('a workspace path in a folder that does not exist: one line, nothing created', () => {
    const r = tp(['import', 'customers', 'customers.csv', '--db', join(dir, 'typo/mine.duckdb')]);
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('a file that does not exist: one line naming it', () => {
    const r = tp(['import', 'customers', 'nope.csv', '--db', ws]);
    noStack(r.err);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/nope\.csv/);
  });
});
