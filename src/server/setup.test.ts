import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, call, startChild } from './test-harness.js';

/** First run without TOUCHPOINT_ADMIN_PASSWORD: no default account, a one-time setup link instead. */
describe('first run without an admin password', () => {
  let server: ChildServer;
  let token: string;

  beforeAll(async () => {
    server = await startChild({ env: { TOUCHPOINT_ADMIN_PASSWORD: '' } });
    await new Promise((r) => setTimeout(r, 50));
    const m = /\/setup\?token=([\w-]+)/.exec(server.stdout());
    expect(m, server.stdout()).not.toBeNull();
    token = m![1]!;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('has no account to sign in to, and serves the setup page', async () => {
    for (const password of ['', 'admin', 'password', 'touchpoint'])
      expect(
        (
          await call(`${server.url}/api/v1/auth/login`, {
            body: { username: 'admin', password: password || 'x' },
          })
        ).status,
      ).toBe(401);
    const page = await call(`${server.url}/setup?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('/setup/app.js');
  });

  it('creates the first admin once with the printed token, and signs them in', async () => {
    const wrong = await call(`${server.url}/api/v1/auth/setup`, {
      body: { token: 'guess-guess-guess', username: 'root', password: 'a-long-password-1' },
    });
    expect(wrong.status).toBe(403);
    const weak = await call(`${server.url}/api/v1/auth/setup`, {
      body: { token, username: 'root', password: 'short' },
    });
    expect(weak.status).toBe(400);
    const ok = await call<{ user: { role: string }; csrf: string }>(`${server.url}/api/v1/auth/setup`, {
      body: { token, username: 'root', password: 'a-long-password-1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.role).toBe('admin');
    const again = await call(`${server.url}/api/v1/auth/setup`, {
      body: { token, username: 'root2', password: 'a-long-password-2' },
    });
    expect(again.status).toBe(403);
    expect(
      (
        await call(`${server.url}/api/v1/auth/login`, {
          body: { username: 'root', password: 'a-long-password-1' },
        })
      ).status,
    ).toBe(200);
  });
});
