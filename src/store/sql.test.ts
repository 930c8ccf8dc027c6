import { describe, expect, it } from 'vitest';
import { compile, empty, ident, join, raw, sql } from './sql.js';
import { withTestDb } from './test-db.js';

describe('sql tag', () => {
  it('turns every interpolation into a numbered parameter, through nested fragments', () => {
    const where = sql`customer_id = ${'c1'} AND ts > ${'2026-01-01'}`;
    const q = compile(
      sql`SELECT * FROM events WHERE ${where} AND channel IN (${join([sql`${'web'}`, sql`${'app'}`])}) LIMIT ${10}`,
    );
    expect(q.text).toBe(
      'SELECT * FROM events WHERE customer_id = $1 AND ts > $2 AND channel IN ($3, $4) LIMIT $5',
    );
    expect(q.values).toEqual(['c1', '2026-01-01', 'web', 'app', 10]);
  });

  it('keeps backslashes as written (regular expressions reach the engine intact)', () => {
    expect(compile(sql`SELECT regexp_matches(x, '\s+')`).text).toBe("SELECT regexp_matches(x, '\\s+')");
  });

  it('refuses identifiers that are not plain names', () => {
    expect(compile(ident('events')).text).toBe('"events"');
    expect(() => ident('events"; DROP TABLE customers; --')).toThrow(/invalid SQL identifier/);
  });

  it('composes empty fragments and raw constants', () => {
    expect(compile(sql`SELECT 1 ${empty}${raw('AS one')}`).text).toBe('SELECT 1 AS one');
  });
});

describe('injection', () => {
  const hostile = [
    "'; DROP TABLE customers; --",
    "x' OR '1'='1",
    'Robert"); DELETE FROM events; --',
    '$1',
    '\\x00\u0000',
  ];
  it.each(hostile)('stores and finds %j as data, never as SQL', async (value) => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO customers (id, segment) VALUES (${value}, ${value})`);
      const rows = await db.all<{ id: string; n: number }>(
        sql`SELECT id, (SELECT count(*) FROM customers) AS n FROM customers WHERE segment = ${value}`,
      );
      expect(rows).toEqual([{ id: value, n: 1 }]);
    });
  });
});
