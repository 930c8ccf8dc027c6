/**
 * The People, Policies and Audit pages in a real Chromium against the real server on the demo
 * company (issue 22.8): anonymity visible as "fewer than 5", the planted people finding, the flagged
 * return-fee policy, the stored audit; no console error, no serious accessibility violation, light
 * and dark screenshots in artifacts/web/.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import { AuditRunParams, runAudit } from '../audit/index.js';
import { type DemoManifest, readManifest } from '../demo/index.js';
import { getLink, LinkParams } from '../people/index.js';
import { getImpact, ImpactParams } from '../policies/index.js';
import { haveChromium, waitForContent } from './testing/browser.js';
import { ARTIFACTS, cockpitOnDemoCopy } from './testing/cockpit.test-helpers.js';

if (!haveChromium()) console.warn('people pages browser test skipped: /usr/bin/chromium is absent');

describe.skipIf(!haveChromium())('People, Policies and Audit pages in Chromium', () => {
  let manifest: DemoManifest;
  const server = cockpitOnDemoCopy('people', async (store) => {
    manifest = (await readManifest(store))!;
    await getLink(store, LinkParams.parse({}));
    await getImpact(store, ImpactParams.parse({}));
    await runAudit(store, AuditRunParams.parse({}));
  });

  it('each page shows its figures with anonymity applied, light and dark, without errors', async () => {
    const plantTeam = manifest.plants.find((p) => p.analysis === 'people.link')!.slice.team!;
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await server.browser.newContext({
        colorScheme: scheme,
        viewport: { width: 1400, height: 1000 },
      });
      for (const id of ['people', 'policies', 'audit']) {
        const page = await ctx.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(`${id} (${scheme}) console: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`${id} (${scheme}) ${e.message}`));
        await page.goto(`${server.url}/#/${id}`);
        await waitForContent(page);
        const text = (await page.locator('main').textContent()) ?? '';
        if (id === 'people') {
          // small teams are visibly suppressed, with no figure
          expect(await page.locator('[data-status^="fewer than 5"]').count()).toBeGreaterThan(0);
          expect(text).not.toMatch(/emp-/);
          expect(text).toContain('Logistics Support');
          // the people finding of the planted team is listed
          expect(text).toMatch(/Logistics Support: eNPS/);
          expect(plantTeam).toBe('logistics');
        }
        if (id === 'policies') {
          expect(text).toContain('Return fee');
          expect(text).toMatch(/“return fee” is a negative theme/);
        }
        if (id === 'audit') {
          expect(await page.locator('section[data-p="people"] tbody tr').count()).toBeGreaterThan(0);
          expect(await page.locator('section[data-p="policy"] tbody tr').count()).toBeGreaterThan(0);
        }
        const axe = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
        for (const v of axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
          problems.push(
            `${id} (${scheme}) axe ${v.id}: ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')}`,
          );
        await page.screenshot({ path: join(ARTIFACTS, `${id}-${scheme}.png`), fullPage: true });
        await page.close();
      }
      await ctx.close();
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
