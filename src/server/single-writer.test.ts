import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type ChildServer, call, defaultKey, runCli, startChild, tempDir } from './test-harness.js';
import { readSidecar, sidecarPath } from './workspaces.js';

/** DESIGN §3: while a server holds a workspace file, the CLI talks to it or stops with one line naming it. */
describe('the single writer', () => {
  let server: ChildServer;
  let db: string;
  let key: string;

  beforeAll(async () => {
    const dir = tempDir('tp-single-');
    db = join(dir, 'shop.duckdb');
    server = await startChild({ db, dataDir: join(dir, 'server') });
    key = await defaultKey(server.url, ['read', 'ingest']);
    const r = await call(`${server.url}/api/v1/ingest/events`, {
      headers: bearer(key),
      body: [
        { id: 'e1', customer_id: 'c1', ts: '2026-03-01T00:00:00Z', channel: 'app', touchpoint: 'login' },
      ],
    });
    expect(r.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('writes a sidecar naming the server while it holds the file', () => {
    const s = readSidecar(db);
    expect(s?.url).toBe(server.url);
    expect(s?.pid).toBe(server.proc.pid);
  });

  it('a CLI command with --db on the held file stops with one line naming the server', async () => {
    const r = await runCli(['overview', 'summary', '--db', db, '--json'], { TOUCHPOINT_SERVER: '' });
    expect(r.code).toBe(5);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`held by the Touchpoint server at ${server.url}`);
    expect(lines[0]).toContain('--server');
    expect(r.stderr).not.toMatch(/IO Error|Conflicting lock/);
  });

  it('with --server the same command runs on the server and prints what the server answers', async () => {
    const r = await runCli(['overview', 'summary', '--server', server.url, '--json'], {
      TOUCHPOINT_API_KEY: key,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const direct = await call(`${server.url}/api/v1/overview/summary`, { headers: bearer(key) });
    expect(JSON.parse(r.stdout)).toEqual(direct.body);
    expect((JSON.parse(r.stdout) as { counts: { events: number } }).counts.events).toBe(1);
  });

  it('TOUCHPOINT_SERVER works too, and a missing key is explained', async () => {
    const r = await runCli(['findings', 'list', '--json'], {
      TOUCHPOINT_SERVER: server.url,
      TOUCHPOINT_API_KEY: '',
    });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('TOUCHPOINT_API_KEY');
  });

  it('after a graceful stop the sidecar is gone and the CLI opens the file itself', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(existsSync(sidecarPath(db))).toBe(false);
    const r = await runCli(['overview', 'summary', '--db', db, '--json'], { TOUCHPOINT_SERVER: '' });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { counts: { events: number } }).counts.events).toBe(1);
  });
});
