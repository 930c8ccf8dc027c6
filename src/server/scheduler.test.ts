import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../monitors/index.js';
import { BREAK_DAY, monitorFixture } from '../monitors/test-fixture.js';
import { openStore, sql } from '../store/index.js';
import {
  adminSession,
  bearer,
  type ChildServer,
  call,
  createKey,
  runCli,
  startChild,
  tempDir,
} from './test-harness.js';

/**
 * The scheduler inside `touchpoint serve`, on a real server process on loopback: a monitor whose next
 * period is due is run by the scheduler (a 300 ms tick), its firing is served by `alerts list`, and
 * `touchpoint monitors run` from the command line goes through the running server (which holds the
 * file) and adds nothing twice.
 */
describe('the monitor scheduler in touchpoint serve', () => {
  const dir = tempDir('tp-scheduler-');
  const db = join(dir, 'ws.duckdb');
  let server: ChildServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs due monitors at their cadence, and monitors run goes through the server', async () => {
    const store = await openStore(db);
    await monitorFixture(store);
    await createMonitor(store, { metric: 'volume', touchpoint: 'checkout' });
    // judged up to the day before the break: the next periods (the break, then five more) are due
    await store.exec(sql`UPDATE monitors SET last_period = TIMESTAMP '2026-04-05'`);
    await store.close();

    server = await startChild({ db, env: { TOUCHPOINT_SCHEDULER_MS: '300' } });
    const deadline = Date.now() + 60_000;
    while (
      !/scheduler: default: 1 monitor\(s\) run, 1 new alert/.test(server.stderr()) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 200));
    expect(server.stderr()).toMatch(/scheduler: default: 1 monitor\(s\) run, 1 new alert\(s\)/);

    const admin = await adminSession(server.url);
    const key = await createKey(server.url, admin, 'default', ['admin']);
    const list = await call<{ alerts: { id: string; state: string }[] }>(`${server.url}/api/v1/alerts/list`, {
      headers: bearer(key),
    });
    expect(list.status).toBe(200);
    expect(list.body.alerts.map((a) => [a.id, a.state])).toEqual([
      [`volume.touchpoint=checkout@${BREAK_DAY}T00:00:00.000Z`, 'open'],
    ]);

    // cron: the CLI finds the server holding the file and sends the run to it; a period fires once
    const cli = await runCli(['--db', db, '--json', 'monitors', 'run', '--from', '2026-03-30'], {
      TOUCHPOINT_API_KEY: key,
    });
    expect(cli.stderr).toContain(`is held by the server at ${server.url}; sending the command to it`);
    expect(cli.code).toBe(0);
    const r = JSON.parse(cli.stdout) as { newAlerts: number; monitors: { firings: string[] }[] };
    expect(r.newAlerts).toBe(0);
    expect(r.monitors[0]!.firings).toEqual([`volume.touchpoint=checkout@${BREAK_DAY}T00:00:00.000Z`]);

    // acknowledge through the API (write permission), recorded with the key as actor
    const ack = await call<{ changed: { to: string }[]; by: string }>(`${server.url}/api/v1/alerts/ack`, {
      headers: bearer(key),
      body: { ids: [list.body.alerts[0]!.id] },
    });
    expect(ack.status).toBe(200);
    expect(ack.body.changed).toEqual([{ id: list.body.alerts[0]!.id, from: 'open', to: 'acknowledged' }]);
  }, 120_000);
});
