import { afterAll, beforeAll, expect } from 'vitest';
import { operations } from '../operations.js';
import { routeTable } from './routes.js';
import { adminSession, bearer, type ChildServer, call, createKey, startChild } from './test-harness.js';

/**
 * Shared setup of the server-*.test.ts files: the server as a real process on loopback with a
 * second workspace `other` and four keys. The bindings below are live: `useServer()` fills them in
 * its beforeAll, so a test reads them as it would read its own module variables.
 */
export let server: ChildServer;
export let url: string;
export let admin: Record<string, string>;
export let keyA: string; // workspace default, all scopes
export let keyB: string; // workspace other, all scopes
export let ingestA: string;
export let readA: string;

export const routes = routeTable(operations);

export const counts = async (key: string): Promise<Record<string, number>> => {
  const r = await call<{ counts: Record<string, number> }>(`${url}/api/v1/overview/summary`, {
    headers: bearer(key),
  });
  expect(r.status).toBe(200);
  return r.body.counts;
};

export const events = (prefix: string, n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    customer_id: `c${i % 7}`,
    ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    channel: 'web',
    touchpoint: 'checkout',
    ...extra,
  }));

/** Starts one server for the calling test file and stops it after the file's last test. */
export function useServer(): void {
  beforeAll(async () => {
    server = await startChild();
    url = server.url;
    admin = await adminSession(url);
    const ws = await call(`${url}/api/v1/admin/workspaces`, { headers: admin, body: { name: 'other' } });
    expect(ws.status).toBe(200);
    keyA = await createKey(url, admin, 'default', ['admin']);
    keyB = await createKey(url, admin, 'other', ['admin']);
    ingestA = await createKey(url, admin, 'default', ['ingest']);
    readA = await createKey(url, admin, 'default', ['read']);
  });

  afterAll(async () => {
    await server?.stop();
  });
}
