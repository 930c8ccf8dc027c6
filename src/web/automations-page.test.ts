/**
 * The Automations page in a real browser (Debian's Chromium) against the real server (in-process,
 * its delivery loop running) on a copy of the demo company: two rules, two webhook destinations —
 * one a real receiver on loopback that verifies the Standard Webhooks signature, one a closed port —
 * and three queued alerts. Skips when /usr/bin/chromium is absent. Screenshots, light and dark, go to
 * artifacts/web/ (git-ignored).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomation, type DryRunResult } from '../automations/index.js';
import { demoDbPath } from '../demo/test-fixture.js';
import { addDestination, enqueue, type OutboxResult } from '../notify/index.js';
import { startReceiver } from '../notify/receiver.test-helpers.js';
import { openStore } from '../store/index.js';
import { ensureWebBuild } from './build.js';
import { haveChromium, launchChromium, startCockpitServer, waitForContent } from './testing/browser.js';
import { openPage, seriousA11y } from './testing/cockpit.test-helpers.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/web');

if (!haveChromium())
  console.warn('automations page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

describe.skipIf(!haveChromium())('Automations page in Chromium on the demo company', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let rx: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'tp-auto-web-'));
    const db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    let secret = '';
    rx = await startReceiver(() => secret);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const store = await openStore(db);
    try {
      secret = (await addDestination(store, { name: 'ops-hook', kind: 'webhook', url: rx.url })).secret!;
      await addDestination(store, {
        name: 'pager',
        kind: 'webhook',
        url: `http://127.0.0.1:${deadPort}/page`,
        topics: 'alert',
      });
      for (const k of ['a1', 'a2', 'a3'])
        await enqueue(store, {
          key: `alert-${k}`,
          topic: 'alert',
          subject: `Alert ${k}: CSAT drop at checkout`,
          text: 'x',
        });
      await createAutomation(store, { name: 'detractor follow-ups', rule: 'detractor-follow-up' });
      await createAutomation(store, {
        name: 'overdue updates',
        rule: 'overdue-update',
        params: '{"promiseHours":24,"destinations":"ops-hook"}',
      });
    } finally {
      await store.close();
    }
    // one attempt only, so the unreachable destination's messages fail (and can be sent again)
    process.env.TOUCHPOINT_NOTIFY_MAX_ATTEMPTS = '1';
    server = await startCockpitServer(db, dir);
    delete process.env.TOUCHPOINT_NOTIFY_MAX_ATTEMPTS;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows rules, a dry run as the API computes it, the run log and the outbox, light and dark', async () => {
    // the server's loop delivers on its own: three to the receiver (signatures verified), three failed
    const end = Date.now() + 30_000;
    let outbox: OutboxResult;
    for (;;) {
      outbox = (await (await fetch(`${server.url}/api/v1/notify/outbox`)).json()) as OutboxResult;
      if (outbox.counts.sent === 3 && outbox.counts.failed === 3) break;
      if (Date.now() > end) throw new Error(`outbox never settled: ${JSON.stringify(outbox.counts)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rx.received.every((r) => r.verified)).toBe(true);
    expect([...rx.delivered.keys()].sort()).toEqual(['alert-a1', 'alert-a2', 'alert-a3']);
    const api = (await (
      await fetch(`${server.url}/api/v1/automations/dry-run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ automation: 'overdue updates', days: 60 }),
      })
    ).json()) as DryRunResult;
    expect(api.actions.length).toBeGreaterThan(0);

    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await openPage(browser, `${server.url}/#/automations`, { scheme });
      const rules = (await page.locator('table').first().textContent()) ?? '';
      expect(rules).toContain('detractor follow-ups');
      expect(rules).toContain('overdue updates');
      await page
        .locator('tr', { hasText: 'overdue updates' })
        .getByRole('button', { name: 'Dry run' })
        .click();
      await page.getByLabel('Replay the last … days').fill('60');
      await page.getByRole('button', { name: 'Dry run overdue updates' }).click();
      const summary = page.locator('[data-testid="dry-run-summary"]');
      await summary.waitFor();
      expect(await summary.getAttribute('data-actions')).toBe(String(api.actions.length));
      const dry = (await page.locator('[data-testid="dry-run"]').textContent()) ?? '';
      expect(dry).toContain(api.actions[0]!.summary.slice(0, 40));
      // the outbox as the API has it: counts and a failed destination's error
      const counts = (await page.locator('[data-testid="outbox-counts"]').textContent()) ?? '';
      expect(counts).toMatch(/sent\s*3/);
      expect(counts).toMatch(/failed\s*3/);
      const outboxText =
        (await page.locator('section', { hasText: 'Notification outbox' }).textContent()) ?? '';
      expect(outboxText).toContain('could not reach the receiver (ECONNREFUSED)');
      // the run log shows the dry runs (the API's and this one)
      await page.reload();
      await waitForContent(page);
      const log = (await page.locator('section', { hasText: 'Run log' }).textContent()) ?? '';
      expect(log).toContain('dry-run');
      expect(await seriousA11y(page)).toEqual([]);
      expect(errors).toEqual([]);
      // the dry run again for the picture
      await page
        .locator('tr', { hasText: 'overdue updates' })
        .getByRole('button', { name: 'Dry run' })
        .click();
      await page.getByLabel('Replay the last … days').fill('60');
      await page.getByRole('button', { name: 'Dry run overdue updates' }).click();
      await page.locator('[data-testid="dry-run-summary"]').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `automations-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 240_000);

  it('sends a failed message again from the outbox', async () => {
    const before = (
      (await (await fetch(`${server.url}/api/v1/notify/outbox?key=alert-a2`)).json()) as OutboxResult
    ).items.find((i) => i.destination === 'pager')!;
    expect(before.status).toBe('failed');
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/automations`);
    await waitForContent(page);
    await page
      .locator('tr', { hasText: 'Alert a2' })
      .filter({ hasText: 'pager' })
      .getByRole('button', { name: 'Send again' })
      .click();
    // the loop tries it again: a later attempt, failed again (the port is still closed)
    const end = Date.now() + 20_000;
    for (;;) {
      const now = (
        (await (await fetch(`${server.url}/api/v1/notify/outbox?key=alert-a2`)).json()) as OutboxResult
      ).items.find((i) => i.destination === 'pager')!;
      if (now.status === 'failed' && now.lastAttemptAt !== before.lastAttemptAt) break;
      if (Date.now() > end) throw new Error(`not sent again: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await ctx.close();
  }, 120_000);

  it('switches a rule on from the page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/automations`);
    await waitForContent(page);
    await page
      .locator('tr', { hasText: 'detractor follow-ups' })
      .getByRole('button', { name: 'Switch on' })
      .click();
    await page
      .locator('tr', { hasText: 'detractor follow-ups' })
      .getByRole('button', { name: 'Switch off' })
      .waitFor();
    const list = (await (await fetch(`${server.url}/api/v1/automations/list`)).json()) as {
      automations: { name: string; enabled: boolean }[];
    };
    expect(list.automations.find((a) => a.name === 'detractor follow-ups')!.enabled).toBe(true);
    await ctx.close();
  }, 120_000);
});
