import { describe, expect, it } from 'vitest';
import { key, rowsOp, s, useAppServer } from './app.test-helpers.js';
import { bearer, call } from './test-harness.js';

/** In-process server with a test operation: list results whole, paged by cursor, and as CSV. */
useAppServer();

describe('list results', () => {
  it('without pageSize the answer is the whole result, as the CLI prints it with --json', async () => {
    const r = await call<{ rows: unknown[]; total: number }>(`${s.url}/api/v1/test/rows?n=25&tag=a,b&tag=c`, {
      headers: bearer(key),
    });
    expect(r.body).toEqual(await rowsOp.run(undefined as never, { n: 25, tag: ['a', 'b', 'c'] }, {}));
    expect(r.headers.get('x-total-count')).toBe('25');
  });

  it('pages with pageSize and the cursor of the Link header until the end', async () => {
    const seen: number[] = [];
    let next: string | undefined = '/api/v1/test/rows?n=25&pageSize=10';
    let pages = 0;
    while (next) {
      const r: Awaited<ReturnType<typeof call<{ rows: { i: number }[]; total: number }>>> = await call(
        `${s.url}${next}`,
        { headers: bearer(key) },
      );
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(25);
      seen.push(...r.body.rows.map((x) => x.i));
      next = /<([^>]+)>; rel="next"/.exec(r.headers.get('link') ?? '')?.[1];
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it.each([
    ['pageSize=0', 'pageSize'],
    ['pageSize=abc', 'pageSize'],
    ['cursor=%21%21', 'cursor'],
  ])('refuses %s naming %s', async (qs, field) => {
    const r = await call<{ error: { details: { field: string }[] } }>(`${s.url}/api/v1/test/rows?${qs}`, {
      headers: bearer(key),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]!.field).toBe(field);
  });

  it('Accept: text/csv returns the list as CSV, formulas defused; a non-list result refuses CSV', async () => {
    const r = await call(`${s.url}/api/v1/test/rows?n=3`, {
      headers: { ...bearer(key), accept: 'text/csv' },
    });
    expect(r.headers.get('content-type')).toContain('text/csv');
    expect(r.text).toBe(
      'i,label,meta\r\n0,"\'=HYPERLINK(""x"")","{""odd"":false}"\r\n1,"row, ""1""","{""odd"":true}"\r\n2,"row, ""2""","{""odd"":false}"\r\n',
    );
    const c = await call(`${s.url}/api/v1/test/count`, { headers: { ...bearer(key), accept: 'text/csv' } });
    expect(c.status).toBe(400);
  });
});
