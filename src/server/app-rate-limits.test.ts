import { describe, expect, it } from 'vitest';
import { startServer } from './app.js';
import { key, s, useAppServer } from './app.test-helpers.js';
import { bearer, call, defaultKey, tempDir } from './test-harness.js';

/** In-process server with test operations: rate limits per address, per key and per presented key id, and the 429 answer. */
useAppServer();

describe('rate limits', () => {
  it('per IP on public endpoints and per key on the API, answered 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(`${s.url}/s/x/answers`, { body: {} })).status);
    expect(statuses.slice(0, 5).every((c) => c === 400)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const k2 = await defaultKey(s.url, ['read']);
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
    const fresh = await defaultKey(s.url, ['read']);
    expect((await call(`${s.url}/api/v1/test/count`, { headers: bearer(fresh) })).status).toBe(200);
  });

  it("a valid key is never refused because someone guesses its own key id's secret", async () => {
    const good = await defaultKey(s.url, ['read']);
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
