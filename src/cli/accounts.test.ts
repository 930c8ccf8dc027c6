import { rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  adminSession,
  bearer,
  type ChildServer,
  call,
  runCli,
  startChild,
  tempDir,
} from '../server/test-harness.js';

/**
 * `touchpoint accounts <verb>`: the account lifecycle from the terminal, on the server database
 * (`<data dir>/server.duckdb`) while no server holds it, as the local admin — and what it did is what
 * the server then enforces (sign-in, keys) and shows in its audit log.
 */
const dataDir = tempDir('tp-accounts-');
const me = `local:${userInfo().username}`;
let server: ChildServer | undefined;

const tp = async (...args: string[]) => {
  const r = await runCli(['accounts', ...args, '--data-dir', dataDir]);
  return { ...r, json: r.code === 0 && args.includes('--json') ? JSON.parse(r.stdout) : undefined };
};

beforeAll(async () => {
  // the first start creates server.duckdb (and the env admin); then the terminal may open it
  const s = await startChild({ dataDir });
  await s.stop();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('touchpoint accounts (real CLI process, then the real server)', () => {
  it('creates, lists, disables, re-enables and resets users; ends and purges sessions; all audited', async () => {
    const created = await tp(
      'users-create',
      '--username',
      'ann',
      '--role',
      'analyst',
      '--workspaces',
      'default',
      '--json',
    );
    expect(created.stderr).toBe('');
    expect(created.json.user).toMatchObject({ username: 'ann', role: 'analyst', workspaces: ['default'] });
    // no --password: one is made, shown once, long enough
    expect(created.json.password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const disabled = await tp('users-disable', 'ann', '--json');
    expect(disabled.json).toEqual({ username: 'ann', disabled: true, sessionsEnded: 0 });
    let list = (await tp('users-list', '--json')).json.users as {
      username: string;
      disabledAt: string | null;
    }[];
    expect(list.find((u) => u.username === 'ann')?.disabledAt).not.toBeNull();
    expect((await tp('users-enable', 'ann', '--json')).json).toEqual({ username: 'ann', disabled: false });
    list = (await tp('users-list', '--json')).json.users;
    expect(list.map((u) => u.username).sort()).toEqual(['admin', 'ann']);
    expect(list.find((u) => u.username === 'ann')?.disabledAt).toBeNull();

    const reset = await tp('users-reset-password', 'ann', '--password', 'ann-new-password-42', '--json');
    expect(reset.json).toMatchObject({ username: 'ann', reset: true });
    expect(reset.json.password).toBeUndefined(); // given, so not echoed
    expect((await tp('sessions-end', 'ann', '--json')).json).toEqual({ username: 'ann', ended: 0 });
    expect((await tp('sessions-purge', '--json')).json).toEqual({ purged: 0 });

    const audit = (await tp('audit-list', '--json')).json.entries as {
      actor: string;
      action: string;
      target: string;
    }[];
    const mine = audit.filter((e) => e.actor === me).map((e) => e.action);
    for (const a of [
      'user.create',
      'user.disable',
      'user.enable',
      'user.password.reset',
      'user.sessions.end',
      'sessions.purge',
    ])
      expect(mine).toContain(a);
    // the human view is a table, not JSON
    const table = await tp('users-list');
    expect(table.stdout).toMatch(/2 users/);
    expect(table.stdout).toMatch(/ann\s+analyst\s+default/);
  }, 300_000);

  it('mints and revokes keys; the server honours both, and names the terminal user as the actor', async () => {
    const made = await tp('keys-create', '--name', 'website', '--scopes', 'read', '--json');
    expect(made.json).toMatchObject({
      name: 'website',
      workspace: 'default',
      scopes: ['read'],
      createdBy: me,
    });
    const doomed = await tp('keys-create', '--name', 'old', '--scopes', 'read,ingest', '--json');
    expect((await tp('keys-revoke', doomed.json.keyId, '--json')).json).toEqual({
      revoked: doomed.json.keyId,
      alsoRevoked: [],
    });
    const keys = (await tp('keys-list', '--json')).json.keys as { keyId: string; revokedAt: string | null }[];
    expect(keys.find((k) => k.keyId === made.json.keyId)?.revokedAt).toBeNull();
    expect(keys.find((k) => k.keyId === doomed.json.keyId)?.revokedAt).not.toBeNull();

    server = await startChild({ dataDir });
    // the key minted in the terminal reads; the revoked one does not
    expect((await call(`${server.url}/api/v1/auth/me`, { headers: bearer(made.json.key) })).status).toBe(200);
    expect((await call(`${server.url}/api/v1/auth/me`, { headers: bearer(doomed.json.key) })).status).toBe(
      401,
    );
    // ann signs in with the password the terminal set
    await adminSession(server.url, 'ann', 'ann-new-password-42');
    // the server's audit log shows who did it from the terminal
    const admin = await adminSession(server.url, 'admin', ADMIN_PASSWORD);
    const audit = await call<{ entries: { actor: string; action: string; target: string }[] }>(
      `${server.url}/api/v1/accounts/audit-list?limit=200`,
      { headers: admin },
    );
    expect(audit.body.entries.find((e) => e.action === 'key.revoke')).toMatchObject({
      actor: me,
      target: doomed.json.keyId,
    });

    // over HTTP the verbs work on the workspace the request is bound to: naming another is refused
    const elsewhere = await call(`${server.url}/api/v1/accounts/keys-create`, {
      headers: admin,
      body: { name: 'sneaky', scopes: ['admin'], workspace: 'other' },
    });
    expect(elsewhere.status).toBe(403);
    expect(JSON.stringify(elsewhere.body)).toMatch(/bound to workspace default/);

    // while the server holds the database, the terminal is told so in one line
    const held = await tp('users-list');
    expect(held.code).toBe(5);
    expect(held.stderr.trim().split('\n')).toHaveLength(1);
    expect(held.stderr).toMatch(/held by a running Touchpoint server/);
    await server.stop();
    server = undefined;
  }, 300_000);

  it('refuses bad input in one line naming the flag, and says where it looked for the server data', async () => {
    const bad = await tp('users-create', '--username', 'no spaces', '--role', 'viewer');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--username/);
    const role = await tp('users-create', '--username', 'bob', '--role', 'owner');
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/--role/);
    const nobody = await tp('users-disable', 'nobody');
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no user nobody/);
    const missing = await runCli(['accounts', 'users-list', '--data-dir', join(dataDir, 'nope')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no server data \(server\.duckdb\) in .*nope/);
  }, 300_000);
});
