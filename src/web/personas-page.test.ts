/**
 * The Personas page in a real browser (Debian's Chromium) against the real server on the demo company:
 * first the empty state (no discovery yet, with the command and the button), then — after discovery
 * through the API, as the button runs it — the cards side by side with the figures the API gives, an
 * inline rename, and the persona-vs-segment view. Skips when /usr/bin/chromium is absent.
 * Screenshots, light and dark, go to artifacts/web/ (git-ignored).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PersonaLanesResult } from '../journeys/index.js';
import type { BoardResult, CompareSegmentsResult, SetsResult } from '../personas/index.js';
import { eta } from './pages/personas.js';
import { haveChromium, waitForContent } from './testing/browser.js';
import { ARTIFACTS, cockpitOnDemoCopy, openPage, seriousA11y } from './testing/cockpit.test-helpers.js';

if (!haveChromium())
  console.warn('personas page tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');

/** The page at `url` in Chromium (wider, and patient: the first discovery runs from the page). */
const open = (browser: Browser, url: string, scheme: 'light' | 'dark' = 'light') =>
  openPage(browser, url, { scheme, width: 1500, timeout: 120_000 });

describe.skipIf(!haveChromium())('Personas page in Chromium on the demo company', () => {
  const cockpit = cockpitOnDemoCopy('personas', undefined, 240_000);
  const server = {
    get url() {
      return cockpit.url;
    },
  };
  let browser: Browser;
  beforeAll(() => {
    browser = cockpit.browser;
  });

  it('before the first discovery: says so, with the command and the button', async () => {
    const { ctx, page, errors } = await open(browser, `${server.url}/#/personas`);
    const empty = (await page.locator('[data-testid="personas-empty"]').textContent()) ?? '';
    expect(empty).toContain('touchpoint personas discover');
    await expect(page.getByRole('button', { name: 'Discover personas' }).count()).resolves.toBe(1);
    expect(await seriousA11y(page)).toEqual([]);
    // the API answers "unavailable" (a 4xx the page turns into the empty state), not an error on the console
    expect(
      errors.filter((e) => !e.includes('409') && !e.includes('503') && !e.includes('Failed to load')),
    ).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'personas-empty-light.png'), fullPage: true });
    await ctx.close();
  }, 180_000);

  it('draws every card with the figures the API gives, and the persona-vs-segment view, light and dark', async () => {
    // discovery as the page's button runs it (fewer refits: the figures drawn are what matters here)
    const run = await fetch(`${server.url}/api/v1/personas/discover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kMin: 3, kMax: 5, restarts: 2, bootstraps: 3, sample: 5000 }),
    });
    expect(run.status).toBe(200);
    const api = (await (await fetch(`${server.url}/api/v1/personas/board`)).json()) as BoardResult;
    const cmp = (await (
      await fetch(`${server.url}/api/v1/personas/compare-segments`)
    ).json()) as CompareSegmentsResult;
    expect(api.personas.length).toBeGreaterThanOrEqual(3);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(browser, `${server.url}/#/personas`, scheme);
      const cards = await page.$$eval('[data-testid="persona-card"]', (els) =>
        els.map((e) => [e.getAttribute('data-persona'), e.textContent ?? ''] as const),
      );
      expect(cards.map(([id]) => id)).toEqual(api.personas.map((p) => p.id));
      for (const p of api.personas) {
        const text = cards.find(([id]) => id === p.id)![1];
        expect(text).toContain(p.name);
        expect(text).toContain(p.description);
        expect(text).toContain(p.size.toLocaleString('en-US'));
        expect(text).toContain(`${(100 * p.churn.value).toFixed(1)} %`);
        expect(text).toContain(`n = ${p.churn.n.toLocaleString('en-US')}`);
        if (p.nps.n > 0) {
          expect(text).toContain(p.nps.value.toFixed(1));
          expect(text).toContain(
            `${p.nps.low.toFixed(1)} … ${p.nps.high.toFixed(1)}, n = ${p.nps.n.toLocaleString('en-US')}`,
          );
        }
        if (p.channels[0]) expect(text).toContain(`${(100 * p.channels[0].share).toFixed(1)} %`);
      }
      const explained = (await page.locator('[data-testid="persona-explained"]').textContent()) ?? '';
      for (const e of cmp.explained) expect(explained).toContain(eta(e.personas.value));
      const spread = page.locator('[data-testid="persona-spread"] tbody tr');
      await expect(spread.count()).resolves.toBe(cmp.spread.length);
      expect(await seriousA11y(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `personas-${scheme}.png`), fullPage: true });
      await ctx.close();
    }
  }, 600_000);

  it('the journey map has a lane per persona with the conversion and NPS the API gives', async () => {
    const api = (await (
      await fetch(`${server.url}/api/v1/journey/persona-lanes`)
    ).json()) as PersonaLanesResult;
    expect(api.lanes.length).toBeGreaterThanOrEqual(3);
    for (const scheme of ['light', 'dark'] as const) {
      const { ctx, page, errors } = await open(browser, `${server.url}/#/journey`, scheme);
      await page.waitForSelector('[data-testid="persona-lanes"]', { timeout: 120_000 });
      await waitForContent(page, 120_000);
      const rows = page.locator('[data-testid="persona-lanes"] tbody tr');
      await expect(rows.count()).resolves.toBe(api.lanes.length);
      const lane = api.lanes[0]!;
      const first = lane.stages[0]!;
      const cell =
        (await page
          .locator(
            `[data-testid="persona-lanes"] tr[data-persona="${lane.personaId}"] td[data-stage="${first.stage}"]`,
          )
          .textContent()) ?? '';
      expect(cell).toContain(`${(100 * first.conversion!.value!).toFixed(1)} %`);
      expect(cell).toContain(`n = ${first.conversion!.n.toLocaleString('en-US')}`);
      if (first.nps.n > 0) expect(cell).toContain(`n = ${first.nps.n.toLocaleString('en-US')}`);
      const lanes = page.locator('[data-testid="persona-lanes"]');
      await lanes.scrollIntoViewIfNeeded();
      expect(await seriousA11y(page, '[data-testid="persona-lanes"]')).toEqual([]);
      expect(errors).toEqual([]);
      await lanes.screenshot({ path: join(ARTIFACTS, `journey-persona-lanes-${scheme}.png`) });
      await ctx.close();
    }
  }, 400_000);

  it('a set the team brought (rules) is compared with the discovered personas on the page', async () => {
    const yaml =
      'personas:\n  - name: Store regulars\n    when: [mix:store >= 0.4]\n  - name: App people\n    when: [mix:app >= 0.4]\notherwise: Everyone else\n';
    const r = await fetch(`${server.url}/api/v1/personas/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ set: 'research', text: yaml }),
    });
    expect(r.status).toBe(200);
    const api = (await (await fetch(`${server.url}/api/v1/personas/sets`)).json()) as SetsResult;
    const cmp = api.sets.find((x) => x.set === 'research')!.comparison!;
    expect(cmp.n).toBeGreaterThan(0);
    const { ctx, page, errors } = await open(browser, `${server.url}/#/personas`);
    const panel = page.locator('[data-set="research"]');
    await panel.waitFor({ timeout: 120_000 });
    await expect(panel.locator('[data-testid="set-ari"]').textContent()).resolves.toBe(cmp.ari.toFixed(3));
    await expect(panel.locator('tbody tr').count()).resolves.toBe(cmp.crosstab.length);
    expect(await seriousA11y(page, '[data-testid="persona-sets"]')).toEqual([]);
    expect(errors).toEqual([]);
    await panel.screenshot({ path: join(ARTIFACTS, 'personas-sets-light.png') });
    await ctx.close();
  }, 240_000);

  it('renames and annotates a persona inline, and the API keeps it', async () => {
    const api = (await (await fetch(`${server.url}/api/v1/personas/board`)).json()) as BoardResult;
    const id = api.personas[0]!.id;
    const { ctx, page } = await open(browser, `${server.url}/#/personas`);
    const card = page.locator(`[data-persona="${id}"]`);
    await card.getByRole('button', { name: /Rename or annotate/ }).click();
    const form = page.getByRole('form', { name: `Rename ${id}` });
    await form.getByLabel('Name').fill('Weekend app shoppers');
    await form.getByLabel('Note').fill('from the March workshop');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(
      (pid) => document.querySelector(`[data-persona="${pid}"] h2`)?.textContent === 'Weekend app shoppers',
      id,
      { timeout: 120_000 },
    );
    await expect(card.locator('.persona-note').textContent()).resolves.toBe('from the March workshop');
    const after = (await (await fetch(`${server.url}/api/v1/personas/list`)).json()) as {
      personas: { id: string; name: string; note: string | null; named_by: string }[];
    };
    expect(after.personas.find((p) => p.id === id)).toMatchObject({
      name: 'Weekend app shoppers',
      note: 'from the March workshop',
      named_by: 'user',
    });
    await ctx.close();
  }, 240_000);
});
