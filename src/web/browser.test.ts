/**
 * The cockpit in a real browser: Debian's Chromium driven by playwright-core against the real server
 * on loopback with the demo company. Skips (with a message) only when /usr/bin/chromium is absent.
 * Screenshots of every page, light and dark, go to artifacts/web/ (git-ignored).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowParams, getFlow } from '../cases/index.js';
import { runDemoAnalyses } from '../cli/start.js';
import { meanBand, SCORE_SCALES } from '../core/score-scales.js';
import { type DemoManifest, readManifest } from '../demo/index.js';
import { demoDbPath } from '../demo/test-fixture.js';
import { importRecords } from '../ingest/index.js';
import type { MapResult } from '../journeys/map.js';
import type { StageTrendResult } from '../journeys/stage-trend.js';
import { operations } from '../operations.js';
import { openStore } from '../store/index.js';
import { ensureWebBuild } from './build.js';
import {
  haveChromium,
  launchChromium,
  navPages,
  startCockpitServer,
  waitForContent,
} from './testing/browser.js';

/** A team name as a hostile import would send it (issue 16.5): must show as text, never as markup. */
const XSS_TEAM = '<img src=x onerror="window.__xss=1">';
const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/web');
const hasOp = (area: string, verb: string) => operations.some((o) => o.area === area && o.verb === verb);

if (!haveChromium())
  console.warn(
    'browser tests skipped: /usr/bin/chromium is absent (install it with: apt-get install -y chromium)',
  );

describe.skipIf(!haveChromium())('cockpit in Chromium on the demo company', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let manifest: DemoManifest;
  /** The team renamed to XSS_TEAM: the one with the most transfers in, so its node is the largest. */
  let xssTeam: string | undefined;

  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'tp-web-'));
    const db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    const store = await openStore(db);
    try {
      manifest = (await readManifest(store))!;
      // the analyses the tests look at; the slow text analysis (feedback themes) is left to `start`
      await runDemoAnalyses(
        store,
        () => {},
        (a) => a.startsWith('journey.') || a.startsWith('cases.'),
      );
      if (hasOp('cases', 'flow')) {
        const flow = await getFlow(store, FlowParams.parse({}));
        xssTeam = [...flow.nodes].sort((a, b) => b.transfersIn - a.transfersIn)[0]?.id;
        if (xssTeam)
          await importRecords(store, 'teams', [{ id: xssTeam, name: XSS_TEAM, tier: 2 }], { source: 'test' });
      }
    } finally {
      await store.close();
    }
    server = await startCockpitServer(db, dir);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A page with its console errors and uncaught exceptions collected. */
  async function open(
    ctx: BrowserContext,
    hash: string,
    sweep = false,
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/${hash}`);
    // the pointer sweeps the page while it loads (issue 18.5: ECharts threw on a chart rebuilt under it)
    if (sweep)
      for (let i = 0; i < 15; i++) await page.mouse.move(60 + ((i * 97) % 1300), 120 + ((i * 53) % 850));
    await waitForContent(page);
    return { page, errors };
  }

  it('every page loads without console errors or serious accessibility violations, light and dark', async () => {
    const problems: string[] = [];
    // light and dark side by side: two browser contexts at once
    await Promise.all(
      (['light', 'dark'] as const).map(async (scheme) => {
        const ctx = await browser.newContext({
          colorScheme: scheme,
          viewport: { width: 1400, height: 1000 },
        });
        const first = await open(ctx, '');
        const pages = await navPages(first.page);
        expect(pages).toEqual(expect.arrayContaining(['overview', 'findings', 'settings']));
        await first.page.close();
        for (const id of pages) {
          const { page, errors } = await open(ctx, `#/${id}`, true);
          for (const e of errors) problems.push(`${id} (${scheme}) console: ${e}`);
          // one render per data change: nothing on these pages changes a chart's data after it is drawn
          const renders = await page.$$eval('.chart-canvas', (els) =>
            els.map((e) => [e.getAttribute('aria-label'), (e as HTMLElement).dataset.renders ?? '0']),
          );
          for (const [label, n] of renders)
            if (Number(n) > 1) problems.push(`${id} (${scheme}) chart "${label}" drawn ${n} times`);
          const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
          const bad = axe.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map(
              (v) =>
                `${v.id}: ${v.help} (${v.nodes
                  .map((n) => n.target.join(' '))
                  .slice(0, 3)
                  .join(', ')})`,
            );
          for (const b of bad) problems.push(`${id} (${scheme}) axe ${b}`);
          await page.screenshot({ path: join(ARTIFACTS, `${id}-${scheme}.png`), fullPage: true });
          await page.close();
        }
        await ctx.close();
      }),
    );
    expect(problems).toEqual([]);
  }, 600_000);

  it.skipIf(!hasOp('journey', 'map'))(
    "the journey map shows the manifest's planted journey problems among its worst touchpoints",
    async () => {
      const plants = manifest.plants.filter(
        (p) => p.analysis === 'journey.pain-points' && p.slice.touchpoint,
      );
      expect(plants.length).toBeGreaterThan(0);
      const ctx = await browser.newContext();
      const { page } = await open(ctx, '#/journey');
      const worst = await page.$$eval('[data-testid="worst-touchpoints"] li', (lis) =>
        lis.map((li) => li.getAttribute('data-touchpoint')),
      );
      expect(worst.length).toBeGreaterThan(0);
      for (const p of plants) expect(worst, p.description).toContain(p.slice.touchpoint);
      // the card of the planted touchpoint is marked on the map itself and opens its evidence
      const tp = plants[0]!.slice.touchpoint!;
      const card = page.locator('.tp.worst', { hasText: tp }).first();
      await card.click();
      await page.waitForSelector(`text=Touchpoint: ${tp}`);
      await ctx.close();
    },
    60_000,
  );

  it.skipIf(!hasOp('feedback', 'scores'))(
    'the first page answers in ten seconds: tiles with change and interval, target when goals exist, the top finding with its evidence (issue 18)',
    async () => {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const { page, errors } = await open(ctx, '');
      for (const kind of ['nps', 'csat', 'ces']) {
        const tile = page.locator(`.kpi[data-kpi="${kind}"]`);
        await expect(tile.locator('.stat-detail').first().textContent()).resolves.toMatch(
          /95 % interval .* · n = [\d,]+/,
        );
        // change against the previous complete month (all time): "Sept 2026 vs Aug 2026: ▲ +0.1 (−5.6 – 5.9) …"
        const change = await tile.locator('[data-testid="kpi-change"]').textContent();
        expect(change).toMatch(/vs .*: (▲ \+|▼ |± )-?[\d.,]+ \(.+ – .+\) ?(better|worse|not significant)/);
      }
      // a relative period counts back from the data and compares with the period before
      const p30 = await open(ctx, '#/overview?period=30d');
      await expect(
        p30.page.locator('.kpi[data-kpi="nps"] [data-testid="kpi-change"]').textContent(),
      ).resolves.toContain('vs the 30 days before');
      await p30.page.close();
      // target and owner on the tiles whose metric has a goal, only when the goals operation exists
      const goalTiles = await page.locator('[data-testid="kpi-goal"]').count();
      if (hasOp('goals', 'status')) {
        const goals = (await (await fetch(`${server.url}/api/v1/goals/status`)).json()) as {
          goals: { metric: string }[];
        };
        const metrics = new Set(
          goals.goals.map((g) => g.metric).filter((m) => ['nps', 'csat', 'ces'].includes(m)),
        );
        expect(goalTiles).toBe(metrics.size);
      } else expect(goalTiles).toBe(0);
      // "Where it breaks": the worst finding first, sentence-style, with customers affected and evidence
      const top = (
        (await (await fetch(`${server.url}/api/v1/findings/list?limit=1`)).json()) as {
          findings: { title: string; customersAffected: number | null }[];
        }
      ).findings[0]!;
      const first = page.locator('[data-testid="where-it-breaks"] li').first();
      await expect(first.locator('.break-title').textContent()).resolves.toBe(top.title);
      if (top.customersAffected !== null)
        await expect(first.textContent()).resolves.toContain(
          `${top.customersAffected.toLocaleString('en-US')} customers affected`,
        );
      await first.getByRole('link', { name: 'Evidence →' }).click();
      await page.waitForSelector('.drawer[role="dialog"]');
      await expect(page.locator('.drawer[role="dialog"]').textContent()).resolves.toContain(top.title);
      // the persona filter is offered exactly when the workspace has personas (before, it would only err)
      const range = (await (await fetch(`${server.url}/api/v1/overview/data-range`)).json()) as {
        personas: number;
      };
      expect(await page.locator('form.filters label', { hasText: 'Persona' }).count()).toBe(
        range.personas > 0 ? 1 : 0,
      );
      // the rows-per-table chart lives in Settings now
      expect(await page.locator('text=Rows per table').count()).toBe(0);
      expect(errors).toEqual([]);
      await ctx.close();
    },
    120_000,
  );

  it.skipIf(!hasOp('journey', 'emotion'))(
    'the journey map draws an emotion curve with one point per stage; a card click brings its evidence into view',
    async () => {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const { page, errors } = await open(ctx, '#/journey');
      const map = (await (await fetch(`${server.url}/api/v1/journey/map`)).json()) as MapResult;
      const curve = page.locator('[data-testid="emotion-curve"]');
      await curve.waitFor();
      await expect(curve.getAttribute('data-points')).resolves.toBe(String(map.stages.length));
      // its data table: one row per stage, in the journey's order
      await curve.getByRole('button', { name: 'Data', exact: true }).click();
      const stages = await curve.locator('tbody tr td:first-child').allTextContents();
      expect(stages).toEqual(map.stages);
      // order confirmation (sent by the company, no customer step) is on the map with its people
      const outboundOnly = map.touchpoints.filter((t) => t.inbound === 0 && t.outbound > 0);
      for (const t of outboundOnly)
        await expect(
          page
            .locator('button.tp', { has: page.locator('.tp-name', { hasText: t.touchpoint }) })
            .first()
            .textContent(),
        ).resolves.toContain(`${t.people.toLocaleString('en-US')} people`);
      // a journey nobody drew is not presented as followed by a share of people
      expect(await page.locator('text=follow the drawing').count()).toBe(0);
      const card = page.locator('button.tp').last();
      await card.click();
      const ev = page.locator('[data-testid="touchpoint-evidence"]');
      await ev.waitFor();
      await page.waitForFunction(() => {
        const r = document.querySelector('[data-testid="touchpoint-evidence"]')?.getBoundingClientRect();
        return !!r && r.top >= 0 && r.top < window.innerHeight;
      });
      expect(errors).toEqual([]);
      await ctx.close();
    },
    120_000,
  );

  it.skipIf(!hasOp('journey', 'stage-trend'))(
    'the journey page shows each stage over time, complete months only, with the dated changes marked (light and dark)',
    async () => {
      const r = (await (await fetch(`${server.url}/api/v1/journey/stage-trend`)).json()) as StageTrendResult;
      expect(r.months.length).toBeGreaterThan(2);
      // complete months only: the month holding as-of is not drawn
      expect(r.months.at(-1)! < `${r.asOf.slice(0, 7)}-01`).toBe(true);
      for (const scheme of ['light', 'dark'] as const) {
        const ctx = await browser.newContext({
          colorScheme: scheme,
          viewport: { width: 1400, height: 1000 },
        });
        const { page, errors } = await open(ctx, '#/journey');
        const panel = page.locator('[data-testid="stage-trend"]');
        await panel.waitFor();
        await expect(panel.getAttribute('data-months')).resolves.toBe(String(r.months.length));
        // one chart per stage, in the journey's order, each with a point per month
        const stages = page.locator('[data-testid="stage-trend-stage"]');
        expect(await stages.evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')))).toEqual(
          r.stages.map((s) => s.stage),
        );
        expect(
          new Set(await stages.evaluateAll((els) => els.map((e) => e.getAttribute('data-points')))),
        ).toEqual(new Set([String(r.months.length)]));
        // the dated changes (the demo's policies and experiments) listed under the charts, numbered
        const events = await page.locator('[data-testid="dated-events"] li').allTextContents();
        expect(events).toHaveLength(r.events.length);
        for (const [i, e] of r.events.entries()) expect(events[i]).toContain(e.name);
        await page.locator('#p-stages-over-time').scrollIntoViewIfNeeded();
        await page
          .locator('section.panel', { has: page.locator('#p-stages-over-time') })
          .screenshot({ path: join(ARTIFACTS, `journey-stages-over-time-${scheme}.png`) });
        // the data behind the first stage's chart: its months, people and conversion with n
        const first = stages.first();
        await first.getByRole('button', { name: 'Data', exact: true }).click();
        const months = await first.locator('tbody tr td:first-child').allTextContents();
        expect(months).toEqual(r.months.map((m) => m.slice(0, 7)));
        expect(errors).toEqual([]);
        await ctx.close();
      }
    },
    180_000,
  );

  it.skipIf(!hasOp('feedback', 'theme-trend'))(
    "the Voice page shows a theme over time with the demo's dated return-fee change tested, and says which filters a panel ignores",
    async () => {
      const plant = manifest.plants.find((p) => p.analysis === 'feedback.themes' && p.slice.theme);
      expect(plant).toBeDefined();
      const at = new Date(Number((plant!.effect as { policyFrom: number }).policyFrom))
        .toISOString()
        .slice(0, 10);
      // the text analysis, as `touchpoint start` runs it (a write; the trend only reads it)
      const run = await fetch(`${server.url}/api/v1/feedback/themes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(run.status).toBe(200);
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const all = (await (await fetch(`${server.url}/api/v1/feedback/theme-trend?top=20`)).json()) as {
        themes: { theme: string }[];
      };
      // our theme id for the plant's theme name (ids are the taxonomy's: "policy.return-fee")
      const slug = plant!.slice.theme!.replace(/\s+/g, '-');
      const theme = all.themes.find((t) => t.theme.endsWith(slug))?.theme;
      expect(theme, `a theme for ${plant!.slice.theme}`).toBeDefined();
      const { page, errors } = await open(
        ctx,
        `#/voice?ttTheme=${encodeURIComponent(theme!)}&at=${at}&channel=email`,
      );
      const ba = page.locator('[data-testid="before-after"]');
      await ba.waitFor({ timeout: 60_000 });
      await expect(ba.getAttribute('class')).resolves.toContain('significant');
      // with a channel set, the stored theme findings say they are not filtered; the comment search is
      const notes = await page.locator('[data-testid="filter-scope"]').allTextContents();
      expect(notes.some((n) => n.startsWith('Not filtered by channel'))).toBe(true);
      const explorer = page.locator('section', { has: page.locator('h2', { hasText: 'Comment explorer' }) });
      expect(await explorer.locator('[data-testid="filter-scope"]').count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'voice-themes-over-time.png'), fullPage: true });
      expect(errors).toEqual([]);
      await ctx.close();
    },
    180_000,
  );

  it.skipIf(!hasOp('feedback', 'label-comment'))(
    'an analyst corrects a comment’s sentiment in the explorer; the correction is stored for the next retrain (issue 25.2)',
    async () => {
      for (const theme of ['light', 'dark'] as const) {
        const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: theme });
        const { page, errors } = await open(ctx, '#/voice?q=courier');
        const select = page.locator('select[aria-label^="Correct the sentiment of comment"]').first();
        await select.waitFor({ timeout: 60_000 });
        const id = (await select.getAttribute('aria-label'))!.replace(
          'Correct the sentiment of comment ',
          '',
        );
        const current = await select.inputValue();
        const next = current === 'neutral' ? 'positive' : 'neutral';
        const saved = page.waitForResponse((r) => r.url().includes('/feedback/label-comment'));
        await select.selectOption(next);
        expect((await saved).status()).toBe(200);
        await page.locator('.label-correction', { hasText: 'corrected' }).first().waitFor();
        await page
          .locator('section', { has: page.locator('h2', { hasText: 'Comment explorer' }) })
          .screenshot({ path: join(ARTIFACTS, `voice-label-correction-${theme}.png`) });
        const listed = (await (
          await fetch(`${server.url}/api/v1/feedback/comments?q=courier&limit=100`)
        ).json()) as { items: { id: string; corrected: string | null }[] };
        expect(listed.items.find((c) => c.id === id)?.corrected).toBe(next);
        expect(errors).toEqual([]);
        await ctx.close();
      }
      // the settings say how many corrections the next retrain would learn from, and offer it
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const { page, errors } = await open(ctx, '#/settings?tab=model');
      const note = page.locator('[data-testid="sentiment-corrections"]');
      await note.waitFor({ timeout: 60_000 });
      await expect(note.textContent()).resolves.toMatch(
        /label corrections? (since this version was trained|so far)/,
      );
      const panel = page.locator('section', { has: page.locator('h2', { hasText: 'Sentiment model' }) });
      expect(await panel.getByRole('button', { name: 'Retrain the sentiment model' }).count()).toBe(1);
      await panel.screenshot({ path: join(ARTIFACTS, 'settings-sentiment-model.png') });
      expect(errors).toEqual([]);
      await ctx.close();
    },
    180_000,
  );

  it.skipIf(!hasOp('feedback', 'follow-up-close'))(
    'a follow-up closed in the UI stays closed after reload',
    async () => {
      await fetch(`${server.url}/api/v1/feedback/follow-ups-sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const ctx = await browser.newContext();
      const { page } = await open(ctx, '#/voice');
      const item = page.locator('[data-testid="follow-ups"] li[data-status="open"]').first();
      const id = await item.getAttribute('data-id');
      expect(id).toBeTruthy();
      await item.getByLabel('Note or resolution').fill('Called the customer, refund sent');
      await item.getByRole('button', { name: 'Close', exact: true }).click();
      await page.waitForSelector(`li[data-id="${id}"]`, { state: 'detached' });
      await page.goto(`${server.url}/#/voice?fu=closed`);
      await page.reload();
      await waitForContent(page);
      const closed = page.locator(`li[data-id="${id}"]`);
      await expect(closed.getAttribute('data-status')).resolves.toBe('closed');
      await expect(closed.textContent()).resolves.toContain('Called the customer, refund sent');
      // its history stays after closing
      await closed.locator('details.history summary').click();
      await expect(closed.locator('details.history li').last().textContent()).resolves.toMatch(
        /closed by .*: Called the customer, refund sent$/,
      );
      // the demo's answers are months old at sync time: their age counts from the answer (issue 18.2)
      await page.goto(`${server.url}/#/voice?fu=open&fuAge=48`);
      await waitForContent(page);
      const overdue = page.locator('[data-testid="follow-ups"] li[data-status="open"]');
      expect(await overdue.count()).toBeGreaterThan(0);
      await expect(overdue.first().locator('.overdue').textContent()).resolves.toMatch(/^waiting .*(days|h)/);
      await ctx.close();
    },
    60_000,
  );

  it('the Health page shows the life-cycle stages, survival with bands and the health score beside its backtested AUC', async () => {
    if (!hasOp('health', 'lifecycle')) return;
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const { page, errors } = await open(ctx, '#/health');
    for (const stage of ['onboarding', 'active', 'at risk', 'dormant', 'won back', 'churned'])
      await page.waitForSelector(`.stat-label:text-is("${stage}")`);
    await page.waitForSelector('[aria-label="Survival by segment"]', { timeout: 120_000 });
    await page.waitForSelector('.stat-label:text-is("score AUC (backtest)")', { timeout: 120_000 });
    const auc = Number(
      await page.locator('.stat:has(.stat-label:text-is("score AUC (backtest)")) .stat-value').textContent(),
    );
    expect(auc).toBeGreaterThan(0);
    expect(auc).toBeLessThan(1);
    // the business case, computed from the page, puts money on the findings
    await page.getByRole('button', { name: 'Compute the business case' }).click();
    const money = page.locator('section[aria-labelledby="p-findings-by-revenue-at-risk"]');
    await money.locator('tbody tr').first().waitFor({ timeout: 180_000 });
    await expect(money.locator('tbody tr').first().textContent()).resolves.toMatch(/€/);
    await page.screenshot({ path: join(ARTIFACTS, 'health-business-case.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 420_000);

  it('is keyboard navigable: skip link first, findings and journey cards open with Enter', async () => {
    const ctx = await browser.newContext();
    const { page } = await open(ctx, '#/findings');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    const row = page.locator('tr.clickable').first();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.drawer[role="dialog"]');
    await page.getByRole('button', { name: 'Close evidence' }).press('Enter');
    await page.waitForSelector('.drawer[role="dialog"]', { state: 'detached' });
    if (hasOp('journey', 'map')) {
      await page.goto(`${server.url}/#/journey`);
      await waitForContent(page);
      const card = page.locator('button.tp').first();
      const name = (await card.locator('.tp-name').textContent())?.replace(/(worst|drawn)/g, '').trim();
      await card.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector(`text=Touchpoint: ${name}`);
    }
    await ctx.close();
  }, 60_000);

  it('a viewer cannot open Settings › API keys', async () => {
    const username = `viewer${Date.now()}`;
    const password = 'a-long-viewer-password';
    const created = await fetch(`${server.url}/api/v1/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, role: 'viewer', workspaces: '*' }),
    });
    expect(created.status).toBe(200);
    const ctx = await browser.newContext();
    const login = await ctx.request.post(`${server.url}/api/v1/auth/login`, { data: { username, password } });
    expect(login.status()).toBe(200);
    const { page, errors } = await open(ctx, '#/settings?tab=keys');
    await expect(page.locator('.who').textContent()).resolves.toContain('viewer');
    await page.waitForSelector('[data-testid="forbidden"]');
    expect(await page.locator('text=Create key').count()).toBe(0);
    expect(await page.locator('nav.tabs a', { hasText: 'API keys' }).count()).toBe(0);
    expect(errors).toEqual([]);
    // and the server refuses the call itself, whatever the page shows
    const direct = await ctx.request.get(`${server.url}/api/v1/admin/keys`);
    expect(direct.status()).toBe(403);
    await ctx.close();
  }, 60_000);

  it('a survey answer submitted through the respondent page appears in the voice page', async (t) => {
    const surveys = (await (await fetch(`${server.url}/api/v1/feedback/surveys`)).json()) as {
      surveys?: { id: string; questions: { id: string; type: string }[] }[];
    };
    const survey = surveys.surveys?.find((s) =>
      s.questions.some((q) => q.type === 'nps' || q.type === 'csat'),
    );
    expect(survey, 'a demo survey with an NPS or CSAT question').toBeDefined();
    const issued = await fetch(`${server.url}/api/v1/admin/survey-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ survey: survey!.id, count: 1 }),
    });
    expect(issued.status).toBe(200);
    const token = ((await issued.json()) as { tokens: { token: string }[] }).tokens[0]!.token;
    const comment = `Courier left the parcel in the rain, ref ${Date.now()}`;
    const definition = await fetch(
      `${server.url}/s/${encodeURIComponent(survey!.id)}/definition?t=${encodeURIComponent(token)}`,
      { headers: { accept: 'application/json' } },
    );
    if (definition.status === 404 && (await definition.text()).includes('no route')) {
      // the respondent page needs the survey's questions without an account (docs/web.md)
      console.warn('survey answer test skipped: the server has no public GET /s/<survey>/definition yet');
      t.skip();
      return;
    }

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/s/${encodeURIComponent(survey!.id)}?t=${encodeURIComponent(token)}`);
    await page.waitForSelector('form fieldset');
    const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
    expect(
      axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    ).toEqual([]);
    for (const fs of await page.locator('form fieldset').all()) {
      if ((await fs.locator('textarea').count()) > 0) await fs.locator('textarea').fill(comment);
      else await fs.locator('.scale-pt').first().click();
    }
    await page.screenshot({ path: join(ARTIFACTS, 'survey-mobile.png'), fullPage: true });
    const answered = page.waitForResponse((r) => r.url().includes('/answers'));
    await page.getByRole('button', { name: 'Send' }).click();
    const res = await answered;
    if (res.status() === 503) {
      const body = (await res.json()) as { error?: { message?: string } };
      console.warn(`survey answer test skipped: the server says ${body.error?.message}`);
      await ctx.close();
      t.skip();
      return;
    }
    const answerBody = await res.text();
    expect(res.status(), answerBody).toBe(200);
    await page.waitForSelector('text=Thank you');
    expect(errors).toEqual([]);
    await ctx.close();

    // the lowest point of every scale was picked: a detractor, whose follow-up carries the text answer
    expect((JSON.parse(answerBody) as { followUpsCreated?: number }).followUpsCreated).toBeGreaterThanOrEqual(
      1,
    );
    const admin = await browser.newContext();
    // the comment explorer finds it by full-text search
    const voice = await open(admin, `#/voice?q=${encodeURIComponent(comment.slice(-20))}`);
    await voice.page.locator('.comment', { hasText: comment }).waitFor({ timeout: 10_000 });
    await voice.page.waitForSelector('text=1 comments match');
    // and the follow-up queue ordered by newest answer shows it at the top (the default order is
    // severity × age, where a minute-old answer comes last)
    const queue = await open(admin, '#/voice?fu=open&fuSort=newest');
    await expect(
      queue.page.locator('li.followup').first().locator('blockquote').textContent({ timeout: 10_000 }),
    ).resolves.toBe(comment);
    expect([...voice.errors, ...queue.errors]).toEqual([]);
    await admin.close();
  }, 60_000);

  it("a website embed's public link gives every respondent a fresh single-use token (issue 16.11)", async () => {
    const created = await fetch(`${server.url}/api/v1/admin/survey-links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ survey: 'ces-checkout' }),
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const { link, page: pageUrl } = (await created.json()) as { link: string; page: string };
    expect(pageUrl).toContain(`?link=${link}`);

    // the snippet on another site: its button opens the respondent page with the public link
    const site = await browser.newContext();
    const host = await site.newPage();
    await host.setContent(
      `<html><body><h1>Shop</h1><script src="${server.url}/embed.js" data-survey="ces-checkout" data-link="${link}"></script></body></html>`,
    );
    const button = host.getByRole('button', { name: 'Give feedback' });
    await button.waitFor();
    const popup = site.waitForEvent('page');
    await button.click();
    const opened = await popup;
    await site.close();
    expect(opened.url()).toContain(`/s/ces-checkout?link=${link}`);

    // two respondents from the same link get two different tokens, and each can answer once
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pageUrl);
      await page.waitForSelector('form fieldset');
      await page.waitForURL(/[?&]t=/);
      tokens.push(new URL(page.url()).searchParams.get('t') ?? '');
      for (const fs of await page.locator('form fieldset').all())
        if ((await fs.locator('textarea').count()) === 0) await fs.locator('.scale-pt').last().click();
      const answered = page.waitForResponse((r) => r.url().includes('/answers'));
      await page.getByRole('button', { name: 'Send' }).click();
      expect((await answered).status()).toBe(200);
      await page.waitForSelector('text=Thank you');
      expect(errors).toEqual([]);
      await ctx.close();
    }
    expect(tokens[0]).toMatch(/.{16,}/);
    expect(tokens[1]).not.toBe(tokens[0]);
  }, 90_000);

  it('draws each chart once per data change, with the pointer moving during load (issue 18.5)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    for (const id of ['', '#/cases', '#/journey']) {
      const { page, errors } = await open(ctx, id, true);
      await page.waitForSelector('.chart-canvas[data-renders]');
      const renders = await page.$$eval('.chart-canvas', (els) =>
        els.map((e) => [e.getAttribute('aria-label'), (e as HTMLElement).dataset.renders ?? '0']),
      );
      for (const [label, n] of renders)
        if (Number(n) > 1) problems.push(`${id || 'overview'}: "${label}" drawn ${n} times`);
      for (const e of errors) problems.push(`${id || 'overview'} console: ${e}`);
      await page.close();
    }
    expect(problems).toEqual([]);
    await ctx.close();
  }, 120_000);

  it('CES reads 7 = very easy everywhere: Overview tile, journey map colour, survey page ends', async () => {
    const ctx = await browser.newContext();
    const overview = await open(ctx, '');
    const ces = overview.page.locator('.stat', {
      has: overview.page.locator('.stat-label', { hasText: /^CES$/ }),
    });
    await expect(ces.locator('.stat-detail').last().textContent()).resolves.toContain(
      SCORE_SCALES.ces.direction,
    );
    expect(await overview.page.locator('text=lower is easier').count()).toBe(0);
    if (hasOp('journey', 'map')) {
      // the card colour is the band of the weakest well-measured channel, from the one scale definition
      const map = (await (
        await fetch(`${server.url}/api/v1/journey/map?feedbackKind=ces`)
      ).json()) as MapResult;
      const cells = map.cells.filter((c) => c.touchpoint === 'checkout');
      const measured = cells.filter((c) => c.feedback.mean !== null && !c.feedback.smallSample);
      const bands = measured.map((c) => meanBand('ces', c.feedback.mean));
      const want = (['bad', 'mid', 'good'] as const).find((b) => bands.includes(b)) ?? 'none';
      // the demo's checkout CES is about 5.6 of 7: never red
      expect(cells.some((c) => (c.feedback.mean ?? 0) > 5)).toBe(true);
      expect(want).not.toBe('bad');
      const { page } = await open(ctx, '#/journey?score=ces');
      const card = page.locator('button.tp', { has: page.locator('.tp-name', { hasText: /^checkout/ }) });
      await expect(card.first().getAttribute('class')).resolves.toContain(`s-${want}`);
    }
    await ctx.close();

    // the survey page: the ends of the CES scale say which end is easy
    const issued = await fetch(`${server.url}/api/v1/admin/survey-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ survey: 'ces-checkout', count: 1 }),
    });
    expect(issued.status).toBe(200);
    const token = ((await issued.json()) as { tokens: { token: string }[] }).tokens[0]!.token;
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const sp = await phone.newPage();
    await sp.goto(`${server.url}/s/ces-checkout?t=${encodeURIComponent(token)}`);
    await sp.waitForSelector('form fieldset .scale-ends');
    const s = SCORE_SCALES.ces;
    await expect(sp.locator('.scale-ends [data-end="low"]').textContent()).resolves.toBe(
      `${s.min} = ${s.lowEnd}`,
    );
    await expect(sp.locator('.scale-ends [data-end="high"]').textContent()).resolves.toBe(
      `${s.max} = ${s.highEnd}`,
    );
    expect(s.highEnd).toBe('Very easy');
    await sp.screenshot({ path: join(ARTIFACTS, 'survey-ces-mobile.png'), fullPage: true });
    await phone.close();
  }, 60_000);

  it.skipIf(!hasOp('cases', 'flow'))(
    'a team named <img onerror> shows as text in the transfer graph tooltip; no console error while the pointer moves during load',
    async () => {
      expect(xssTeam).toBeDefined();
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/#/cases`);
      // the pointer sweeps the page while it loads (issue 18.5: ECharts threw on the graph)
      for (let i = 0; i < 60; i++) await page.mouse.move(100 + ((i * 97) % 1200), 150 + ((i * 53) % 800));
      await waitForContent(page);
      const canvas = page.locator('[aria-label="Team transfer graph"]');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      // circular layout: nodes on a circle about the centre, a little inside min(w, h) / 2 (how far
      // inside depends on the labels and node sizes); sweep rings from the edge inwards
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      let tip = '';
      for (const r of [0, 6, 15, 30, 45, 60].map((d) => Math.min(box.width, box.height) / 2 - d)) {
        for (let a = 0; a < 360 && !tip.includes('onerror'); a += 2) {
          const rad = (a * Math.PI) / 180;
          await page.mouse.move(cx + r * Math.cos(rad), cy + r * Math.sin(rad));
          tip = await canvas.evaluate((el) => {
            const t = [...el.querySelectorAll('div')].find(
              (d) => d.style.position === 'absolute' && d.style.display !== 'none',
            );
            return t?.textContent ?? '';
          });
        }
        if (tip.includes('onerror')) break;
      }
      expect(tip).toContain(XSS_TEAM);
      // shown as text: no element was made from the name, and its handler never ran
      expect(await canvas.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      await page.screenshot({ path: join(ARTIFACTS, 'cases-xss-tooltip.png') });
      expect(errors).toEqual([]);
      await ctx.close();
    },
    90_000,
  );
  it.skipIf(!hasOp('customers', 'affected') || !hasOp('cases', 'timeline'))(
    'drill-down: a finding → its customers → a customer timeline and back; the case timeline; axe clean light and dark',
    async () => {
      const problems: string[] = [];
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      // a support finding lists its cases and customers at the end of its evidence
      const { page, errors } = await open(ctx, '#/findings?analysis=cases.ping-pong');
      await page.locator('tr.clickable').first().click();
      const drawer = page.locator('.drawer[role="dialog"]');
      const title = await drawer.locator('h3').textContent();
      const first = drawer.locator('[data-testid="affected-rows"] a[data-customer]').first();
      await first.waitFor();
      expect(await drawer.locator('code.block').count()).toBe(0); // no CLI command in the drawer
      const customer = (await first.getAttribute('data-customer'))!;
      await first.click();
      await page.waitForSelector('[data-testid="customer-timeline"] li');
      await waitForContent(page);
      await expect(page.locator('main h1').textContent()).resolves.toBe(`Customer ${customer}`);
      // the timeline shows the case that made the finding, as a link
      expect(await page.locator('[data-testid="customer-timeline"] a[data-case]').count()).toBeGreaterThan(0);
      // back (the page's own button): the same finding's evidence is open again
      await page.getByRole('button', { name: '← Back' }).click();
      await drawer.waitFor();
      await expect(drawer.locator('h3').textContent()).resolves.toBe(title);
      // a case from the same list: its timeline names the customer and the teams that held it
      const caseLink = drawer.locator('[data-testid="affected-rows"] a[data-case]').first();
      const caseId = (await caseLink.getAttribute('data-case'))!;
      await caseLink.click();
      await page.waitForSelector('[data-testid="case-facts"]');
      await waitForContent(page);
      await expect(page.locator('main h1').textContent()).resolves.toBe(`Case ${caseId}`);
      await expect(
        page.locator('[data-testid="case-facts"] a[data-customer]').textContent(),
      ).resolves.toBeTruthy();
      expect(await page.locator('.stint-bar .stint').count()).toBeGreaterThan(1); // a ping-pong case moved
      for (const e of errors) problems.push(`drill-down console: ${e}`);
      await page.close();
      // both pages in light and dark: no console error under the pointer, one render per chart, axe clean
      for (const scheme of ['light', 'dark'] as const) {
        const c = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 1000 } });
        for (const [id, hash] of [
          ['customer', `#/customer?id=${encodeURIComponent(customer)}`],
          ['case', `#/case?id=${encodeURIComponent(caseId)}`],
        ] as const) {
          const p = await open(c, hash, true);
          for (const e of p.errors) problems.push(`${id} (${scheme}) console: ${e}`);
          const renders = await p.page.$$eval('.chart-canvas', (els) =>
            els.map((e) => [e.getAttribute('aria-label'), (e as HTMLElement).dataset.renders ?? '0']),
          );
          for (const [label, n] of renders)
            if (Number(n) > 1) problems.push(`${id} (${scheme}) chart "${label}" drawn ${n} times`);
          const axe = await new AxeBuilder({ page: p.page })
            .options({ resultTypes: ['violations'] })
            .analyze();
          for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
            problems.push(
              `${id} (${scheme}) axe ${v.id}: ${v.nodes
                .map((n) => n.target.join(' '))
                .slice(0, 3)
                .join(', ')}`,
            );
          await p.page.screenshot({ path: join(ARTIFACTS, `${id}-${scheme}.png`), fullPage: true });
          await p.page.close();
        }
        await c.close();
      }
      // the support basics on the Cases page: service levels with their SLA, CSAT per agent
      const cases = await open(ctx, '#/cases', true);
      await cases.page.waitForSelector('[data-testid="support-totals"]');
      await expect(cases.page.locator('[data-testid="support-totals"]').textContent()).resolves.toContain(
        'First reply within 24 h',
      );
      for (const e of cases.errors) problems.push(`cases console: ${e}`);
      await cases.page.close();
      await ctx.close();
      expect(problems).toEqual([]);
    },
    180_000,
  );
});
