/**
 * Settings › Users, Audit log and My account in a real browser (Debian's Chromium through
 * playwright-core) against the real server on loopback: an admin disables, re-enables, resets and
 * signs out a user from the page, and the server then enforces each; a user changes their own
 * password. Screenshots (light and dark) go to artifacts/web/. Skips only without /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../server/index.js';
import { ensureWebBuild, WEB_DIST } from './build.js';
import { haveChromium, launchChromium, waitForContent } from './testing/browser.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/web');
const PASSWORD = 'ann-first-password-1';

describe.skipIf(!haveChromium())('Settings: the account lifecycle in Chromium', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'tp-web-accounts-'));
    server = await startServer({
      db: join(dir, 'ws.duckdb'),
      dataDir: join(dir, 'server'),
      host: '127.0.0.1',
      port: 0,
      localAdmin: true, // the page is this machine's admin, as with `touchpoint start`
      staticDir: WEB_DIST,
      logLevel: 'warn',
      print: () => {},
    });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    const made = await post('/api/v1/accounts/users-create', {
      username: 'ann',
      password: PASSWORD,
      role: 'analyst',
      workspaces: '*',
    });
    expect(made.status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  /** Ann's sign-in as a server sees it: 200 with a session cookie, or 401. */
  const signIn = async (password: string) => {
    const r = await post('/api/v1/auth/login', { username: 'ann', password });
    const cookie = r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { status: r.status, cookie };
  };
  /** Whose session a cookie is: `user` while it is valid (this loopback server falls back to `local`). */
  const me = async (cookie: string) =>
    (
      (await (await fetch(`${server.url}/api/v1/auth/me`, { headers: { cookie } })).json()) as {
        type: string;
      }
    ).type;
  const row = (page: Page) => page.locator('[data-user="ann"]');
  const outcome = (page: Page) => page.locator('[data-testid="account-outcome"]');

  it('disable, enable, end sessions and reset from the page; the server enforces each; all audited', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const { page, errors } = await openPage(ctx.newPage(), `${server.url}/#/settings?tab=users`);
    await row(page).waitFor();

    // disable: signed out everywhere, cannot sign in
    const before = await signIn(PASSWORD);
    expect(before.status).toBe(200);
    expect(await me(before.cookie)).toBe('user');
    await row(page).getByRole('button', { name: 'Disable' }).click();
    await expect(outcome(page).textContent()).resolves.toMatch(/ann is disabled .*1 session ended/);
    expect(await me(before.cookie)).toBe('local');
    expect((await signIn(PASSWORD)).status).toBe(401);
    await expect(page.locator('tr', { has: row(page) }).textContent()).resolves.toMatch(/disabled/);

    // enable: may sign in again
    await row(page).getByRole('button', { name: 'Enable' }).click();
    await expect(outcome(page).textContent()).resolves.toMatch(/ann may sign in again/);
    const again = await signIn(PASSWORD);
    expect(again.status).toBe(200);
    expect(await me(again.cookie)).toBe('user');

    // end sessions: the session just made stops working at once
    await row(page).getByRole('button', { name: 'End sessions' }).click();
    await expect(outcome(page).textContent()).resolves.toMatch(/1 session of ann ended/);
    expect(await me(again.cookie)).toBe('local');

    // reset asks once more, then shows a new password once; the old one stops working
    await row(page).getByRole('button', { name: 'Reset password' }).click();
    await row(page).getByRole('button', { name: 'Confirm reset' }).click();
    const secret = (await page.locator('[data-testid="account-secret"]').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await signIn(PASSWORD)).status).toBe(401);
    expect((await signIn(secret)).status).toBe(200);

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.evaluate((s) => {
        document.documentElement.dataset.theme = s;
      }, scheme);
      await page.screenshot({ path: join(ARTIFACTS, `settings-users-${scheme}.png`), fullPage: true });
    }

    // the audit log tab names who did each, from this machine
    await page.goto(`${server.url}/#/settings?tab=audit`);
    await waitForContent(page);
    const log = (await page.locator('main table').textContent()) ?? '';
    for (const action of ['user.disable', 'user.enable', 'user.sessions.end', 'user.password.reset'])
      expect(log).toContain(action);
    expect(log).toContain('local:local-admin');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-audit-light.png'), fullPage: true });
    expect(errors).toEqual([]);
    await ctx.close();

    // a user changes their own password under My account (the old one is required)
    await post('/api/v1/accounts/users-reset-password', { username: 'ann', password: PASSWORD });
    const annCtx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const login = await annCtx.request.post(`${server.url}/api/v1/auth/login`, {
      data: { username: 'ann', password: PASSWORD },
    });
    expect(login.status()).toBe(200);
    const mine = await openPage(annCtx.newPage(), `${server.url}/#/settings?tab=account`);
    // not an admin: no Users, keys or audit tabs
    expect(await mine.page.locator('nav.tabs a', { hasText: 'Users' }).count()).toBe(0);
    await mine.page.getByLabel('Current password').fill('not-the-password');
    await mine.page.getByLabel('New password').fill('ann-second-password-2');
    await mine.page.getByRole('button', { name: 'Change password' }).click();
    await mine.page.locator('.error', { hasText: 'wrong password' }).waitFor();
    await mine.page.getByLabel('Current password').fill(PASSWORD);
    await mine.page.getByRole('button', { name: 'Change password' }).click();
    await mine.page.locator('text=Password changed').waitFor();
    expect((await signIn('ann-second-password-2')).status).toBe(200);
    expect((await signIn(PASSWORD)).status).toBe(401);
    // the console error of the refused attempt is the 403 the page showed; nothing else
    expect(mine.errors.filter((e) => !/403/.test(e))).toEqual([]);
    await annCtx.close();
  }, 120_000);
});

async function openPage(p: Promise<Page>, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await p;
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitForContent(page);
  return { page, errors };
}
