import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/touchpoint.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    cwd: dir,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('touchpoint CLI (real process)', () => {
  it('prints a table by default and JSON with --json, on the --db file', () => {
    const db = join(dir, 'a.duckdb');
    const table = run(['overview', 'summary', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/Rows per table/);
    const json = run(['overview', 'summary', '--db', db, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).counts.customers).toBe(0);
  });

  it('takes the database from TOUCHPOINT_DB when --db is absent', () => {
    const r = run(['--json', 'findings', 'list'], { TOUCHPOINT_DB: join(dir, 'env.duckdb') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ findings: [] });
  });

  it('exits non-zero with a one-line reason naming the bad parameter', () => {
    const r = run(['findings', 'list', '--db', join(dir, 'b.duckdb'), '--limit', 'many']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(/^touchpoint: --limit: .*number/);
  });

  it('loads every capability under plain Node (no test-runner module interop) and lists every area', async () => {
    const { operations } = await import('../operations.js');
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const area of new Set(operations.filter((o) => o.edges?.cli !== false).map((o) => o.area))) {
      expect(r.out).toContain(area);
    }
  });

  it('rejects an unknown command with a non-zero exit', () => {
    expect(run(['nonsense']).code).not.toBe(0);
  });
});
