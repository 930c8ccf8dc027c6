/**
 * The Goals page in a real browser (Debian's Chromium) against the real server on the demo company,
 * whose generator seeds three goals (src/goals/demo-goals.ts). Skips when /usr/bin/chromium is absent.
 * Screenshots, light and dark, go to artifacts/web/ (git-ignored).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDbPath } from '../demo/test-fixture.js';
import type { GoalsStatusResult } from '../goals/index.js';
import { startServer } from '../server/index.js';
import { ensureWebBuild, WEB_DIST } from './build.js';
import { haveChromium, launchChromium, waitForContent } from './testing/browser.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/web');

if (!haveChromium())
  console.warn('goals page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

describe.skipIf(!haveChromium())('Goals page in Chromium on the demo company', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'tp-goals-web-'));
    const db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    server = await startServer({
      db,
      dataDir: join(dir, 'server'),
      host: '127.0.0.1',
      port: 0,
      localAdmin: true,
      staticDir: WEB_DIST,
      logLevel: 'warn',
      print: () => {},
    });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows every goal with the status, figure and forecast the API gives, light and dark', async () => {
    const api = (await (await fetch(`${server.url}/api/v1/goals/status`)).json()) as GoalsStatusResult;
    expect(api.goals.map((g) => g.id).sort()).toEqual(['delivery-csat', 'handoffs-per-case', 'nps']);
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 1000 } });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/#/goals`);
      await waitForContent(page);
      const cards = await page.$$eval('[data-testid="goal"]', (els) =>
        els.map((e) => [e.getAttribute('data-goal'), e.getAttribute('data-status'), e.textContent ?? '']),
      );
      expect(cards.map(([id, status]) => [id, status])).toEqual(api.goals.map((g) => [g.id, g.status]));
      const csat = api.goals.find((g) => g.id === 'delivery-csat')!;
      const text = cards.find(([id]) => id === 'delivery-csat')![2]!;
      // the live figure with its interval and n, the target, and the forecast, as the API computed them
      expect(text).toContain(`${(100 * csat.current!.value).toFixed(1)} %`);
      expect(text).toContain(`n = ${csat.current!.n.toLocaleString('en-US')}`);
      expect(text).toContain('80.0 %');
      if (csat.forecast) expect(text).toContain(`${(100 * csat.forecast.value).toFixed(1)} %`);
      expect(await page.locator('.chart-canvas').count()).toBe(3);
      const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
      const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `goals-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 180_000);

  it('sets a goal from the form and shows it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/goals`);
    await waitForContent(page);
    const form = page.getByRole('form', { name: 'Set a goal' });
    await form.getByLabel('Metric').selectOption('fcr');
    await form.getByLabel('Target (% for shares)').fill('75');
    await form.getByLabel('Due').fill('2027-09-30');
    await form.getByLabel('Owner').fill('Support lead');
    await form.getByRole('button', { name: 'Set goal' }).click();
    await page.waitForSelector('[data-goal="fcr"]');
    const stored = (await (await fetch(`${server.url}/api/v1/goals/list`)).json()) as {
      goals: { id: string; target: number; owner: string }[];
    };
    expect(stored.goals.find((g) => g.id === 'fcr')).toMatchObject({ target: 0.75, owner: 'Support lead' });
    await expect(page.locator('[data-goal="fcr"]').textContent()).resolves.toContain('75.0 %');
    await ctx.close();
  }, 120_000);
});
