import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type ChildServer, call, defaultKey, startChild } from '../server/test-harness.js';
import { sql, withTestDb } from '../store/index.js';
import { importFile } from './import-file.js';
import { importRecords } from './import-records.js';
import { rowCount as count, fileWriter, refused } from './ingest.test-helpers.js';

// Values ingest used to store silently (issue 16 item 7): each is refused naming the record (or file
// line) and the field, and nothing of the batch is stored. Runs under two process time zones.

const good = { id: 'e0', customer_id: 'c1', ts: '2026-03-01T10:00:00Z', channel: 'web', touchpoint: 'home' };
const ev = (extra: Record<string, unknown>) => ({ ...good, id: 'e1', ...extra });

/** [what, kind, batch (the bad record is the second), field, message]. */
const CASES: readonly [string, string, Record<string, unknown>[], string, string][] = [
  [
    'an infinite number',
    'customers',
    [{ id: 'k0' }, { id: 'k1', monthly_value: '1e400' }],
    'monthly_value',
    '"1e400" is out of range (not a finite number)',
  ],
  [
    'an offset beyond ±18:00',
    'events',
    [good, ev({ ts: '2026-03-01T10:00:00+99:00' })],
    'ts',
    '"2026-03-01T10:00:00+99:00": +99:00 is not a UTC offset (−18:00 to +18:00)',
  ],
  [
    'a time in year 10000 once in UTC',
    'events',
    [good, ev({ ts: '9999-12-31T23:00:00-05:00' })],
    'ts',
    '"9999-12-31T23:00:00-05:00" is in year 10000 in UTC, outside 1900–9999',
  ],
  [
    'an impossible date',
    'events',
    [good, ev({ ts: '2026-02-30T10:00:00Z' })],
    'ts',
    '"2026-02-30T10:00:00Z": 2026-02 has no day 30 (it has 28 days)',
  ],
  [
    'a lone surrogate',
    'events',
    [good, ev({ customer_id: 'c\ud800' })],
    'customer_id',
    'contains a lone UTF-16 surrogate \\ud800 at position 1 (not a character)',
  ],
  [
    'a NUL character',
    'events',
    [good, ev({ touchpoint: 'home\u0000' })],
    'touchpoint',
    'contains a NUL character (\\u0000)',
  ],
  [
    'an unknown field',
    'events',
    [good, ev({ colour: 'red' })],
    'colour',
    'not a field of events (put other data in properties, or import with unknown fields lenient)',
  ],
  [
    'an id repeated with other values',
    'events',
    [good, { ...good, touchpoint: 'cart' }],
    'id',
    '"e0" repeats record 1 with other values (send one record per id)',
  ],
];

describe('HTTP ingest refuses what it cannot store as sent (real server)', () => {
  let srv: ChildServer;
  let key: string;
  beforeAll(async () => {
    srv = await startChild();
    key = await defaultKey(srv.url, ['read', 'ingest']);
  });
  afterAll(async () => {
    await srv?.stop();
    rmSync(srv.dataDir, { recursive: true, force: true });
  });

  it.each(CASES)(
    '%s: 400 naming record 2 and the field; nothing stored',
    async (_, kind, batch, field, message) => {
      const r = await call<{
        error: { code: string; details: { line: number; field: string; message: string }[] };
      }>(`${srv.url}/api/v1/ingest/${kind}`, { headers: bearer(key), body: batch });
      expect(r.status).toBe(400);
      expect(r.body.error.details[0]).toMatchObject({ line: 2, field, message });
      const summary = await call<{ counts: Record<string, number> }>(`${srv.url}/api/v1/overview/summary`, {
        headers: bearer(key),
      });
      expect(summary.status).toBe(200);
      expect(summary.body.counts[kind]).toBe(0);
    },
  );

  it('the same record twice is a duplicate, not an error', async () => {
    const r = await call(`${srv.url}/api/v1/ingest/events`, { headers: bearer(key), body: [good, good] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ rowsStored: 1, duplicates: 1 });
  });
});

describe('file imports refuse the same values, naming file, line and field', () => {
  const file = fileWriter('tp-refusals-');

  const head = 'id,customer_id,ts,channel,touchpoint\n';
  const row0 = 'e0,c1,2026-03-01T10:00:00Z,web,home\n';
  it.each([
    [
      'an infinite number',
      'customers',
      'id,monthly_value\nk0,1\nk1,1e400\n',
      'monthly_value',
      '"1e400" is out of range (not a finite number)',
    ],
    [
      'an offset beyond ±18:00',
      'events',
      `${head}${row0}e1,c1,2026-03-01T10:00:00+99:00,web,home\n`,
      'ts',
      'not a valid ISO-8601 time',
    ],
    [
      'hour 24 (the engine rolls it over)',
      'events',
      `${head}${row0}e1,c1,2026-03-01T24:00:00,web,home\n`,
      'ts',
      'not a valid ISO-8601 time',
    ],
    [
      'a time in year 10000 once in UTC',
      'events',
      `${head}${row0}e1,c1,9999-12-31T23:00:00-05:00,web,home\n`,
      'ts',
      'is outside the years 1900–9999 (UTC)',
    ],
    [
      'a NUL character',
      'events',
      `${head}${row0}e1,c1,2026-03-01T10:00:00Z,web,ho\u0000me\n`,
      'touchpoint',
      'contains a NUL character',
    ],
  ])('%s', async (_, kind, text, field, message) => {
    await withTestDb(async (db) => {
      const f = file(`${kind}.csv`, text);
      const e = await refused(importFile(db, kind as 'events', { file: f }));
      expect(e.code).toBe('invalid_input');
      expect(e.details[0]).toMatchObject({ file: f, line: 3, field });
      expect(e.details[0]!.message).toContain(message);
      expect(e.message.split('\n')).toHaveLength(1);
      expect(await count(db, kind)).toBe(0);
    });
  });

  it('a column no field takes is refused for a kind with no JSON column, unless lenient', async () => {
    await withTestDb(async (db) => {
      const f = file('teams.csv', 'id,name,colour\nt1,Billing,red\n');
      const e = await refused(importFile(db, 'teams', { file: f }));
      expect(e.message).toBe(
        `${f}: column "colour" is not a field of teams and teams has no JSON column to keep them; map it with --map field=column (fields: id, name, tier, function), or pass --unknown-fields lenient to leave it out`,
      );
      expect(await count(db, 'teams')).toBe(0);
      expect(await importFile(db, 'teams', { file: f, unknownFields: 'lenient' })).toMatchObject({
        rowsStored: 1,
      });
      // a kind with a JSON column keeps extra columns there, typed: a CSV with extra columns is common
      const c = file('customers.csv', 'id,plan,colour\nk1,pro,red\n');
      expect(await importFile(db, 'customers', { file: c })).toMatchObject({ rowsStored: 1 });
      expect(await db.one(sql`SELECT attributes->>'colour' AS colour FROM customers`)).toEqual({
        colour: 'red',
      });
    });
  });

  it('offsets are converted to UTC whatever the process zone (ISO and --date-format with Z)', async () => {
    await withTestDb(async (db) => {
      const f = file(
        'o.csv',
        'id,customer_id,ts,channel,touchpoint\ne1,c1,2026-03-01T14:05:09.250+02:00,web,home\n',
      );
      await importFile(db, 'events', { file: f });
      const g = file(
        'p.csv',
        'id,customer_id,ts,channel,touchpoint\ne2,c1,01/03/2026 10:00 +0200,web,home\n',
      );
      await importFile(db, 'events', { file: g, dateFormat: 'DD/MM/YYYY HH:mm Z' });
      expect(await db.all(sql`SELECT id, ts::VARCHAR AS ts FROM events ORDER BY id`)).toEqual([
        { id: 'e1', ts: '2026-03-01 12:05:09.25' },
        { id: 'e2', ts: '2026-03-01 08:00:00' },
      ]);
    });
  });

  it('records: lenient keeps unknown fields in the JSON column', async () => {
    await withTestDb(async (db) => {
      await importRecords(db, 'events', [ev({ colour: 'red', properties: { size: 2 } })], {
        source: 't',
        unknownFields: 'lenient',
      });
      expect(await db.one(sql`SELECT properties::VARCHAR AS p FROM events`)).toEqual({
        p: '{"colour":"red","size":2}',
      });
    });
  });
});
