import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import { sql } from '../store/index.js';
import { ServerState } from './state.js';
import { tempDir } from './test-harness.js';

let state: ServerState;
beforeAll(async () => {
  state = await ServerState.open(join(tempDir(), 'server.duckdb'));
});
afterAll(async () => {
  await state?.close();
});

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e) => (isTouchpointError(e) ? e.code : 'other'),
  );

describe('API keys at rest', () => {
  it('stores an argon2id hash only, finds the key by its id, refuses a wrong secret, and forgets a revoked key', async () => {
    const { key, info } = await state.keys.createKey({
      name: 'k',
      workspace: 'w1',
      scopes: ['ingest'],
      createdBy: 'test',
    });
    // the secret is base64url and may itself hold '_': split on the first two only
    const [, keyId, secret] = /^tp_([0-9a-f]{16})_(.+)$/.exec(key) ?? [];
    expect(secret).toHaveLength(32);
    expect(keyId).toBe(info.keyId);
    const row = await state.db.one<{ hash: string }>(sql`SELECT hash FROM api_keys WHERE key_id = ${keyId!}`);
    expect(row!.hash).toMatch(/^\$argon2id\$/);
    expect(row!.hash).not.toContain(secret);
    expect(await state.keys.authenticateKey(key)).toMatchObject({
      type: 'key',
      scopes: ['ingest'],
      workspaces: ['w1'],
    });
    const wrong = `tp_${keyId}_${'A'.repeat(32)}`;
    expect(await state.keys.authenticateKey(wrong)).toBeUndefined();
    expect(await codeOf(state.keys.revokeKey('w2', keyId!))).toBe('not_found'); // another workspace cannot revoke it
    await state.keys.revokeKey('w1', keyId!);
    expect(await state.keys.authenticateKey(key)).toBeUndefined();
  });

  it('refuses keys without a known scope', async () => {
    expect(
      await codeOf(state.keys.createKey({ name: 'k', workspace: 'w', scopes: [], createdBy: 't' })),
    ).toBe('invalid_input');
  });
});

describe('users, sessions and the first admin', () => {
  it('refuses short passwords, checks passwords, and ends sessions on logout', async () => {
    expect(
      await codeOf(
        state.users.createUser({ username: 'a', password: 'short', role: 'viewer', workspaces: [] }),
      ),
    ).toBe('invalid_input');
    await state.users.createUser({
      username: 'ana',
      password: 'long-enough-password',
      role: 'analyst',
      workspaces: ['w1'],
    });
    expect(
      await codeOf(
        state.users.createUser({
          username: 'ana',
          password: 'long-enough-password',
          role: 'viewer',
          workspaces: [],
        }),
      ),
    ).toBe('conflict');
    expect(await codeOf(state.users.login('ana', 'wrong-password!!'))).toBe('unauthorized');
    expect(await codeOf(state.users.login('nobody', 'long-enough-password'))).toBe('unauthorized');
    const s = await state.users.login('ana', 'long-enough-password');
    expect(await state.users.session(s.sessionId)).toMatchObject({
      role: 'analyst',
      workspaces: ['w1'],
      csrf: s.csrf,
    });
    const stored = await state.db.all<{ id_hash: string }>(sql`SELECT id_hash FROM sessions`);
    expect(stored.some((r) => r.id_hash === s.sessionId)).toBe(false); // only its hash is kept
    await state.users.logout(s.sessionId);
    expect(await state.users.session(s.sessionId)).toBeUndefined();
  });

  it('a setup token works once', async () => {
    const t = await state.issueSetupToken();
    expect(await state.consumeSetupToken('guess')).toBe(false);
    expect(await state.consumeSetupToken(t)).toBe(true);
    expect(await state.consumeSetupToken(t)).toBe(false);
  });
});
