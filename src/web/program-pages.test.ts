/**
 * The Goals and Experiments pages in a real browser (Debian's Chromium) against the real server on the
 * demo company: its generator seeds three goals (src/goals/demo-goals.ts); the demo's two experiments
 * are added to the copy as `touchpoint demo` adds them. Skips when /usr/bin/chromium is absent.
 * Screenshots, light and dark, go to artifacts/web/ (git-ignored).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedDemoExperiments } from '../demo/index.js';
import { TEST_SEED } from '../demo/test-fixture.js';
import type { ExperimentResults, LearningEntry, LooksResult, ProgramView } from '../experiments/index.js';
import type { GoalsStatusResult } from '../goals/index.js';
import { haveChromium, waitForContent } from './testing/browser.js';
import { ARTIFACTS, cockpitOnDemoCopy, openPage, seriousA11y } from './testing/cockpit.test-helpers.js';

if (!haveChromium())
  console.warn('goals page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

describe.skipIf(!haveChromium())('Goals and Experiments pages in Chromium on the demo company', () => {
  const server = cockpitOnDemoCopy('goals', (store) => seedDemoExperiments(store, TEST_SEED), 240_000);

  it('shows every goal with the status, figure and forecast the API gives, light and dark', async () => {
    const api = (await (await fetch(`${server.url}/api/v1/goals/status`)).json()) as GoalsStatusResult;
    expect(api.goals.map((g) => g.id).sort()).toEqual(['delivery-csat', 'handoffs-per-case', 'nps']);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await openPage(server.browser, `${server.url}/#/goals`, { scheme });
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
      expect(await seriousA11y(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `goals-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 180_000);

  it('sets a goal from the form and shows it', async () => {
    const ctx = await server.browser.newContext({ viewport: { width: 1400, height: 1000 } });
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
  it('lists the experiments, opens one with lift and interval per metric as the API gives them, light and dark', async () => {
    const api = (await (
      await fetch(`${server.url}/api/v1/experiments/results?id=delivery-sms`)
    ).json()) as ExperimentResults;
    const lift = api.metrics[0]!.lifts[0]!;
    const looks = (await (
      await fetch(`${server.url}/api/v1/experiments/boundary?id=delivery-sms`)
    ).json()) as LooksResult;
    expect(looks.looks.length).toBeGreaterThan(10);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await openPage(server.browser, `${server.url}/#/experiments`, { scheme });
      await expect(page.locator('table').first().textContent()).resolves.toMatch(
        /delivery-sms.*checkout-aa|checkout-aa.*delivery-sms/s,
      );
      await page.getByText('delivery-sms', { exact: true }).click();
      await page.waitForSelector('[data-testid="xp-results"]');
      await waitForContent(page);
      const results = (await page.locator('[data-testid="xp-results"]').textContent()) ?? '';
      expect(results).toContain(api.recommendations[0]!.decision);
      const row =
        (await page.locator('[data-metric="delivery_sms_csat"] tr[data-arm="sms"]').textContent()) ?? '';
      expect(row).toContain(
        `+${(100 * lift.absolute.value).toFixed(1)} pts [+${(100 * lift.absolute.low).toFixed(1)} pts`,
      );
      expect(row).toContain(`${(100 * api.metrics[0]!.arms[1]!.value!).toFixed(1)} %`);
      expect(await page.locator('[data-testid="xp-results"] .liftbar.good').count()).toBe(1);
      // the sequential boundary over the daily looks, as the API gives it
      await page.waitForSelector('[data-testid="xp-boundary"] canvas');
      const boundary = (await page.locator('[data-testid="xp-boundary"]').textContent()) ?? '';
      expect(boundary).toContain(`tuned for ${looks.tuning.toLocaleString('en-US')} units`);
      expect(boundary).toContain(looks.firstCrossing ? `Crossed on ${looks.firstCrossing}` : 'Not crossed');
      expect(await seriousA11y(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `experiments-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 180_000);

  it("the power calculator gives the API's figures", async () => {
    const api = (await (
      await fetch(`${server.url}/api/v1/experiments/power?baseline=0.63&mde=0.05&traffic=300`)
    ).json()) as { perArm: number; days: number };
    const ctx = await server.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/experiments`);
    await waitForContent(page);
    await page
      .getByRole('form', { name: 'Power calculator' })
      .getByRole('button', { name: 'Calculate' })
      .click();
    const text = (await page.locator('[data-testid="power-result"]').textContent()) ?? '';
    expect(text).toContain(`${api.perArm.toLocaleString('en-US')} per arm`);
    expect(text).toContain(`${api.days} days`);
    await ctx.close();
  }, 60_000);

  it('after a ship decision: the program view, and the learning log on the journey map, light and dark', async () => {
    const res = await fetch(`${server.url}/api/v1/experiments/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'delivery-sms', decision: 'ship', note: 'the SMS works' }),
    });
    expect(res.status).toBe(200);
    const program = (await (await fetch(`${server.url}/api/v1/experiments/program`)).json()) as ProgramView;
    expect([program.decided, program.shipped]).toEqual([1, 1]);
    const log = (await (await fetch(`${server.url}/api/v1/experiments/learning-log`)).json()) as {
      entries: LearningEntry[];
    };
    expect(log.entries.map((e) => e.id)).toEqual(['delivery-sms']);
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await server.browser.newContext({
        colorScheme: scheme,
        viewport: { width: 1400, height: 1000 },
      });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/#/experiments`);
      await waitForContent(page);
      await page.waitForSelector('[data-testid="xp-program"]');
      const text = (await page.locator('[data-testid="xp-program"]').textContent()) ?? '';
      expect(text).toContain('Win rate100 %');
      const sms = program.effects.find((e) => e.experiment === 'delivery-sms')!;
      const row =
        (await page.locator('[data-testid="xp-effects"] tr[data-experiment="delivery-sms"]').textContent()) ??
        '';
      expect(row).toContain(`+${(100 * sms.shrunk.value).toFixed(1)} %`);
      expect(await page.locator('[data-testid="xp-impact"] tbody tr').count()).toBe(program.impact.length);
      await page
        .locator('[data-testid="xp-program"]')
        .screenshot({ path: join(ARTIFACTS, `experiments-program-${scheme}.png`) });
      // the shipped experiment offers its re-measure; the 28 days after the rollout have not passed
      await page.goto(`${server.url}/#/experiments?xp=delivery-sms`);
      await waitForContent(page);
      await page.waitForSelector('[data-testid="xp-remeasure"]');
      await page.getByRole('button', { name: 'Re-measure now' }).click();
      await page
        .locator('[data-testid="xp-remeasure"]')
        .getByText(/window after the rollout ends on/)
        .waitFor({ timeout: 30_000 });
      await page.goto(`${server.url}/#/journey`);
      await waitForContent(page);
      await page.waitForSelector('[data-testid="journey-learning-log"]');
      const entry = (await page.locator('[data-testid="journey-learning-log"]').textContent()) ?? '';
      expect(entry).toContain('Delivery-day SMS with live tracking');
      expect(entry).toContain('ship');
      expect(entry).toContain('Re-measure due');
      await page
        .locator('[data-testid="journey-learning-log"]')
        .screenshot({ path: join(ARTIFACTS, `journey-learning-log-${scheme}.png`) });
      expect(errors).toEqual([]);
      await ctx.close();
    }
  }, 180_000);
});
