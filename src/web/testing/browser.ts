/**
 * Shared by the browser tests and the bench: launch Debian's Chromium through playwright-core, and
 * wait until a cockpit page has painted its content (no loading indicator, no call in flight).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer } from '../../server/index.js';
import { WEB_DIST } from '../build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = (): boolean => existsSync(CHROMIUM);

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Waits for the first meaningful paint of a cockpit page: its heading is there, nothing is loading
 * and no API call is in flight. Returns ms since navigation start (the page's own clock).
 */
export async function waitForContent(page: Page, timeout = 30_000): Promise<number> {
  await page.waitForSelector('main h1', { timeout });
  await page.waitForFunction(
    () =>
      document.querySelectorAll('.loading, .progress.on').length === 0 &&
      !document.querySelector('main')?.textContent?.includes('Loading the cockpit'),
    undefined,
    { timeout, polling: 20 },
  );
  return page.evaluate(() => performance.now());
}

/**
 * Waits for the page's first meaningful paint: its main content (`[data-primary]`) drawn with nothing
 * loading inside it, or, on a page without one, everything loaded. Returns ms since navigation start.
 */
export async function waitForPrimary(page: Page, timeout = 30_000): Promise<number> {
  await page.waitForSelector('main h1', { timeout });
  await page.waitForFunction(
    () => {
      const p = document.querySelector('[data-primary]');
      if (p) return p.querySelectorAll('.loading').length === 0;
      return document.querySelectorAll('.loading, .progress.on').length === 0;
    },
    undefined,
    { timeout, polling: 10 },
  );
  return page.evaluate(() => performance.now());
}

/** The API calls the page made (from the client's timing log), slowest first. */
export async function apiCalls(page: Page): Promise<{ url: string; ms: number; end: number }[]> {
  const calls = await page.evaluate(
    () => (globalThis as { __tpCalls?: { url: string; ms: number; end: number }[] }).__tpCalls ?? [],
  );
  return [...calls].sort((a, b) => b.ms - a.ms);
}

/** The pages in the navigation, in order (ids from `#/<id>` links). */
export async function navPages(page: Page): Promise<string[]> {
  return page.$$eval('header nav a', (as) =>
    as.map((a) => (a.getAttribute('href') ?? '').replace(/^#\//, '').split('?')[0] ?? '').filter(Boolean),
  );
}

/**
 * The real server on loopback as `touchpoint start` runs it, for a cockpit test or bench: the
 * workspace `db`, its server data in `dir`/server, local-admin mode, the built cockpit, quiet logs;
 * `warm` as `touchpoint start` sets it (off by default in tests: no background work).
 */
export function startCockpitServer(
  db: string,
  dir: string,
  options: { readonly warm?: boolean } = {},
): ReturnType<typeof startServer> {
  return startServer({
    ...options,
    db,
    dataDir: join(dir, 'server'),
    host: '127.0.0.1',
    port: 0,
    localAdmin: true,
    staticDir: WEB_DIST,
    logLevel: 'warn',
    print: () => {},
  });
}
