import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { importRecords } from './import-records.js';
import { rowCount as count, refused } from './ingest.test-helpers.js';
import { type Kind, RECORD_SCHEMAS } from './schemas.js';

/** One good and one bad record per kind, the bad one's field, and the table that must stay empty. */
const CASES: [Kind, string, Record<string, unknown>[], Record<string, unknown>, string][] = [
  [
    'customers',
    'customers',
    [{ id: 'c1', plan: 'pro', monthly_value: '12.5', churned: 'Yes' }],
    { id: '' },
    'id',
  ],
  [
    'events',
    'events',
    [{ customer_id: 'c1', timestamp: '2026-01-02T10:00:00+01:00', channel: 'web', touchpoint: 'checkout' }],
    { customer_id: 'c1', ts: '02/01/2026', channel: 'web', touchpoint: 'checkout' },
    'ts',
  ],
  [
    'feedback',
    'feedback',
    [{ customer_id: 'c1', ts: '2026-01-02', kind: 'nps', score: 9 }],
    { customer_id: 'c1', ts: '2026-01-02', kind: 'nps', score: 11 },
    'score',
  ],
  [
    'cases',
    'cases',
    [{ id: 'k1', opened_at: '2026-01-02 08:00', reason: 'billing' }],
    { id: 'k2', opened_at: null },
    'opened_at',
  ],
  [
    'case-events',
    'case_events',
    [{ case_id: 'k1', ts: '2026-01-02T08:00Z', type: 'assigned', team: 't1' }],
    { case_id: 'k1', ts: '2026-01-02T08:00Z', type: 'transfer' },
    'type',
  ],
  [
    'teams',
    'teams',
    [{ id: 't1', name: 'Billing', tier: '1' }],
    { id: 't2', name: 'X', tier: '1.5' },
    'tier',
  ],
  [
    'employees',
    'employees',
    [{ id: 'e1', team_id: 't1', hired_at: '2025-03-01' }],
    { id: 'e2', hired_at: 'soon' },
    'hired_at',
  ],
  [
    'pulse',
    'pulse',
    [{ employee_id: 'e1', ts: '2026-01-05', score: '8' }],
    { employee_id: 'e1', ts: '2026-01-05' },
    'score',
  ],
  [
    'touchpoint-owners',
    'touchpoint_owners',
    [{ touchpoint: 'checkout', team_id: 't1' }],
    { touchpoint: 'delivery' },
    'team_id',
  ],
  [
    'journeys',
    'journey_stages',
    [{ journey_id: 'buy', stage: 'purchase', position: 2, touchpoint: 'checkout' }],
    { journey_id: 'buy', stage: 'use', position: 'third' },
    'position',
  ],
  [
    'identities',
    'identity_links',
    [{ alias_type: 'email', alias: 'a@x.org', customer_id: 'c1' }],
    { alias_type: 'email', alias: 'b@x.org' },
    'customer_id',
  ],
];

describe('importRecords', () => {
  it.each(CASES)('%s: stores good records, re-import does not duplicate', async (kind, table, good) => {
    await withTestDb(async (db) => {
      const a = await importRecords(db, kind, good, { source: 'test' });
      expect(a.rowsStored).toBeGreaterThanOrEqual(1);
      expect(await count(db, table)).toBe(1);
      const b = await importRecords(db, kind, good, { source: 'test' });
      expect(b).toMatchObject({ rowsStored: 0, rowsUpdated: 0, duplicates: 1 });
      expect(await count(db, table)).toBe(1);
      const imports = await db.all<{ id: string; rows_stored: number }>(
        sql`SELECT id, rows_stored FROM imports ORDER BY started_at, id`,
      );
      expect(imports).toHaveLength(2);
    });
  });

  it.each(CASES)(
    '%s: a bad record names its line and field and stores nothing',
    async (kind, table, good, bad, field) => {
      await withTestDb(async (db) => {
        const e = await refused(
          importRecords(db, kind, [...good, bad], { source: 'f.csv', lineOf: (i) => i + 2 }),
        );
        expect(e.code).toBe('invalid_input');
        expect(e.details[0]).toMatchObject({ file: 'f.csv', line: 3, field });
        expect(await count(db, table)).toBe(0);
        expect(await count(db, 'imports')).toBe(0);
        const r = await importRecords(db, kind, [...good, bad], {
          source: 'f.csv',
          skipInvalid: true,
          lineOf: (i) => i + 2,
        });
        expect(r).toMatchObject({ rowsRead: 2, rowsSkipped: 1 });
        expect(r.errors[0]).toMatchObject({ line: 3, field });
        expect(await count(db, table)).toBe(1);
      });
    },
  );

  it('converts values: offsets to UTC, numbers, booleans, defaults', async () => {
    await withTestDb(async (db) => {
      await importRecords(
        db,
        'events',
        [
          {
            id: 'e1',
            customer_id: 'c1',
            ts: '2026-03-29T03:30:00+02:00',
            channel: 'web',
            touchpoint: 'home',
          },
        ],
        { source: 't' },
      );
      expect(await db.one(sql`SELECT ts, direction FROM events`)).toEqual({
        ts: '2026-03-29T01:30:00.000Z',
        direction: 'inbound',
      });
      await importRecords(db, 'customers', [{ id: 'c1', monthly_value: '70.35', churned: 'No' }], {
        source: 't',
      });
      expect(await db.one(sql`SELECT monthly_value, churned FROM customers`)).toEqual({
        monthly_value: 70.35,
        churned: false,
      });
    });
  });

  it('updates an existing id whose content changed, and customers merge field by field', async () => {
    await withTestDb(async (db) => {
      const a = await importRecords(
        db,
        'customers',
        [{ id: 'c1', plan: 'basic', region: 'north', attributes: { a: 1 } }],
        { source: 't' },
      );
      const b = await importRecords(db, 'customers', [{ id: 'c1', plan: 'pro', attributes: { b: 2 } }], {
        source: 't',
      });
      expect(b).toMatchObject({ rowsStored: 0, rowsUpdated: 1, duplicates: 0 });
      const row = await db.one<Record<string, unknown>>(
        sql`SELECT plan, region, attributes, import_id, updated_import_id FROM customers`,
      );
      expect(row).toMatchObject({
        plan: 'pro',
        region: 'north',
        import_id: a.importId,
        updated_import_id: b.importId,
      });
      expect(JSON.parse(row!.attributes as string)).toEqual({ a: 1, b: 2 });
    });
  });

  it.each([
    ['nps', 10, true],
    ['nps', -1, false],
    ['csat', 5, true],
    ['csat', 0, false],
    ['ces', 7, true],
    ['ces', 8, false],
    ['text', null, false],
  ])('feedback %s score %s valid=%s', (kind, score, ok) => {
    const r = RECORD_SCHEMAS.feedback.safeParse({ ts: '2026-01-01', kind, score });
    expect(r.success).toBe(ok);
  });

  it('text feedback needs a comment; HTML entities and control characters are kept', async () => {
    await withTestDb(async (db) => {
      const comment = 'Fish &amp; chips \u0001 <b>late</b>';
      await importRecords(db, 'feedback', [{ ts: '2026-01-01', kind: 'text', comment }], { source: 't' });
      expect((await db.one<{ comment: string }>(sql`SELECT comment FROM feedback`))!.comment).toBe(comment);
    });
  });
});
