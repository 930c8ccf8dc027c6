import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { s, useAppServer } from './app.test-helpers.js';
import { call } from './test-harness.js';

/** In-process server: local admin on loopback (npm start), and what must never get it (cross-site, foreign Origin, DNS rebinding, non-loopback hosts). */
useAppServer();

describe('local admin (npm start)', () => {
  it('signs in loopback requests without credentials, but not cross-site or rebinding ones', async () => {
    expect((await call(`${s.url}/api/v1/auth/me`)).body).toMatchObject({ type: 'local', role: 'admin' });
    const create = await call(`${s.url}/api/v1/admin/workspaces`, { body: { name: 'local-ws' } });
    expect(create.status).toBe(200);
    const crossSite = await call(`${s.url}/api/v1/admin/workspaces`, {
      body: { name: 'evil' },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(401);
    const foreignOrigin = await call(`${s.url}/api/v1/admin/workspaces`, {
      body: { name: 'evil' },
      headers: { origin: 'http://evil.example' },
    });
    expect(foreignOrigin.status).toBe(401);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends Host: evil.example
    const rebinding = await new Promise<number>((done, fail) => {
      const u = new URL(`${s.url}/api/v1/auth/me`);
      request(
        { host: u.hostname, port: u.port, path: u.pathname, headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        },
      )
        .on('error', fail)
        .end();
    });
    expect(rebinding).toBe(421);
  });

  it('DNS rebinding: a Host that is not an exact loopback literal with our port gets 421 and no admin rights', async () => {
    const port = new URL(s.url).port;
    const raw = (host: string, method = 'GET', path = '/api/v1/auth/me', body?: string) =>
      new Promise<{ status: number; text: string }>((done, fail) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method,
            headers: {
              host,
              origin: `http://${host}`,
              ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (b: Buffer) => {
              text += b.toString();
            });
            res.on('end', () => done({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', fail);
        req.end(body);
      });
    // a page on http://127.attacker.example:PORT/ rebound to 127.0.0.1 is same-origin with itself
    for (const host of [`127.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.:${port}`]) {
      const me = await raw(host);
      expect(me.status, host).toBe(421);
      expect(JSON.parse(me.text).error.code).toBe('misdirected_request');
      const mint = await raw(host, 'POST', '/api/v1/admin/workspaces', JSON.stringify({ name: 'rebound' }));
      expect(mint.status, host).toBe(421);
    }
    // the right name on another port (a second server, a proxy) is not this server either
    expect((await raw('localhost:1')).status).toBe(421);
    const list = await call<{ workspaces: { name: string }[] }>(`${s.url}/api/v1/admin/workspaces`);
    expect(list.body.workspaces.map((w) => w.name)).not.toContain('rebound');
    // the exact literals on our port are local admin
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.9.8.7:${port}`]) {
      const me = await raw(host);
      expect(me.status, host).toBe(200);
      expect(JSON.parse(me.text)).toMatchObject({ type: 'local', role: 'admin' });
    }
  });

  it('is never on for a host that is not loopback', async () => {
    const { isLoopback } = await import('./app.js');
    expect(['127.0.0.1', '::1', 'localhost', '127.0.0.2'].every(isLoopback)).toBe(true);
    expect(
      ['0.0.0.0', '192.168.1.4', '::', 'example.com', '127.evil.example', '127.1'].some(isLoopback),
    ).toBe(false);
  });
});
