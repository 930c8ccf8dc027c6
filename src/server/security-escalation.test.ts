import { describe, expect, it } from 'vitest';
import { admin, limited, routes, url, useSecurityServer } from './security.test-helpers.js';
import { adminSession, call, createKey } from './test-harness.js';

/**
 * Attacks from docs/security.md performed against the real server process on loopback: privilege
 * escalation by a workspace-limited admin, and the account lifecycle (issue 16 items 2 and 9).
 */
useSecurityServer();

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
