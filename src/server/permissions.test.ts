import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../operations.js';
import { allowed, type Principal, ROLES, type RouteSpec, routeTable, SCOPES } from './routes.js';
import { adminSession, bearer, type ChildServer, call, createKey, startChild } from './test-harness.js';

/**
 * Walks every cell of the permission matrix (docs/permissions.md) against a running server: each
 * route × each role × each key scope. A probe that is allowed must get past authorization and stop
 * at validation (so nothing runs); a refused one must get 403; no credentials get 401.
 */
const routes = routeTable(operations);

/** A request that proves authorization passed without doing work, and the status it then gets. */
function probe(r: RouteSpec): { path: string; method: string; body?: unknown; raw?: string; expect: number } {
  const path = r.path.replace(':survey', 'probe');
  if (r.op)
    return r.method === 'GET'
      ? { path: `${path}?__probe=1`, method: 'GET', expect: 400 }
      : { path, method: 'POST', body: { __probe: 1 }, expect: 400 };
  if (r.kind === 'ingest') return { path, method: 'POST', raw: '5', expect: 400 };
  if (r.id === 'admin.audit') return { path: `${path}?limit=abc`, method: 'GET', expect: 400 };
  if (r.id === 'survey.definition') return { path, method: 'GET', expect: 400 };
  if (r.method === 'POST' && r.id !== 'auth.logout')
    return { path, method: 'POST', body: { __probe: 1 }, expect: 400 };
  return { path, method: r.method, ...(r.method === 'POST' ? { body: {} } : {}), expect: 200 };
}

let server: ChildServer;
const who: { label: string; principal: Principal; headers: Record<string, string> }[] = [];

beforeAll(async () => {
  server = await startChild();
  const admin = await adminSession(server.url);
  for (const role of ROLES) {
    if (role !== 'admin') {
      const r = await call(`${server.url}/api/v1/admin/users`, {
        headers: admin,
        body: { username: `u-${role}`, password: `password-of-${role}`, role, workspaces: ['default'] },
      });
      expect(r.status).toBe(200);
    }
    const headers =
      role === 'admin'
        ? await adminSession(server.url)
        : await adminSession(server.url, `u-${role}`, `password-of-${role}`);
    who.push({
      label: `role ${role}`,
      principal: { type: 'user', id: role, name: role, role, workspaces: '*' },
      headers,
    });
  }
  for (const scope of SCOPES) {
    const key = await createKey(server.url, admin, 'default', [scope]);
    who.push({
      label: `key ${scope}`,
      principal: { type: 'key', id: scope, name: scope, scopes: [scope], workspaces: ['default'] },
      headers: bearer(key),
    });
  }
});

afterAll(async () => {
  await server?.stop();
});

describe('permission matrix', () => {
  it('every route × role × key scope behaves as the matrix says', async () => {
    // logout last: it ends the session the other cells use
    const ordered = [
      ...routes.filter((r) => r.id !== 'auth.logout'),
      ...routes.filter((r) => r.id === 'auth.logout'),
    ];
    const wrong: string[] = [];
    let cells = 0;
    for (const r of ordered) {
      const p = probe(r);
      for (const w of who) {
        const res = await call(`${server.url}${p.path}`, {
          method: p.method,
          headers: { ...w.headers, ...(p.raw ? { 'content-type': 'application/json' } : {}) },
          ...(p.raw ? { raw: p.raw } : p.body !== undefined ? { body: p.body } : {}),
        });
        const expected = allowed(r, w.principal) ? p.expect : 403;
        cells++;
        if (res.status !== expected)
          wrong.push(
            `${r.method} ${r.path} as ${w.label}: ${res.status}, expected ${expected} ${res.text.slice(0, 120)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBe(routes.length * (ROLES.length + SCOPES.length));
  });

  it('every non-public route refuses a caller without credentials with 401', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.permission !== 'public')) {
      const p = probe(r);
      const res = await call(`${server.url}${p.path}`, {
        method: p.method,
        ...(p.body !== undefined ? { body: p.body } : {}),
        ...(p.raw ? { raw: p.raw, headers: { 'content-type': 'application/json' } } : {}),
      });
      if (res.status !== 401) wrong.push(`${r.method} ${r.path}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
