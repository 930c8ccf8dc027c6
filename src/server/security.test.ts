import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../operations.js';
import { routeTable } from './routes.js';
import { adminSession, type ChildServer, call, createKey, startChild, tempDir } from './test-harness.js';

/**
 * Attacks from docs/security.md performed against the real server process on loopback: each case
 * here failed on the code before its fix (issue 16).
 */
let server: ChildServer;
let url: string;
let admin: Record<string, string>;
/** An admin user whose workspaces are ["other"] only. */
let limited: Record<string, string>;

const routes = routeTable(operations);

/** A stand-in for the built cockpit (dist/web), so the test does not depend on a build. */
const webDir = tempDir('tp-web-');
mkdirSync(webDir, { recursive: true });
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>cockpit-marker</title>');
writeFileSync(join(webDir, 'embed.js'), '/* embed-marker */');

beforeAll(async () => {
  server = await startChild({ env: { TOUCHPOINT_WEB_DIR: webDir } });
  url = server.url;
  admin = await adminSession(url);
  expect(
    (await call(`${url}/api/v1/admin/workspaces`, { headers: admin, body: { name: 'other' } })).status,
  ).toBe(200);
  const u = await call(`${url}/api/v1/admin/users`, {
    headers: admin,
    body: { username: 'ws-admin', password: 'ws-admin-password-1', role: 'admin', workspaces: ['other'] },
  });
  expect(u.status).toBe(200);
  limited = await adminSession(url, 'ws-admin', 'ws-admin-password-1');
});

afterAll(async () => {
  await server?.stop();
});

describe('a workspace-limited admin cannot escalate (issue 16 item 2)', () => {
  it('the escalation chain: list users, create an all-workspace admin, read default through it', async () => {
    const users = await call(`${url}/api/v1/admin/users`, { headers: limited });
    expect(users.status).toBe(403);
    const spaces = await call(`${url}/api/v1/admin/workspaces`, { headers: limited });
    expect(spaces.status).toBe(403);
    const create = await call(`${url}/api/v1/admin/users`, {
      headers: limited,
      body: { username: 'evil-root', password: 'evil-root-password', role: 'admin', workspaces: '*' },
    });
    expect(create.status).toBe(403);
    // the account was not created: it cannot sign in
    const login = await call(`${url}/api/v1/auth/login`, {
      body: { username: 'evil-root', password: 'evil-root-password' },
    });
    expect(login.status).toBe(401);
    const key = await call(`${url}/api/v1/admin/keys`, {
      headers: { ...limited, 'x-touchpoint-workspace': 'default' },
      body: { name: 'evil', scopes: ['admin'] },
    });
    expect(key.status).toBe(403);
    const read = await call(`${url}/api/v1/overview/summary`, {
      headers: { ...limited, 'x-touchpoint-workspace': 'default' },
    });
    expect(read.status).toBe(403);
  });

  it('every admin route: server routes refused, workspace routes only in its own workspace', async () => {
    const admins = routes.filter((r) => r.kind === 'admin');
    expect(admins.length).toBeGreaterThanOrEqual(9);
    for (const r of admins) {
      for (const workspace of ['default', 'other']) {
        const res = await call(`${url}${r.path}`, {
          method: r.method,
          headers: { ...limited, 'x-touchpoint-workspace': workspace },
          ...(r.method === 'POST' ? { body: { __probe: 1 } } : {}),
        });
        const refused = r.permission === 'server' || workspace === 'default';
        if (refused) expect(res.status, `${r.method} ${r.path} in ${workspace}`).toBe(403);
        else expect(res.status, `${r.method} ${r.path} in ${workspace}`).not.toBe(403);
      }
    }
  });

  it('a key it mints is bound to its own workspace; the audit log it reads is its own workspace only', async () => {
    const key = await createKey(url, limited, 'other', ['admin']);
    const me = await call(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.body.workspaces).toEqual(['other']);
    const audit = await call<{ entries: { action: string; workspace: string | null }[] }>(
      `${url}/api/v1/admin/audit`,
      { headers: { ...limited, 'x-touchpoint-workspace': 'other' } },
    );
    expect(audit.status).toBe(200);
    expect(audit.body.entries.length).toBeGreaterThan(0);
    expect(audit.body.entries.every((e) => e.workspace === 'other')).toBe(true);
    // server-level actions (users, first admin) are not a workspace's: an all-workspace admin sees them
    const all = await call<{ entries: { action: string; workspace: string | null }[] }>(
      `${url}/api/v1/admin/audit`,
      { headers: admin },
    );
    const actions = all.body.entries.map((e) => e.action);
    expect(actions).toContain('user.create');
    expect(all.body.entries.find((e) => e.action === 'user.create')?.workspace).toBeNull();
  });
});

describe('the helpdesk webhook is atomic (issue 16 item 4)', () => {
  const counts = async () => {
    const r = await call<{ counts: Record<string, number> }>(`${url}/api/v1/overview/summary`, {
      headers: admin,
    });
    expect(r.status).toBe(200);
    return r.body.counts;
  };

  it('an invalid event field answers 400 and leaves no case row behind', async () => {
    const before = await counts();
    const bad = await call(`${url}/api/v1/ingest/webhooks/helpdesk`, {
      headers: admin,
      body: [
        { ticket_id: 'HD-ATOMIC-1', timestamp: '2026-05-01T10:00:00Z', status: 'new', group: 'billing' },
        {
          ticket_id: 'HD-ATOMIC-2',
          timestamp: '2026-05-01T11:00:00Z',
          group: 'billing',
          promised_at: 'soon',
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('promised_at');
    expect(await counts()).toEqual(before);
    // the same change without the bad field stores both kinds
    const good = await call<{ cases: { rowsStored: number }; caseEvents: { rowsStored: number } }>(
      `${url}/api/v1/ingest/webhooks/helpdesk`,
      {
        headers: admin,
        body: [{ ticket_id: 'HD-ATOMIC-2', timestamp: '2026-05-01T11:00:00Z', group: 'billing' }],
      },
    );
    expect(good.status).toBe(200);
    expect(good.body.cases.rowsStored).toBe(1);
    expect(good.body.caseEvents.rowsStored).toBe(1);
    const after = await counts();
    expect(after.cases).toBe(before.cases! + 1);
  });
});

describe('user YAML is parsed safely (issue 16 item 8)', () => {
  const setTaxonomy = (yaml: string) =>
    call<{ error: { code: string; message: string } }>(`${url}/api/v1/feedback/taxonomy-set`, {
      headers: admin,
      body: { yaml },
    });

  it('reads no file by path: journey check with file= is a 400 naming the field, the drawing as text works', async () => {
    const byPath = await call<{ error: { code: string; details: { field: string }[] } }>(
      `${url}/api/v1/journey/check?file=${encodeURIComponent('/etc/hostname')}`,
      { headers: admin },
    );
    expect(byPath.status).toBe(400);
    expect(byPath.body.error.details[0]!.field).toBe('file');
    const drawing = JSON.stringify({ stages: [{ name: 'buy', touchpoints: ['search', 'cart'] }] });
    const asText = await call(`${url}/api/v1/journey/check?drawing=${encodeURIComponent(drawing)}`, {
      headers: admin,
    });
    expect(asText.status).toBe(200);
  });

  it('a YAML alias bomb is a 400 naming the problem, not a 500', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const r = await setTaxonomy(`${levels.join('\n')}\nthemes: *i\n`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.message).toMatch(/alias/i);
  });

  it.each([
    ['unclosed flow sequence', 'themes: [1, 2'],
    ['tab indentation', 'themes:\n\t- id: x'],
    ['duplicate keys', 'version: 1\nversion: 2\nthemes: []'],
    ['a scalar instead of a map', '"just text"'],
  ])('%s is a 400 naming the problem', async (_label, yaml) => {
    const r = await setTaxonomy(yaml);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.message).toMatch(/^taxonomy\.yaml:/);
  });
});

describe('exposure (issue 16 item 10)', () => {
  let verbose: ChildServer;
  beforeAll(async () => {
    verbose = await startChild({ env: { TOUCHPOINT_LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await verbose?.stop();
  });

  it('survey tokens, setup tokens and API secrets never appear in request logs', async () => {
    const key = await createKey(verbose.url, await adminSession(verbose.url), 'default', ['read']);
    await call(`${verbose.url}/s/nps-probe/definition?t=SURVEYTOKEN-secret-0123456789`);
    await call(`${verbose.url}/setup?token=SETUPTOKEN-secret-0123456789`);
    await call(`${verbose.url}/api/v1/auth/me?key=${key}`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise((r) => setTimeout(r, 200)); // let the log lines arrive
    const log = verbose.stderr();
    expect(log).toContain('/s/nps-probe/definition?[redacted]');
    expect(log).not.toContain('SURVEYTOKEN-secret');
    expect(log).not.toContain('SETUPTOKEN-secret');
    expect(log).not.toContain(key.split('_')[2]!);
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

describe('account lifecycle in the API (issue 16 item 9)', () => {
  const me = (h: Record<string, string>) => call(`${url}/api/v1/auth/me`, { headers: h });
  const login = (password: string) =>
    call(`${url}/api/v1/auth/login`, { body: { username: 'lc-user', password } });

  it('change password (old one required), disable, re-enable, admin reset, end sessions, purge — all audited', async () => {
    const created = await call(`${url}/api/v1/admin/users`, {
      headers: admin,
      body: { username: 'lc-user', password: 'lc-first-password', role: 'analyst', workspaces: ['default'] },
    });
    expect(created.status).toBe(200);
    const s1 = await adminSession(url, 'lc-user', 'lc-first-password');
    const s2 = await adminSession(url, 'lc-user', 'lc-first-password');
    const change = (oldPassword: string, newPassword: string) =>
      call(`${url}/api/v1/auth/password`, { headers: s1, body: { oldPassword, newPassword } });
    expect((await change('not-the-password', 'lc-second-password')).status).toBe(403);
    expect((await change('lc-first-password', 'lc-second-password')).status).toBe(200);
    expect((await me(s1)).status).toBe(200); // the session that changed it stays
    expect((await me(s2)).status).toBe(401); // every other one ends
    expect((await login('lc-first-password')).status).toBe(401);
    expect((await login('lc-second-password')).status).toBe(200);

    const post = (path: string, body: unknown) =>
      call(`${url}/api/v1/admin/${path}`, { headers: admin, body });
    expect((await post('users/disable', { username: 'lc-user' })).status).toBe(200);
    expect((await me(s1)).status).toBe(401);
    expect((await login('lc-second-password')).status).toBe(401);
    const listed = await call<{ users: { username: string; disabledAt: string | null }[] }>(
      `${url}/api/v1/admin/users`,
      { headers: admin },
    );
    expect(listed.body.users.find((u) => u.username === 'lc-user')?.disabledAt).not.toBeNull();
    expect((await post('users/enable', { username: 'lc-user' })).status).toBe(200);
    expect((await login('lc-second-password')).status).toBe(200);

    const s3 = await adminSession(url, 'lc-user', 'lc-second-password');
    expect(
      (await post('users/password', { username: 'lc-user', password: 'lc-reset-password' })).status,
    ).toBe(200);
    expect((await me(s3)).status).toBe(401);
    const s4 = await adminSession(url, 'lc-user', 'lc-reset-password');
    const ended = await post('users/sessions/end', { username: 'lc-user' });
    expect(ended.status).toBe(200);
    expect(ended.body.ended).toBeGreaterThanOrEqual(1);
    expect((await me(s4)).status).toBe(401);
    const purge = await post('sessions/purge', {});
    expect(purge.status).toBe(200);
    expect(typeof purge.body.purged).toBe('number');
    expect((await post('users/disable', { username: 'nobody-here' })).status).toBe(404);

    const audit = await call<{ entries: { action: string; actor: string; target: string | null }[] }>(
      `${url}/api/v1/admin/audit?limit=100`,
      { headers: admin },
    );
    const mine = audit.body.entries.filter((e) => e.target === 'lc-user' || e.action === 'sessions.purge');
    expect(mine.map((e) => e.action).sort()).toEqual([
      'sessions.purge',
      'user.disable',
      'user.enable',
      'user.password.reset',
      'user.sessions.end',
    ]);
    expect(mine.every((e) => e.actor === 'user:admin')).toBe(true);
    expect(
      audit.body.entries.some((e) => e.action === 'user.password.change' && e.actor === 'user:lc-user'),
    ).toBe(true);
  });

  it('a key minted by a key is revoked with its parent, transitively', async () => {
    const parent = await createKey(url, admin, 'default', ['admin']);
    const mint = async (by: string) => {
      const r = await call<{ key: string }>(`${url}/api/v1/admin/keys`, {
        headers: { authorization: `Bearer ${by}` },
        body: { name: 'child', scopes: ['admin'] },
      });
      expect(r.status).toBe(200);
      return r.body.key;
    };
    const child = await mint(parent);
    const grandchild = await mint(child);
    const sibling = await createKey(url, admin, 'default', ['read']);
    for (const k of [child, grandchild])
      expect((await me({ authorization: `Bearer ${k}` })).status).toBe(200);
    const revoke = await call<{ alsoRevoked: string[] }>(`${url}/api/v1/admin/keys/revoke`, {
      headers: admin,
      body: { keyId: parent.split('_')[1] },
    });
    expect(revoke.status).toBe(200);
    expect([...revoke.body.alsoRevoked].sort()).toEqual(
      [child.split('_')[1], grandchild.split('_')[1]].sort(),
    );
    for (const k of [parent, child, grandchild])
      expect((await me({ authorization: `Bearer ${k}` })).status).toBe(401);
    expect((await me({ authorization: `Bearer ${sibling}` })).status).toBe(200);
  });
});
