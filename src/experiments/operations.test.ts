import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/touchpoint.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tp-exp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--db', join(dir, 'w.duckdb')], {
    encoding: 'utf8',
    cwd: dir,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 40 users per arm; converted 10/40 (25 %) vs 20/40 (50 %). By hand: pooled 30/80 = 0.375,
// z = 0.25/√(0.375·0.625·(2/40)) = 2.309401, p = 2(1 − Φ(2.309401)) = 0.020921.
const file = join(dir, 'test.csv');
const rows = ['user,group,converted'];
for (let i = 0; i < 40; i++) rows.push(`a${i},A,${i < 10 ? 'true' : 'false'}`);
for (let i = 0; i < 40; i++) rows.push(`b${i},B,${i < 20 ? 'true' : 'false'}`);
writeFileSync(file, `${rows.join('\n')}\n`);

describe('touchpoint experiments (real process)', () => {
  it('analyze prints the result and --json the same figures', () => {
    const args = [
      'experiments',
      'analyze',
      file,
      '--unit',
      'user',
      '--variant',
      'group',
      '--metric',
      'converted',
    ];
    const table = run(args);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/A \(control\)\s+40\s+40\s+25\.00 %/);
    expect(table.out).toMatch(/B\s+40\s+40\s+50\.00 %.*0\.0209/);
    expect(table.out).toMatch(/B\s+ship\s+converted improved/);
    const json = run([...args, '--json']);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out);
    expect(r.metrics[0].treatments[0].statistic).toBeCloseTo(2.309401, 5);
    expect(r.metrics[0].treatments[0].p).toBeCloseTo(0.020921, 5);
    expect(r.srm.p).toBe(1);
  });

  it('names the bad flag in one line with exit code 2', () => {
    const r = run([
      'experiments',
      'analyze',
      file,
      '--unit',
      'user',
      '--variant',
      'grp',
      '--metric',
      'converted',
    ]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(/^touchpoint: --variant: no column 'grp'/);
  });

  // R: power.prop.test(p1 = 0.5, p2 = 0.75, power = 0.9) → n = 76.7 → 77 per arm; 154 units at 10 a day → 16 days
  it('power: units per arm and days', () => {
    const r = run([
      'experiments',
      'power',
      '--baseline',
      '0.5',
      '--mde',
      '0.5',
      '--power',
      '0.9',
      '--traffic',
      '10',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ perArm: 77, total: 154, days: 16, metric: 'proportion' });
  });
});
