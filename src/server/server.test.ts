import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../operations.js';
import { routeTable } from './routes.js';
import {
  adminSession,
  bearer,
  type ChildServer,
  call,
  createKey,
  postLarge,
  startChild,
} from './test-harness.js';

/**
 * The server as a real process on loopback: auth, ingest, isolation between workspaces on every
 * route, and hostile inputs that must be refused without changing anything.
 */
let server: ChildServer;
let url: string;
let admin: Record<string, string>;
let keyA: string; // workspace default, all scopes
let keyB: string; // workspace other, all scopes
let ingestA: string;
let readA: string;

const routes = routeTable(operations);

const counts = async (key: string): Promise<Record<string, number>> => {
  const r = await call<{ counts: Record<string, number> }>(`${url}/api/v1/overview/summary`, {
    headers: bearer(key),
  });
  expect(r.status).toBe(200);
  return r.body.counts;
};

const events = (prefix: string, n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    customer_id: `c${i % 7}`,
    ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    channel: 'web',
    touchpoint: 'checkout',
    ...extra,
  }));

beforeAll(async () => {
  server = await startChild();
  url = server.url;
  admin = await adminSession(url);
  const ws = await call(`${url}/api/v1/admin/workspaces`, { headers: admin, body: { name: 'other' } });
  expect(ws.status).toBe(200);
  keyA = await createKey(url, admin, 'default', ['admin']);
  keyB = await createKey(url, admin, 'other', ['admin']);
  ingestA = await createKey(url, admin, 'default', ['ingest']);
  readA = await createKey(url, admin, 'default', ['read']);
});

afterAll(async () => {
  await server?.stop();
});

describe('system routes', () => {
  it('healthz, readyz, the OpenAPI document with every route, and the docs page', async () => {
    expect((await call(`${url}/healthz`)).body).toEqual({ ok: true });
    expect((await call(`${url}/readyz`)).body).toEqual({ ready: true });
    const doc = await call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      `${url}/openapi.json`,
    );
    expect(doc.body.openapi).toBe('3.1.0');
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.body.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    const ingest = JSON.stringify(doc.body.paths['/api/v1/ingest/events']);
    expect(ingest).toContain('"required":["ts","channel","touchpoint"]');
    // the browsable docs are Swagger UI (@fastify/swagger-ui) drawing the same document
    const docs = await call(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    expect((await call(`${url}/docs/json`)).body).toEqual(doc.body);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('access-control-allow-origin')).toBeNull(); // CORS off
  });

  it('every answer carries a request id, and a caller-given one is echoed', async () => {
    const r = await call(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('access', () => {
  it('refuses no credentials, unknown and malformed keys, and wrong passwords', async () => {
    expect((await call(`${url}/api/v1/findings/list`)).status).toBe(401);
    expect(
      (
        await call(`${url}/api/v1/findings/list`, {
          headers: bearer('tp_0000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
        })
      ).status,
    ).toBe(401);
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer("' OR 1=1 --") })).status).toBe(401);
    const wrong = await call(`${url}/api/v1/auth/login`, {
      body: { username: 'admin', password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect((wrong.body as { error: { message: string } }).error.message).toBe('wrong username or password');
  });

  it('a session cookie without the CSRF token cannot change anything', async () => {
    const r = await call(`${url}/api/v1/admin/keys`, {
      headers: { cookie: admin.cookie! },
      body: { name: 'x', scopes: ['read'] },
    });
    expect(r.status).toBe(403);
    expect(r.text).toContain('X-CSRF-Token');
  });

  it('the session cookie is httpOnly, Secure and SameSite=Strict', async () => {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'test-admin-password-123' }),
    });
    const c = res.headers.getSetCookie()[0]!;
    expect(c).toMatch(/HttpOnly/i);
    expect(c).toMatch(/Secure/i);
    expect(c).toMatch(/SameSite=Strict/i);
  });

  it('a key is shown once, listed without its secret, revocable, and the audit log records it', async () => {
    const key = await createKey(url, admin, 'default', ['read']);
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer(key) })).status).toBe(200);
    const list = await call<{ keys: { keyId: string }[] }>(`${url}/api/v1/admin/keys`, { headers: admin });
    // the secret is base64url and may itself hold '_': everything after the key id
    const secret = key.slice(key.indexOf('_', 3) + 1);
    expect(secret).toHaveLength(32);
    expect(list.text).not.toContain(secret);
    const keyId = key.split('_')[1]!;
    expect(list.body.keys.map((k) => k.keyId)).toContain(keyId);
    expect((await call(`${url}/api/v1/admin/keys/revoke`, { headers: admin, body: { keyId } })).status).toBe(
      200,
    );
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer(key) })).status).toBe(401);
    const audit = await call<{ entries: { action: string; target: string }[] }>(`${url}/api/v1/admin/audit`, {
      headers: admin,
    });
    expect(
      audit.body.entries
        .filter((e) => e.target === keyId)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['key.create', 'key.revoke']);
  });
});

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

describe('workspace isolation, walking the route table', () => {
  it('a key of one workspace is refused on every workspace route when it names another', async () => {
    for (const r of routes.filter((x) => x.workspace)) {
      const res = await call(`${url}${r.path}`, {
        method: r.method,
        headers: { ...bearer(keyB), 'x-touchpoint-workspace': 'default' },
        ...(r.method === 'POST' ? { body: r.kind === 'ingest' ? events('iso', 1) : {} } : {}),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
    }
  });

  it('a user is refused on every workspace route for a workspace they were not given', async () => {
    const made = await call(`${url}/api/v1/admin/users`, {
      headers: admin,
      body: {
        username: 'only-other',
        password: 'password-only-other',
        role: 'analyst',
        workspaces: ['other'],
      },
    });
    expect(made.status).toBe(200);
    const user = await adminSession(url, 'only-other', 'password-only-other');
    for (const r of routes.filter((x) => x.workspace)) {
      const res = await call(`${url}${r.path}`, {
        method: r.method,
        headers: { ...user, 'x-touchpoint-workspace': 'default' },
        ...(r.method === 'POST' ? { body: r.kind === 'ingest' ? events('iso', 1) : {} } : {}),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
    }
    const own = await call(`${url}/api/v1/overview/summary`, {
      headers: { ...user, 'x-touchpoint-workspace': 'other' },
    });
    expect(own.status).toBe(200);
  });

  it('what a key writes lands in its own workspace only, and it reads only its own', async () => {
    const a0 = await counts(keyA);
    const b0 = await counts(keyB);
    const r = await call(`${url}/api/v1/ingest/events`, { headers: bearer(keyB), body: events('onlyB', 10) });
    expect(r.status).toBe(200);
    expect((await counts(keyA)).events).toBe(a0.events);
    expect((await counts(keyB)).events).toBe((b0.events ?? 0) + 10);
    // the same ids in the other workspace are new there, not duplicates
    const again = await call<{ rowsStored: number }>(`${url}/api/v1/ingest/events`, {
      headers: bearer(keyA),
      body: events('onlyB', 10),
    });
    expect(again.body.rowsStored).toBe(10);
    // admin keys of B see B's keys and audit only
    const keys = await call<{ keys: { workspace: string }[] }>(`${url}/api/v1/admin/keys`, {
      headers: bearer(keyB),
    });
    expect(new Set(keys.body.keys.map((k) => k.workspace))).toEqual(new Set(['other']));
    const audit = await call<{ entries: { workspace: string }[] }>(`${url}/api/v1/admin/audit`, {
      headers: bearer(keyB),
    });
    expect(audit.body.entries.every((e) => e.workspace === 'other')).toBe(true);
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

describe('public survey answers', () => {
  let tokens: string[] = [];

  beforeAll(async () => {
    const def = await call(`${url}/api/v1/feedback/survey-define`, {
      headers: bearer(keyA),
      body: {
        id: 'post-purchase',
        name: 'After purchase',
        touchpoint: 'checkout',
        question: ['nps*:recommend:How likely are you to recommend us?', 'text:why:What is the main reason?'],
      },
    });
    expect(def.status).toBe(200);
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', customerIds: ['cu-1', 'cu-2', 'cu-3'] },
    });
    expect(issued.status).toBe(200);
    tokens = issued.body.tokens.map((t) => t.token);
  });

  it('shows the survey questions to the holder of a token only', async () => {
    const def = await call<{ name: string; questions: { id: string; type: string; required: boolean }[] }>(
      `${url}/s/post-purchase/definition?t=${tokens[0]}`,
    );
    expect(def.status).toBe(200);
    expect(def.body.name).toBe('After purchase');
    expect(def.body.questions.map((q) => [q.id, q.type, q.required])).toEqual([
      ['recommend', 'nps', true],
      ['why', 'text', false],
    ]);
    expect((await call(`${url}/s/post-purchase/definition`)).status).toBe(400);
    expect((await call(`${url}/s/post-purchase/definition?t=${'y'.repeat(32)}`)).status).toBe(403);
  });

  it('stores a detractor answer as feedback within a second and creates its follow-up; the token works once', async () => {
    const before = await counts(keyA);
    const t0 = Date.now();
    const r = await call<{ stored: number; followUpsCreated: number }>(`${url}/s/post-purchase/answers`, {
      body: {
        token: tokens[0],
        question: 'recommend',
        score: 3,
        comment: 'Delivery was late and nobody told me',
      },
    });
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.body.stored).toBe(1);
    // createFollowUps catches up every detractor without one (the ingest test's 'slow' answer too)
    expect(r.body.followUpsCreated).toBeGreaterThanOrEqual(1);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
    const fu = await call<{ items: { customerId: string; score: number }[] }>(
      `${url}/api/v1/feedback/follow-ups`,
      { headers: bearer(readA) },
    );
    expect(JSON.stringify(fu.body)).toContain('cu-1');
    const again = await call(`${url}/s/post-purchase/answers`, {
      body: { token: tokens[0], question: 'recommend', score: 9 },
    });
    expect(again.status).toBe(409);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
  });

  it('refuses answers that break the survey definition, naming the field, and keeps the token usable', async () => {
    const before = await counts(keyA);
    const bad = await call<{ error: { details: { field: string }[] } }>(`${url}/s/post-purchase/answers`, {
      body: { token: tokens[1], answers: [{ question: 'recommend', score: 11 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]!.field).toBe('answers[0].score');
    const missing = await call<{ error: { details: { field: string }[] } }>(
      `${url}/s/post-purchase/answers`,
      {
        body: { token: tokens[1], answers: [{ question: 'why', comment: 'fine' }] },
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0]!.field).toBe('answers.recommend');
    expect(await counts(keyA)).toEqual(before);
    const ok = await call(`${url}/s/post-purchase/answers`, {
      body: {
        token: tokens[1],
        answers: [
          { question: 'recommend', score: 10 },
          { question: 'why', comment: 'fast' },
        ],
      },
    });
    expect(ok.status).toBe(200);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 2);
  });

  it('a detractor score and a text answer in one submission: the follow-up carries the text', async () => {
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', customerIds: ['cu-9'] },
    });
    const r = await call<{ stored: number; followUpsCreated: number }>(`${url}/s/post-purchase/answers`, {
      body: {
        token: issued.body.tokens[0]!.token,
        answers: [
          { question: 'recommend', score: 2 },
          { question: 'why', comment: 'The parcel came open' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect([r.body.stored, r.body.followUpsCreated]).toEqual([2, 1]);
    const fu = await call<{ items: { customerId: string; score: number; comment: string }[] }>(
      `${url}/api/v1/feedback/follow-ups?sort=newest`,
      { headers: bearer(readA) },
    );
    // newest answer first (the default order is severity × age since the answer)
    expect(fu.body.items[0]).toEqual(
      expect.objectContaining({ customerId: 'cu-9', score: 2, comment: 'The parcel came open' }),
    );
  });

  it('two concurrent answers with one token: exactly one is stored', async () => {
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', count: 1 },
    });
    const token = issued.body.tokens[0]!.token;
    const before = await counts(keyA);
    const answers = await Promise.all(
      [7, 8, 9].map((score) =>
        call(`${url}/s/post-purchase/answers`, { body: { token, question: 'recommend', score } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
  });

  it('a token answers only its own survey; an unknown token is refused', async () => {
    expect(
      (
        await call(`${url}/s/other-survey/answers`, {
          body: { token: tokens[2], question: 'recommend', score: 5 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(`${url}/s/post-purchase/answers`, {
          body: { token: 'x'.repeat(32), question: 'recommend', score: 5 },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(`${url}/s/post-purchase/answers`, { body: { question: 'recommend', score: 5 } })).status,
    ).toBe(400);
  });
});
