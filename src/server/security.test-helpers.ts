import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { operations } from '../operations.js';
import { routeTable } from './routes.js';
import { adminSession, type ChildServer, call, startChild, tempDir } from './test-harness.js';

/**
 * Shared setup of the security-*.test.ts files (attacks from docs/security.md, issue 16): the server
 * as a real process on loopback, serving a stand-in cockpit, with a second workspace `other` and an
 * admin limited to it. The bindings below are live: `useSecurityServer()` fills them in its beforeAll.
 */
export let server: ChildServer;
export let url: string;
export let admin: Record<string, string>;
/** An admin user whose workspaces are ["other"] only. */
export let limited: Record<string, string>;

export const routes = routeTable(operations);

/** Starts one server for the calling test file and stops it after the file's last test. */
export function useSecurityServer(): void {
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
}
