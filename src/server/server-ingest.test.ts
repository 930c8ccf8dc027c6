import { describe, expect, it } from 'vitest';
import { counts, events, ingestA, keyA, readA, routes, url, useServer } from './server.test-helpers.js';
import { bearer, call, postLarge } from './test-harness.js';

/**
 * The server as a real process on loopback: ingest over HTTP, and hostile inputs that must be
 * refused without changing anything.
 */
useServer();

describe('ingest', () => {
  it('stores a batch once: a retried batch never duplicates; NDJSON works too', async () => {
    const before = await counts(keyA);
    const batch = events('ing', 50);
    const r1 = await call<{ rowsStored: number; committed: boolean }>(`${url}/api/v1/ingest/events`, {
      headers: bearer(ingestA),
      body: batch,
    });
    expect(r1.status).toBe(200);
    expect(r1.body.committed).toBe(true);
    expect(r1.body.rowsStored).toBe(50);
    const r2 = await call<{ rowsStored: number; duplicates: number }>(`${url}/api/v1/ingest/events`, {
      headers: bearer(ingestA),
      body: { records: batch },
    });
    expect(r2.body.rowsStored).toBe(0);
    expect(r2.body.duplicates).toBe(50);
    const nd = events('nd', 3)
      .map((e) => JSON.stringify(e))
      .join('\n');
    const r3 = await call<{ rowsStored: number }>(`${url}/api/v1/ingest/events`, {
      headers: { ...bearer(ingestA), 'content-type': 'application/x-ndjson' },
      raw: nd,
    });
    expect(r3.body.rowsStored).toBe(3);
    expect((await counts(keyA)).events).toBe((before.events ?? 0) + 53);
  });

  it('customers upsert, feedback, cases, case events and the helpdesk webhook', async () => {
    const h = bearer(ingestA);
    expect(
      (await call(`${url}/api/v1/ingest/customers`, { headers: h, body: [{ id: 'cu1', segment: 'smb' }] }))
        .status,
    ).toBe(200);
    const up = await call<{ rowsUpdated: number }>(`${url}/api/v1/ingest/customers`, {
      headers: h,
      body: [{ id: 'cu1', segment: 'enterprise' }],
    });
    expect(up.body.rowsUpdated).toBe(1);
    expect(
      (
        await call(`${url}/api/v1/ingest/feedback`, {
          headers: h,
          body: [{ id: 'f1', ts: '2026-02-01T00:00:00Z', kind: 'nps', score: 3, comment: 'slow' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`${url}/api/v1/ingest/cases`, {
          headers: h,
          body: [{ id: 'k1', opened_at: '2026-02-01T00:00:00Z', reason: 'billing' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`${url}/api/v1/ingest/case-events`, {
          headers: h,
          body: [{ case_id: 'k1', ts: '2026-02-01T00:00:00Z', type: 'opened' }],
        })
      ).status,
    ).toBe(200);
    const hook = await call<{ cases: { rowsRead: number }; caseEvents: { rowsStored: number } }>(
      `${url}/api/v1/ingest/webhooks/helpdesk`,
      {
        headers: h,
        body: [
          { ticket_id: 'T9', updated_at: '2026-02-02T09:00:00Z', status: 'new', reason: 'delivery' },
          { ticket_id: 'T9', updated_at: '2026-02-02T10:00:00Z', group: 'logistics', assignee: 'bo' },
        ],
      },
    );
    expect(hook.status).toBe(200);
    expect(hook.body.cases.rowsRead).toBe(1);
    expect(hook.body.caseEvents.rowsStored).toBe(2);
    const c = await counts(keyA);
    expect(c.customers).toBeGreaterThanOrEqual(1);
    expect(c.feedback).toBeGreaterThanOrEqual(1);
    expect(c.cases).toBeGreaterThanOrEqual(2);
    expect(c.case_events).toBeGreaterThanOrEqual(3);
  });
});

describe('hostile input is refused with a 4xx naming the problem, and changes nothing', () => {
  const deep = `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`;
  const cases: [
    string,
    { raw?: string | Buffer; body?: unknown; headers?: Record<string, string> },
    number,
    string,
  ][] = [
    ['wrong types', { body: [{ ts: 12, channel: {}, touchpoint: ['x'], customer_id: 'c' }] }, 400, 'ts'],
    [
      'a SQL-looking timestamp',
      {
        body: [
          { ts: "2026-01-01'; DROP TABLE events; --", channel: 'web', touchpoint: 't', customer_id: 'c' },
        ],
      },
      400,
      'ts',
    ],
    [
      'a 1 MB string in a field',
      {
        body: [
          {
            ts: '2026-01-01T00:00:00Z',
            channel: 'web',
            touchpoint: 't',
            customer_id: 'c',
            name: 'x'.repeat(1024 * 1024),
          },
        ],
      },
      400,
      '[0].name',
    ],
    [
      'invalid UTF-8',
      {
        raw: Buffer.concat([
          Buffer.from('[{"ts":"2026-01-01T00:00:00Z","channel":"'),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from('","touchpoint":"t","customer_id":"c"}]'),
        ]),
        headers: { 'content-type': 'application/json' },
      },
      400,
      'UTF-8',
    ],
    [
      '1,000-deep nesting',
      { raw: `[${deep}]`, headers: { 'content-type': 'application/json' } },
      400,
      'nested deeper',
    ],
    [
      'a __proto__ key',
      {
        raw: '[{"ts":"2026-01-01T00:00:00Z","channel":"web","touchpoint":"t","customer_id":"c","properties":{"__proto__":{"admin":true}}}]',
        headers: { 'content-type': 'application/json' },
      },
      400,
      '__proto__',
    ],
    [
      'a constructor.prototype key',
      {
        raw: '[{"constructor":{"prototype":{"admin":true}}}]',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'constructor',
    ],
    [
      'malformed JSON',
      { raw: '[{"ts":', headers: { 'content-type': 'application/json' } },
      400,
      'malformed JSON',
    ],
    ['a body that is not a list of records', { body: 'DROP TABLE events' }, 400, '(body)'],
    [
      'an unsupported content type',
      { raw: '<x/>', headers: { 'content-type': 'application/xml' } },
      400,
      'content type',
    ],
  ];

  it.each(cases)('%s', async (_name, req, status, mention) => {
    const before = await counts(keyA);
    const r = await call<{ error: { message: string; details: { field: string }[] } }>(
      `${url}/api/v1/ingest/events`,
      {
        ...req,
        headers: { ...bearer(ingestA), ...req.headers },
      },
    );
    expect(r.status).toBe(status);
    expect(JSON.stringify(r.body.error)).toContain(mention);
    expect(await counts(keyA)).toEqual(before);
  });

  it.each([
    ['an unknown parameter', '?limit=5&drop=1', 'drop'],
    ['a wrong type', '?limit=abc', 'limit'],
    ['an out-of-range value', '?limit=100000000', 'limit'],
    ['a bad enum value', "?p=' OR 1=1 --", 'p'],
  ])('query string: %s', async (_n, qs, field) => {
    const before = await counts(keyA);
    const r = await call<{ error: { details: { field: string }[] } }>(`${url}/api/v1/findings/list${qs}`, {
      headers: bearer(readA),
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]!.field).toBe(field);
    expect(await counts(keyA)).toEqual(before);
  });

  it('a POST body with an unknown key or of the wrong shape is refused, not silently dropped', async () => {
    const write = routes.find((r) => r.kind === 'operation' && r.method === 'POST');
    if (!write) return;
    const before = await counts(keyA);
    const r = await call<{ error: { details: { field: string }[] } }>(`${url}${write.path}`, {
      headers: bearer(keyA),
      body: { __probe: 1 },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]!.field).toBe('__probe');
    const arr = await call(`${url}${write.path}`, { headers: bearer(keyA), body: [1, 2] });
    expect(arr.status).toBe(400);
    expect(await counts(keyA)).toEqual(before);
  });

  it('SQL-looking strings are data: filters match nothing, stored text comes back verbatim', async () => {
    const evil = "x'); DROP TABLE events; --";
    const r = await call<{ findings: unknown[] }>(
      `${url}/api/v1/findings/list?kind=${encodeURIComponent(evil)}`,
      { headers: bearer(readA) },
    );
    expect(r.status).toBe(200);
    expect(r.body.findings).toEqual([]);
    const before = await counts(keyA);
    const s = await call<{ rowsStored: number }>(`${url}/api/v1/ingest/events`, {
      headers: bearer(ingestA),
      body: events('sql', 1, { customer_id: evil, name: "'; DELETE FROM customers; --" }),
    });
    expect(s.body.rowsStored).toBe(1);
    const after = await counts(keyA);
    expect(after.events).toBe(before.events! + 1);
    expect(after.customers).toBe(before.customers);
  });

  it('a 10 MB string gets 413 before the body is read', async () => {
    const before = await counts(keyA);
    const body = Buffer.from(JSON.stringify(events('ten', 1, { name: 'x'.repeat(10 * 1024 * 1024) })));
    const r = await postLarge(
      `${url}/api/v1/ingest/events`,
      { ...bearer(ingestA), 'content-type': 'application/json' },
      body,
    );
    expect(r.status).toBe(413);
    expect(r.text).toContain('too_large');
    expect(await counts(keyA)).toEqual(before);
  });

  it('too many records in one request is 413 naming the limit', async () => {
    const r = await call(`${url}/api/v1/ingest/events`, {
      headers: bearer(ingestA),
      body: events('big', 10_001),
    });
    expect(r.status).toBe(413);
    expect(r.text).toContain('10000');
  });
});
