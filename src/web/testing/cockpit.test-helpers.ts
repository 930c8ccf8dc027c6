/**
 * For the cockpit's browser tests: a real server on a private copy of the test demo company with
 * Chromium beside it (set up before the file's tests, removed after), a page opened in a colour scheme
 * that collects console errors, and the accessibility check every page passes. One place, so each
 * page's test says only what it checks.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { demoDbPath } from '../../demo/test-fixture.js';
import { openStore, type Store } from '../../store/index.js';
import { ensureWebBuild } from '../build.js';
import { launchChromium, startCockpitServer, waitForContent } from './browser.js';

/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../../artifacts/web');

export interface CockpitOnDemo {
  readonly url: string;
  readonly browser: Browser;
  /** The copy of the demo database the server holds. */
  readonly db: string;
}

/**
 * Registers the file's beforeAll/afterAll: the demo copied to a temporary directory, `prepare` run on
 * it (what the page needs beyond the demo: experiments, monitors…), the cockpit served on loopback and
 * Chromium launched. The returned handle is filled in once beforeAll ran.
 */
export function cockpitOnDemoCopy(
  name: string,
  prepare?: (store: Store) => Promise<unknown>,
  timeout = 300_000,
): CockpitOnDemo {
  let dir: string | undefined;
  let db = '';
  let server: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), `tp-${name}-web-`));
    db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    if (prepare) {
      const store = await openStore(db);
      try {
        await prepare(store);
      } finally {
        await store.close();
      }
    }
    server = await startCockpitServer(db, dir);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, timeout);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      return server!.url;
    },
    get browser() {
      return browser!;
    },
    get db() {
      return db;
    },
  };
}

/** A new browser context in `scheme` with the page at `url` drawn, and the console errors it logs. */
export async function openPage(
  browser: Browser,
  url: string,
  o: { scheme?: 'light' | 'dark'; width?: number; height?: number; timeout?: number } = {},
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    colorScheme: o.scheme ?? 'light',
    viewport: { width: o.width ?? 1400, height: o.height ?? 1000 },
  });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitForContent(page, o.timeout);
  return { ctx, page, errors };
}

/** The serious and critical axe violations on the page (or inside `include`), each with where. */
export async function seriousA11y(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
  const axe = await (include ? builder.include(include) : builder).analyze();
  return axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    );
}
