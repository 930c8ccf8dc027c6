import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAutomation } from '../automations/index.js';
import { addDestination, enqueue, listOutbox } from '../notify/index.js';
import { startReceiver } from '../notify/receiver.test-helpers.js';
import { openStore } from '../store/index.js';
import { adminSession, bearer, call, createKey, startChild, tempDir } from './test-harness.js';

const KEYS = ['fire-1', 'fire-2', 'fire-3', 'fire-4', 'fire-5'];
const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * At least once, never a duplicate from the receiver's view: `touchpoint serve` delivers the outbox
 * on its own; SIGKILLed while the receiver holds one request (sent, not answered, so its outcome is
 * not committed), then restarted on the same files, it sends that message again with the same
 * webhook-id. The receiver (which, as Standard Webhooks asks, drops an id it has processed) sees
 * every key, each processed once, none lost.
 */
describe('the delivery loop inside touchpoint serve', () => {
  it('loses no message and duplicates none by key across a SIGKILL mid-delivery', async () => {
    let secret = '';
    let holdFire3 = true;
    const rx = await startReceiver(
      () => secret,
      (_n, id) => (id === 'fire-3' && holdFire3 ? 'hang' : 200),
    );
    const dataDir = tempDir('tp-notify-');
    const file = join(dataDir, 'workspaces', 'default.duckdb');
    try {
      // the workspace, prepared before the server holds it: a destination and five firings queued
      const db = await openStore(file);
      secret = (await addDestination(db, { name: 'ops-hook', kind: 'webhook', url: rx.url })).secret!;
      for (const k of KEYS) await enqueue(db, { key: k, topic: 'alert', subject: k, text: `firing ${k}` });
      await db.close();

      const env = { TOUCHPOINT_NOTIFY_INTERVAL_MS: '100', TOUCHPOINT_NOTIFY_TIMEOUT_MS: '60000' };
      const first = await startChild({ dataDir, env });
      // four answered, fire-3 held by the receiver: the server is mid-delivery
      await until(
        () => rx.delivered.size === 4 && rx.hanging() === 1,
        30_000,
        'four deliveries and one held',
      );
      // the four outcomes committed (each as its send ends), fire-3 still `sending`: then kill -9
      const admin1 = await adminSession(first.url);
      const end1 = Date.now() + 20_000;
      for (;;) {
        const c = (
          await call<{ counts: Record<string, number> }>(`${first.url}/api/v1/notify/outbox`, {
            headers: admin1,
          })
        ).body.counts;
        if (c.sent === 4 && c.sending === 1) break;
        if (Date.now() > end1)
          throw new Error(`outbox never reached 4 sent + 1 sending: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await first.stop('SIGKILL');
      expect(rx.delivered.has('fire-3')).toBe(false);

      holdFire3 = false;
      const second = await startChild({ dataDir, env });
      try {
        await until(() => rx.delivered.size === 5, 30_000, 'fire-3 after the restart');
        // every key arrived, and each was processed exactly once
        expect([...rx.delivered.keys()].sort()).toEqual(KEYS);
        expect(rx.received.every((r) => r.verified)).toBe(true);
        const perId = new Map<string, number>();
        for (const r of rx.received) perId.set(r.id, (perId.get(r.id) ?? 0) + 1);
        expect(perId.get('fire-3')).toBe(2); // held once, sent again after the restart
        // the server's own record: all sent, through the API
        const admin = await adminSession(second.url);
        let out: { counts: Record<string, number>; items: { key: string; attempts: number }[] } | undefined;
        const end = Date.now() + 10_000;
        do {
          out = (await call<typeof out & object>(`${second.url}/api/v1/notify/outbox`, { headers: admin }))
            .body;
          if (out.counts.sent === 5) break;
          await new Promise((r) => setTimeout(r, 100));
        } while (Date.now() < end);
        expect(out!.counts).toMatchObject({ sent: 5, sending: 0, pending: 0, failed: 0 });
        expect(out!.items.find((i) => i.key === 'fire-3')!.attempts).toBe(2);
        // keys the first process had committed as sent were not sent again
        for (const k of KEYS.filter((x) => x !== 'fire-3')) expect(perId.get(k), k).toBe(1);
      } finally {
        await second.stop();
      }
      const after = await openStore(file);
      expect((await listOutbox(after)).counts.sent).toBe(5);
      await after.close();
    } finally {
      await rx.close();
    }
  }, 120_000);

  it('runs an enabled automation on what is ingested, and delivers what it sends', async () => {
    let secret = '';
    const rx = await startReceiver(() => secret);
    const dataDir = tempDir('tp-notify-auto-');
    const file = join(dataDir, 'workspaces', 'default.duckdb');
    try {
      const db = await openStore(file);
      secret = (await addDestination(db, { name: 'ops-hook', kind: 'webhook', url: rx.url })).secret!;
      // a promise of 2 seconds, so the rule fires within the test
      await createAutomation(db, {
        name: 'overdue',
        rule: 'overdue-update',
        params: JSON.stringify({ promiseHours: 2 / 3600, destinations: 'ops-hook' }),
        enabled: true,
      });
      await db.close();
      const server = await startChild({
        dataDir,
        env: { TOUCHPOINT_NOTIFY_INTERVAL_MS: '100', TOUCHPOINT_AUTOMATIONS_INTERVAL_MS: '300' },
      });
      try {
        const admin = await adminSession(server.url);
        const key = await createKey(server.url, admin, 'default', ['ingest']);
        const opened = new Date().toISOString();
        const r = await call(`${server.url}/api/v1/ingest/cases`, {
          headers: bearer(key),
          body: [
            {
              id: 'case-late',
              customer_id: 'c1',
              opened_at: opened,
              reason: 'refund',
              owner_team: 'returns',
            },
          ],
        });
        expect(r.status).toBe(200);
        await until(() => rx.delivered.size === 1, 30_000, 'the reminder at the receiver');
        const [id, body] = [...rx.delivered][0]! as [string, { type: string; data: Record<string, unknown> }];
        expect(id).toMatch(/^auto:auto-[0-9a-f]+:case:case-late@/);
        expect(body.type).toBe('automation');
        expect(body.data).toMatchObject({ caseId: 'case-late', team: 'returns', automation: 'overdue' });
        const runs = await call<{ runs: { mode: string; actions: number }[] }>(
          `${server.url}/api/v1/automations/runs`,
          { headers: admin },
        );
        expect(runs.body.runs.filter((x) => x.mode === 'live').map((x) => x.actions)).toEqual([1]);
      } finally {
        await server.stop();
      }
    } finally {
      await rx.close();
    }
  }, 120_000);
});
