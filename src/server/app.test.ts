import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { openStore, sql } from '../store/index.js';
import { type RunningServer, startServer } from './app.js';
import { adminSession, bearer, call, createKey, tempDir } from './test-harness.js';

/** In-process server with a test operation: pagination, CSV, local admin, rate limits, graceful shutdown. */
const rowsOp = defineOperation({
  area: 'test',
  verb: 'rows',
  summary: 'n numbered rows',
  params: z.object({
    n: z.number().int().min(0).max(100_000).default(25),
    tag: z.array(z.string()).optional(),
  }),
  mode: 'read',
  listField: 'rows',
  run: async (_db, p) => ({
    total: p.n,
    tags: p.tag ?? [],
    rows: Array.from({ length: p.n }, (_, i) => ({
      i,
      label: i === 0 ? '=HYPERLINK("x")' : `row, "${i}"`,
      meta: { odd: i % 2 === 1 },
    })),
  }),
});
const summaryOp = defineOperation({
  area: 'test',
  verb: 'count',
  summary: 'events in the workspace',
  params: z.object({}),
  mode: 'read',
  run: async (db) => (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!,
});

const settingOp = defineOperation({
  area: 'test',
  verb: 'memory',
  summary: "the workspace database's memory_limit",
  params: z.object({}),
  mode: 'read',
  run: async (db) => (await db.one<{ v: string }>(sql`SELECT current_setting('memory_limit') AS v`))!,
});

let s: RunningServer;
let key: string;
const lines: string[] = [];

beforeAll(async () => {
  process.env.TOUCHPOINT_ADMIN_PASSWORD = 'test-admin-password-123';
  s = await startServer({
    port: 0,
    dataDir: tempDir(),
    operations: [rowsOp, summaryOp, settingOp],
    workspaceMemory: '300MB',
    localAdmin: true,
    logLevel: 'warn',
    rateLimit: { perKey: 40, perIp: 5, authFailures: 4 },
    print: (l) => lines.push(l),
  });
  key = await createKey(s.url, await adminSession(s.url), 'default', ['read', 'ingest']);
});

afterAll(async () => {
  await s?.close();
  delete process.env.TOUCHPOINT_ADMIN_PASSWORD;
});

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

describe('local admin (npm start)', () => {
  it('signs in loopback requests without credentials, but not cross-site or rebinding ones', async () => {
    expect((await call(`${s.url}/api/v1/auth/me`)).body).toMatchObject({ type: 'local', role: 'admin' });
    const create = await call(`${s.url}/api/v1/admin/workspaces`, { body: { name: 'local-ws' } });
    expect(create.status).toBe(200);
    const crossSite = await call(`${s.url}/api/v1/admin/workspaces`, {
      body: { name: 'evil' },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(401);
    const foreignOrigin = await call(`${s.url}/api/v1/admin/workspaces`, {
      body: { name: 'evil' },
      headers: { origin: 'http://evil.example' },
    });
    expect(foreignOrigin.status).toBe(401);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends Host: evil.example
    const rebinding = await new Promise<number>((done, fail) => {
      const u = new URL(`${s.url}/api/v1/auth/me`);
      request(
        { host: u.hostname, port: u.port, path: u.pathname, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        },
      )
        .on('error', fail)
        .end();
    });
    expect(rebinding).toBe(421);
  });

  it('DNS rebinding: a Host that is not an exact loopback literal with our port gets 421 and no admin rights', async () => {
    const port = new URL(s.url).port;
    const raw = (host: string, method = 'GET', path = '/api/v1/auth/me', body?: string) =>
      new Promise<{ status: number; text: string }>((done, fail) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method,
            headers: {
              host,
              origin: `http://${host}`,
              ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (b: Buffer) => {
              text += b.toString();
            });
            res.on('end', () => done({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', fail);
        req.end(body);
      });
    // a page on http://127.attacker.example:PORT/ rebound to 127.0.0.1 is same-origin with itself
    for (const host of [`127.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.:${port}`]) {
      const me = await raw(host);
      expect(me.status, host).toBe(421);
      expect(JSON.parse(me.text).error.code).toBe('misdirected_request');
      const mint = await raw(host, 'POST', '/api/v1/admin/workspaces', JSON.stringify({ name: 'rebound' }));
      expect(mint.status, host).toBe(421);
    }
    // the right name on another port (a second server, a proxy) is not this server either
    expect((await raw('localhost:1')).status).toBe(421);
    const list = await call<{ workspaces: { name: string }[] }>(`${s.url}/api/v1/admin/workspaces`);
    expect(list.body.workspaces.map((w) => w.name)).not.toContain('rebound');
    // the exact literals on our port are local admin
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.9.8.7:${port}`]) {
      const me = await raw(host);
      expect(me.status, host).toBe(200);
      expect(JSON.parse(me.text)).toMatchObject({ type: 'local', role: 'admin' });
    }
  });

  it('is never on for a host that is not loopback', async () => {
    const { isLoopback } = await import('./app.js');
    expect(['127.0.0.1', '::1', 'localhost', '127.0.0.2'].every(isLoopback)).toBe(true);
    expect(
      ['0.0.0.0', '192.168.1.4', '::', 'example.com', '127.evil.example', '127.1'].some(isLoopback),
    ).toBe(false);
  });
});

describe('rate limits', () => {
  it('per IP on public endpoints and per key on the API, answered 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(`${s.url}/s/x/answers`, { body: {} })).status);
    expect(statuses.slice(0, 5).every((c) => c === 400)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const k2 = await createKey(s.url, await adminSession(s.url), 'default', ['read']);
    let limited = 0;
    for (let i = 0; i < 45; i++)
      if ((await call(`${s.url}/api/v1/test/count`, { headers: bearer(k2) })).status === 429) limited++;
    expect(limited).toBe(5);
  });

  it('429 answers carry Retry-After and the documented error shape', async () => {
    for (let i = 0; i < 6; i++) await call(`${s.url}/s/y/answers`, { body: {} });
    const r = await call<{ error: { code: string; message: string; details: unknown[]; requestId: string } }>(
      `${s.url}/s/y/answers`,
      { body: {} },
    );
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(r.body.error).toMatchObject({ code: 'rate_limited', details: [] });
    expect(r.body.error.message).toMatch(/^rate limited: at most 5 /);
    expect(r.body.error.requestId).toBe(r.headers.get('x-request-id'));
  });

  it('failed key checks are limited per presented key id: guessing one key stops with 429, valid keys from the same address still work', async () => {
    const guess = (i: number) => bearer(`tp_${'0'.repeat(15)}1_${'A'.repeat(31)}${i}`);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await call(`${s.url}/api/v1/test/count`, { headers: guess(i) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    // another key id is not affected, nor is a valid key sent from the very same address
    const other = await call(`${s.url}/api/v1/test/count`, {
      headers: bearer(`tp_${'0'.repeat(15)}2_${'A'.repeat(32)}`),
    });
    expect(other.status).toBe(401);
    const fresh = await createKey(s.url, await adminSession(s.url), 'default', ['read']);
    expect((await call(`${s.url}/api/v1/test/count`, { headers: bearer(fresh) })).status).toBe(200);
  });

  it("a valid key is never refused because someone guesses its own key id's secret", async () => {
    const good = await createKey(s.url, await adminSession(s.url), 'default', ['read']);
    expect((await call(`${s.url}/api/v1/test/count`, { headers: bearer(good) })).status).toBe(200);
    const keyId = good.split('_')[1]!;
    for (let i = 0; i < 6; i++)
      await call(`${s.url}/api/v1/test/count`, { headers: bearer(`tp_${keyId}_${'B'.repeat(31)}${i}`) });
    const attacker = await call(`${s.url}/api/v1/test/count`, {
      headers: bearer(`tp_${keyId}_${'C'.repeat(32)}`),
    });
    expect(attacker.status).toBe(429);
    expect((await call(`${s.url}/api/v1/test/count`, { headers: bearer(good) })).status).toBe(200);
  });

  it('malformed keys are limited per address, and never block a valid key from that address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await call(`${s.url}/api/v1/test/count`, { headers: bearer(`junk-${i}`) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect((await call(`${s.url}/api/v1/test/count`, { headers: bearer(key) })).status).toBe(200);
  });

  it('X-Forwarded-For counts only from a configured proxy (--trust-proxy)', async () => {
    // without trust-proxy, a forged header does not buy a fresh limit
    const forged: number[] = [];
    for (let i = 0; i < 7; i++)
      forged.push(
        (await call(`${s.url}/s/z/answers`, { body: {}, headers: { 'x-forwarded-for': `10.0.0.${i}` } }))
          .status,
      );
    expect(forged.slice(5)).toEqual([429, 429]);
    const srv = await startServer({
      port: 0,
      dataDir: tempDir(),
      logLevel: 'warn',
      rateLimit: { perIp: 3 },
      trustProxy: ['127.0.0.1', '::1'],
      print: () => {},
    });
    try {
      const from = async (client: string) =>
        (await call(`${srv.url}/s/z/answers`, { body: {}, headers: { 'x-forwarded-for': client } })).status;
      const a: number[] = [];
      for (let i = 0; i < 4; i++) a.push(await from('203.0.113.7'));
      expect(a).toEqual([400, 400, 400, 429]);
      // another client behind the same proxy has its own limit
      expect(await from('203.0.113.8')).toBe(400);
    } finally {
      await srv.close();
    }
  });
});

describe('memory', () => {
  it("each workspace's DuckDB gets the configured memory_limit (issue 16 item 10)", async () => {
    const r = await call<{ v: string }>(`${s.url}/api/v1/test/memory`, { headers: bearer(key) });
    expect(r.status).toBe(200);
    // DuckDB reports 300MB (decimal) in binary units: 300e6 / 2^20 = 286.1 MiB
    expect(r.body.v).toBe('286.1 MiB');
  });

  it('by default, 80% of RAM shared among the workspaces expected open at once, at least 256 MB', async () => {
    const { fairMemoryShare } = await import('./limits.js');
    expect(fairMemoryShare(8, 16 * 2 ** 30)).toBe('1638MB'); // 0.8 × 16384 MiB / 8
    expect(fairMemoryShare(100, 8 * 2 ** 30)).toBe('256MB');
  });
});

describe('graceful shutdown', () => {
  it('finishes ingest in flight, then refuses new work; every acknowledged batch is stored', async () => {
    const dataDir = tempDir();
    const srv = await startServer({ port: 0, dataDir, logLevel: 'warn', print: () => {} });
    const k = await createKey(srv.url, await adminSession(srv.url), 'default', ['ingest']);
    const batch = (b: number) =>
      Array.from({ length: 500 }, (_, i) => ({
        id: `g${b}-${i}`,
        customer_id: 'c',
        ts: '2026-01-01T00:00:00Z',
        channel: 'web',
        touchpoint: 't',
      }));
    const sends = Array.from({ length: 12 }, (_, b) =>
      call(`${srv.url}/api/v1/ingest/events`, { headers: bearer(k), body: batch(b) }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((r) => setTimeout(r, 30));
    const closing = srv.close();
    const late = await call(`${srv.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    const statuses = await Promise.all(sends);
    await closing;
    expect([0, 503]).toContain(late);
    const ok = statuses.filter((c) => c === 200).length;
    expect(statuses.every((c) => c === 200 || c === 503 || c === 0)).toBe(true);
    const db = await openStore(join(dataDir, 'workspaces', 'default.duckdb'));
    const n = (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!.n;
    await db.close();
    expect(n).toBeGreaterThanOrEqual(ok * 500);
    expect(n % 500).toBe(0);
  });
});

describe('CORS', () => {
  it('is off by default and, when configured, allows only the given origins', async () => {
    const noCors = await fetch(`${s.url}/healthz`, { headers: { origin: 'https://app.example' } });
    expect(noCors.headers.get('access-control-allow-origin')).toBeNull();
    const srv = await startServer({
      port: 0,
      dataDir: tempDir(),
      logLevel: 'warn',
      corsOrigins: ['https://app.example'],
      print: () => {},
    });
    try {
      const pre = (origin: string) =>
        fetch(`${srv.url}/api/v1/ingest/events`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      expect((await pre('https://app.example')).headers.get('access-control-allow-origin')).toBe(
        'https://app.example',
      );
      expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await srv.close();
    }
  });
});
