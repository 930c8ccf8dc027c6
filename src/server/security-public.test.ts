import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, url, useSecurityServer } from './security.test-helpers.js';
import { type ChildServer, call, defaultKey, startChild } from './test-harness.js';

/**
 * Attacks from docs/security.md performed against the real server process on loopback: secrets in
 * logs and file modes, and the public surface of `touchpoint serve` — cockpit, respondent pages,
 * embed.js, public survey links (issue 16 items 10 and 11).
 */
useSecurityServer();

describe('exposure (issue 16 item 10)', () => {
  let verbose: ChildServer;
  beforeAll(async () => {
    verbose = await startChild({ env: { TOUCHPOINT_LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await verbose?.stop();
  });

  it('survey tokens, setup tokens and API secrets never appear in request logs', async () => {
    const key = await defaultKey(verbose.url, ['read']);
    await call(`${verbose.url}/s/nps-probe/definition?t=SURVEYTOKEN-secret-0123456789`);
    await call(`${verbose.url}/setup?token=SETUPTOKEN-secret-0123456789`);
    await call(`${verbose.url}/api/v1/auth/me?key=${key}`, { headers: { authorization: `Bearer ${key}` } });
    // let the log lines arrive (the last request's line last; a loaded machine may take a while)
    for (let i = 0; i < 100 && !verbose.stderr().includes('/api/v1/auth/me'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const log = verbose.stderr();
    expect(log).toContain('/s/nps-probe/definition?[redacted]');
    expect(log).not.toContain('SURVEYTOKEN-secret');
    expect(log).not.toContain('SETUPTOKEN-secret');
    // the secret is everything after tp_<keyId>_ (base64url: it may hold '_' itself)
    expect(log).not.toContain(key.split('_').slice(2).join('_'));
  });

  it('database files and sidecars are readable by their owner only (0600)', async () => {
    const files = [
      join(verbose.dataDir, 'server.duckdb'),
      join(verbose.dataDir, 'workspaces', 'default.duckdb'),
      join(verbose.dataDir, 'workspaces', 'default.duckdb.server.json'),
    ];
    for (const f of files) expect((statSync(f).mode & 0o777).toString(8), f).toBe('600');
  });
});

describe('touchpoint serve is usable by a team (issue 16 item 11)', () => {
  it('serves the cockpit, the respondent pages and a cross-origin loadable /embed.js', async () => {
    const html = { accept: 'text/html' };
    const root = await call(`${url}/`, { headers: html });
    expect(root.status).toBe(200);
    expect(root.text).toContain('cockpit-marker');
    const page = await call(`${url}/s/nps/anything?t=x`, { headers: html });
    expect(page.status).toBe(200);
    expect(page.text).toContain('cockpit-marker');
    const embed = await call(`${url}/embed.js`);
    expect(embed.status).toBe(200);
    expect(embed.text).toContain('embed-marker');
    expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // everything else stays same-origin
    expect(root.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('a public per-survey link hands each respondent a fresh single-use token, rate-limited per link', async () => {
    const def = await call(`${url}/api/v1/feedback/survey-define`, {
      headers: admin,
      body: { id: 'site-csat', name: 'Site CSAT', touchpoint: 'web', question: ['csat*:sat:How satisfied?'] },
    });
    expect(def.status).toBe(200);
    const made = await call<{ link: string; page: string }>(`${url}/api/v1/admin/survey-links`, {
      headers: admin,
      body: { survey: 'site-csat', perHour: 3 },
    });
    expect(made.status).toBe(200);
    expect(made.body.page).toBe(`${url}/s/site-csat?link=${made.body.link}`);
    const ask = () =>
      call<{ token: string }>(`${url}/s/site-csat/tokens`, { body: { link: made.body.link } });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ask();
      expect(r.status).toBe(200);
      tokens.push(r.body.token);
    }
    expect(new Set(tokens).size).toBe(3);
    const over = await ask();
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(60);
    // each token answers once
    const answer = (t: string) =>
      call(`${url}/s/site-csat/answers`, { body: { token: t, question: 'sat', score: 4 } });
    expect((await answer(tokens[0]!)).status).toBe(200);
    expect((await answer(tokens[0]!)).status).toBe(409);
    expect((await answer(tokens[1]!)).status).toBe(200);
    // a link answers only its own survey, and not after it is revoked
    const wrong = await call(`${url}/s/post-purchase/tokens`, { body: { link: made.body.link } });
    expect(wrong.status).toBe(403);
    const revoke = await call(`${url}/api/v1/admin/survey-links/revoke`, {
      headers: admin,
      body: { link: made.body.link },
    });
    expect(revoke.status).toBe(200);
    const again = await call(`${url}/s/site-csat/tokens`, { body: { link: made.body.link } });
    expect(again.status).toBe(403);
  });
});
