/**
 * The Monitors and Alerts pages in a real browser (Debian's Chromium) against the real server on the
 * demo company, after its default monitors were accepted and run over the year (so the planted breaks
 * have fired: src/demo/monitors.ts). Skips when /usr/bin/chromium is absent. Screenshots, light and
 * dark, go to artifacts/web/ (git-ignored).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { type Alert, acceptProposals, runMonitors } from '../monitors/index.js';
import { haveChromium, waitForContent } from './testing/browser.js';
import { ARTIFACTS, cockpitOnDemoCopy, openPage, seriousA11y } from './testing/cockpit.test-helpers.js';

if (!haveChromium())
  console.warn('monitors page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

describe.skipIf(!haveChromium())('Monitors and Alerts pages in Chromium on the demo company', () => {
  const server = cockpitOnDemoCopy('monitors', async (store) => {
    const manifest = (await readManifest(store))!;
    await acceptProposals(store, { ids: [], all: true });
    await runMonitors(store, { monitor: [], due: false, from: '2026-06-01', asOf: manifest.asOf });
  });
  const open = (scheme: 'light' | 'dark', hash: string) =>
    openPage(server.browser, `${server.url}/#/${hash}`, { scheme });

  it('shows the monitors, and the series of the one that fired most with its band and firings, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(scheme, 'monitors');
      const table = (await page.locator('table').first().textContent()) ?? '';
      expect(table).toContain('Contacts — reason order status (daily)');
      await page.waitForSelector('[data-monitor]');
      await waitForContent(page);
      expect(await page.locator('.chart-canvas').count()).toBe(1);
      expect(await seriousA11y(page)).toEqual([]);
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
      expect(await seriousA11y(page)).toEqual([]);
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
