import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  bearer,
  type ChildServer,
  call,
  createKey,
  runCli,
  startChild,
  tempDir,
} from '../server/test-harness.js';

// An impossible date at every edge: a 400 naming the field over HTTP (feedback answered a raw engine
// error, HTTP 500, before the one time vocabulary), exit code 2 with one line naming the flag in the
// CLI. Runs under TZ=UTC and TZ=America/New_York (vitest.config.ts); the server inherits the zone.

describe('an impossible date over HTTP (real server)', () => {
  let srv: ChildServer;
  let key: string;
  beforeAll(async () => {
    srv = await startChild();
    const session = await adminSession(srv.url);
    key = await createKey(srv.url, session, 'default', ['read', 'ingest']);
  });
  afterAll(async () => {
    await srv?.stop();
    rmSync(srv.dataDir, { recursive: true, force: true });
  });

  it.each([
    ['feedback/comments', 'from', '2026-02-30', '"2026-02-30": 2026-02 has no day 30 (it has 28 days)'],
    ['feedback/scores', 'to', '2026-03-01T24:61', '"2026-03-01T24:61": hour 24 is outside 00–23'],
    ['cases/handoffs', 'from', '2026-02-30', '"2026-02-30": 2026-02 has no day 30 (it has 28 days)'],
    ['journey/funnel', 'asOf', '10000-01-01', '"10000-01-01": year 10000 is outside 1900–9999'],
  ])('GET %s?%s=%s is a 400 naming the field', async (path, field, value, message) => {
    const r = await call<{ error: { code: string; message: string; details: unknown[] } }>(
      `${srv.url}/api/v1/${path}?${field}=${encodeURIComponent(value)}`,
      { headers: bearer(key) },
    );
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.details[0]).toEqual({ field, message });
  });

  it('a persona filter before personas exist is a 409 "unavailable" naming the field, not a 500', async () => {
    const r = await call<{ error: { code: string; details: unknown[] } }>(
      `${srv.url}/api/v1/cases/handoffs?persona=bargain`,
      { headers: bearer(key) },
    );
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('unavailable');
    expect(r.body.error.details[0]).toEqual({ field: 'persona', message: 'no personas yet' });
  });
});

describe('an impossible date in the CLI (real process)', () => {
  const dir = tempDir('tp-time-cli-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with one line naming the flag', async () => {
    const db = join(dir, 'w.duckdb');
    const teams = join(dir, 'teams.csv');
    writeFileSync(teams, 'id,name\nt1,Billing\n');
    expect((await runCli(['import', 'teams', teams, '--db', db])).code).toBe(0);
    const r = await runCli(['feedback', 'comments', '--from', '2026-02-30', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'touchpoint: --from: "2026-02-30": 2026-02 has no day 30 (it has 28 days)',
    ]);
  });
});
