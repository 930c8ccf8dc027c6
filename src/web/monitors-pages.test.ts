/**
 * The Monitors and Alerts pages in a real browser (Debian's Chromium) against the real server on the
 * demo company, after its default monitors were accepted and run over the year (so the planted breaks
 * have fired: src/demo/monitors.ts). Skips when /usr/bin/chromium is absent. Screenshots, light and
 * dark, go to artifacts/web/ (git-ignored).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { demoDbPath } from '../demo/test-fixture.js';
import { type Alert, acceptProposals, runMonitors } from '../monitors/index.js';
import { openStore } from '../store/index.js';
import { ensureWebBuild } from './build.js';
import { haveChromium, launchChromium, startCockpitServer, waitForContent } from './testing/browser.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/web');

if (!haveChromium())
  console.warn('monitors page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

describe.skipIf(!haveChromium())('Monitors and Alerts pages in Chromium on the demo company', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'tp-monitors-web-'));
    const db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    const store = await openStore(db);
    try {
      const manifest = (await readManifest(store))!;
      await acceptProposals(store, { ids: [], all: true });
      await runMonitors(store, { monitor: [], due: false, from: '2026-06-01', asOf: manifest.asOf });
    } finally {
      await store.close();
    }
    server = await startCockpitServer(db, dir);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (scheme: 'light' | 'dark', hash: string) => {
    const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/${hash}`);
    await waitForContent(page);
    return { ctx, page, errors };
  };

  it('shows the monitors, and the series of the one that fired most with its band and firings, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(scheme, 'monitors');
      const table = (await page.locator('table').first().textContent()) ?? '';
      expect(table).toContain('Contacts — reason order status (daily)');
      await page.waitForSelector('[data-monitor]');
      await waitForContent(page);
      expect(await page.locator('.chart-canvas').count()).toBe(1);
      const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
      const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `monitors-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 180_000);

  it('lists the alerts by group and acknowledges one from the inbox, recorded as the API says', async () => {
    const before = (await (await fetch(`${server.url}/api/v1/alerts/list`)).json()) as { alerts: Alert[] };
    const target = before.alerts.find((a) => a.monitor === 'contacts.reason=order-status')!;
    expect(target).toBeDefined();
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(scheme, 'alerts');
      expect(await page.locator('[data-group]').count()).toBe(
        new Set(before.alerts.map((a) => a.groupKey)).size,
      );
      await page.screenshot({ path: join(ARTIFACTS, `alerts-${scheme}.png`), fullPage: true });
      const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
      const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
      expect(errors).toEqual([]);
      if (scheme === 'dark') {
        const row = page
          .locator(`[data-group="${target.groupKey}"] tr`, { hasText: target.monitorName! })
          .first();
        await row.getByRole('button', { name: 'Ack' }).click();
        await page.waitForFunction(
          async (id) => {
            const r = await fetch('/api/v1/alerts/list?state=acknowledged');
            return ((await r.json()) as { alerts: { id: string }[] }).alerts.some((a) => a.id === id);
          },
          target.id,
          { timeout: 20_000 },
        );
      }
      await ctx.close();
    }
    const after = (await (await fetch(`${server.url}/api/v1/alerts/list?state=acknowledged`)).json()) as {
      alerts: Alert[];
    };
    expect(after.alerts.map((a) => [a.id, a.state])).toEqual([[target.id, 'acknowledged']]);
    expect(after.alerts[0]!.updatedBy).toMatch(/local/);
  }, 180_000);
});
