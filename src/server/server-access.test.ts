import { describe, expect, it } from 'vitest';
import { admin, counts, events, keyA, keyB, routes, url, useServer } from './server.test-helpers.js';
import { adminSession, bearer, call, createKey } from './test-harness.js';

/**
 * The server as a real process on loopback: system routes, access (credentials, CSRF, cookies,
 * keys) and isolation between workspaces on every route.
 */
useServer();

describe('system routes', () => {
  it('healthz, readyz, the OpenAPI document with every route, and the docs page', async () => {
    expect((await call(`${url}/healthz`)).body).toEqual({ ok: true });
    expect((await call(`${url}/readyz`)).body).toEqual({ ready: true });
    const doc = await call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      `${url}/openapi.json`,
    );
    expect(doc.body.openapi).toBe('3.1.0');
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.body.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    const ingest = JSON.stringify(doc.body.paths['/api/v1/ingest/events']);
    expect(ingest).toContain('"required":["ts","channel","touchpoint"]');
    // the browsable docs are Swagger UI (@fastify/swagger-ui) drawing the same document
    const docs = await call(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    expect((await call(`${url}/docs/json`)).body).toEqual(doc.body);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('access-control-allow-origin')).toBeNull(); // CORS off
  });

  it('every answer carries a request id, and a caller-given one is echoed', async () => {
    const r = await call(`${url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
  });
});

describe('access', () => {
  it('refuses no credentials, unknown and malformed keys, and wrong passwords', async () => {
    expect((await call(`${url}/api/v1/findings/list`)).status).toBe(401);
    expect(
      (
        await call(`${url}/api/v1/findings/list`, {
          headers: bearer('tp_0000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
        })
      ).status,
    ).toBe(401);
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer("' OR 1=1 --") })).status).toBe(401);
    const wrong = await call(`${url}/api/v1/auth/login`, {
      body: { username: 'admin', password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect((wrong.body as { error: { message: string } }).error.message).toBe('wrong username or password');
  });

  it('a session cookie without the CSRF token cannot change anything', async () => {
    const r = await call(`${url}/api/v1/admin/keys`, {
      headers: { cookie: admin.cookie! },
      body: { name: 'x', scopes: ['read'] },
    });
    expect(r.status).toBe(403);
    expect(r.text).toContain('X-CSRF-Token');
  });

  it('the session cookie is httpOnly, Secure and SameSite=Strict', async () => {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'test-admin-password-123' }),
    });
    const c = res.headers.getSetCookie()[0]!;
    expect(c).toMatch(/HttpOnly/i);
    expect(c).toMatch(/Secure/i);
    expect(c).toMatch(/SameSite=Strict/i);
  });

  it('a key is shown once, listed without its secret, revocable, and the audit log records it', async () => {
    const key = await createKey(url, admin, 'default', ['read']);
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer(key) })).status).toBe(200);
    const list = await call<{ keys: { keyId: string }[] }>(`${url}/api/v1/admin/keys`, { headers: admin });
    // the secret is base64url and may itself hold '_': everything after the key id
    const secret = key.slice(key.indexOf('_', 3) + 1);
    expect(secret).toHaveLength(32);
    expect(list.text).not.toContain(secret);
    const keyId = key.split('_')[1]!;
    expect(list.body.keys.map((k) => k.keyId)).toContain(keyId);
    expect((await call(`${url}/api/v1/admin/keys/revoke`, { headers: admin, body: { keyId } })).status).toBe(
      200,
    );
    expect((await call(`${url}/api/v1/findings/list`, { headers: bearer(key) })).status).toBe(401);
    const audit = await call<{ entries: { action: string; target: string }[] }>(`${url}/api/v1/admin/audit`, {
      headers: admin,
    });
    expect(
      audit.body.entries
        .filter((e) => e.target === keyId)
        .map((e) => e.action)
        .sort(),
    ).toEqual(['key.create', 'key.revoke']);
  });
});

describe('workspace isolation, walking the route table', () => {
  it('a key of one workspace is refused on every workspace route when it names another', async () => {
    for (const r of routes.filter((x) => x.workspace)) {
      const res = await call(`${url}${r.path}`, {
        method: r.method,
        headers: { ...bearer(keyB), 'x-touchpoint-workspace': 'default' },
        ...(r.method === 'POST' ? { body: r.kind === 'ingest' ? events('iso', 1) : {} } : {}),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
    }
  });

  it('a user is refused on every workspace route for a workspace they were not given', async () => {
    const made = await call(`${url}/api/v1/admin/users`, {
      headers: admin,
      body: {
        username: 'only-other',
        password: 'password-only-other',
        role: 'analyst',
        workspaces: ['other'],
      },
    });
    expect(made.status).toBe(200);
    const user = await adminSession(url, 'only-other', 'password-only-other');
    for (const r of routes.filter((x) => x.workspace)) {
      const res = await call(`${url}${r.path}`, {
        method: r.method,
        headers: { ...user, 'x-touchpoint-workspace': 'default' },
        ...(r.method === 'POST' ? { body: r.kind === 'ingest' ? events('iso', 1) : {} } : {}),
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
    }
    const own = await call(`${url}/api/v1/overview/summary`, {
      headers: { ...user, 'x-touchpoint-workspace': 'other' },
    });
    expect(own.status).toBe(200);
  });

  it('what a key writes lands in its own workspace only, and it reads only its own', async () => {
    const a0 = await counts(keyA);
    const b0 = await counts(keyB);
    const r = await call(`${url}/api/v1/ingest/events`, { headers: bearer(keyB), body: events('onlyB', 10) });
    expect(r.status).toBe(200);
    expect((await counts(keyA)).events).toBe(a0.events);
    expect((await counts(keyB)).events).toBe((b0.events ?? 0) + 10);
    // the same ids in the other workspace are new there, not duplicates
    const again = await call<{ rowsStored: number }>(`${url}/api/v1/ingest/events`, {
      headers: bearer(keyA),
      body: events('onlyB', 10),
    });
    expect(again.body.rowsStored).toBe(10);
    // admin keys of B see B's keys and audit only
    const keys = await call<{ keys: { workspace: string }[] }>(`${url}/api/v1/admin/keys`, {
      headers: bearer(keyB),
    });
    expect(new Set(keys.body.keys.map((k) => k.workspace))).toEqual(new Set(['other']));
    const audit = await call<{ entries: { workspace: string }[] }>(`${url}/api/v1/admin/audit`, {
      headers: bearer(keyB),
    });
    expect(audit.body.entries.every((e) => e.workspace === 'other')).toBe(true);
  });
});
