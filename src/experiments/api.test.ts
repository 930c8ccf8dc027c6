/**
 * Experiments through the HTTP API of a real server on loopback (issue 21 items 2 and 4): analysing an
 * uploaded CSV (a text/csv body, parameters in the query), and a stored experiment created, fed with
 * exposures and read back.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../server/index.js';
import type { AnalyzeResult } from './analyze.js';
import type { ExperimentResults } from './results.js';

const COOKIE = new URL('../../../shared/data/cookie-cats/cookie_cats.csv', import.meta.url).pathname;

// 40 users per arm; converted 10/40 vs 20/40 → z = 2.309401, p = 0.020921 (by hand, as operations.test.ts)
const rows = ['user,group,converted'];
for (let i = 0; i < 40; i++) rows.push(`a${i},A,${i < 10 ? 'true' : 'false'}`);
for (let i = 0; i < 40; i++) rows.push(`b${i},B,${i < 20 ? 'true' : 'false'}`);
const CSV = `${rows.join('\n')}\n`;

describe('experiments over HTTP', () => {
  let dir: string;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-exp-api-'));
    server = await startServer({
      db: join(dir, 'w.duckdb'),
      dataDir: join(dir, 'server'),
      host: '127.0.0.1',
      port: 0,
      localAdmin: true,
      logLevel: 'warn',
      print: () => {},
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, type = 'text/csv') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('analyses an uploaded CSV: the same figures as the CLI', async () => {
    const res = await post('/api/v1/experiments/analyze?unit=user&variant=group&metric=converted', CSV);
    expect(res.status).toBe(200);
    const r = (await res.json()) as AnalyzeResult;
    expect(r.file).toBe('upload.csv');
    expect(r.metrics[0]!.treatments[0]!.statistic).toBeCloseTo(2.309401, 5);
    expect(r.metrics[0]!.treatments[0]!.p).toBeCloseTo(0.020921, 5);
    // the same as a JSON body with the text in `csv`
    const json = await post(
      '/api/v1/experiments/analyze',
      JSON.stringify({ csv: CSV, unit: 'user', variant: 'group', metric: ['converted'] }),
      'application/json',
    );
    expect(((await json.json()) as AnalyzeResult).metrics[0]!.treatments[0]!.p).toBeCloseTo(0.020921, 5);
  });

  it('refuses a path, a missing column with its name, and a GET', async () => {
    const path = await post(
      '/api/v1/experiments/analyze',
      JSON.stringify({ file: '/etc/hostname', unit: 'u', variant: 'v', metric: ['m'] }),
      'application/json',
    );
    expect(path.status).toBe(400);
    expect(((await path.json()) as { error: { message: string } }).error.message).toMatch(
      /^file: the server reads no file by path; send its content as csv/,
    );
    const col = await post('/api/v1/experiments/analyze?unit=user&variant=group&metric=nope', CSV);
    expect(col.status).toBe(400);
    expect(((await col.json()) as { error: { message: string } }).error.message).toMatch(
      /--metric: no column 'nope' in upload\.csv/,
    );
    const get = await fetch(`${server.url}/api/v1/experiments/analyze?unit=user`);
    expect(get.status).toBe(404);
  });

  it.skipIf(!existsSync(COOKIE))(
    'reproduces Cookie Cats from a 2.7 MB upload (skipped when ../shared/data is absent)',
    async () => {
      const res = await post(
        '/api/v1/experiments/analyze?unit=userid&variant=version&metric=retention_1&metric=retention_7',
        readFileSync(COOKIE, 'utf8'),
      );
      expect(res.status).toBe(200);
      const r = (await res.json()) as AnalyzeResult;
      expect(r.srm.p).toBeCloseTo(0.0086, 4);
      expect(Math.abs(r.metrics[0]!.treatments[0]!.p - 0.0744)).toBeLessThan(0.0005);
      expect(Math.abs(r.metrics[1]!.treatments[0]!.p - 0.00155)).toBeLessThan(0.0005);
    },
  );

  it('creates an experiment, imports exposures and reads its results', async () => {
    const json = (path: string, body: object) => post(path, JSON.stringify(body), 'application/json');
    const created = await json('/api/v1/experiments/create', {
      id: 'api-exp',
      name: 'API',
      hypothesis: 'nothing changes',
      variants: ['a', 'b'],
      start: '2026-01-01',
      end: '2026-02-01',
      primary: 'contact_rate',
      owner: 'tests',
    });
    expect(created.status).toBe(200);
    const csv = [
      'customer_id,arm,exposed_at',
      'c1,a,2026-01-02',
      'c2,a,2026-01-02',
      'c3,b,2026-01-02',
      'c4,b,2026-01-02',
    ];
    const imp = await json('/api/v1/experiments/import-exposures', {
      experiment: 'api-exp',
      csv: csv.join('\n'),
    });
    expect(await imp.json()).toEqual({
      experiment: 'api-exp',
      rows: 4,
      added: 4,
      alreadyExposed: 0,
      byArm: { a: 2, b: 2 },
    });
    const res = await fetch(`${server.url}/api/v1/experiments/results?id=api-exp`);
    expect(res.status).toBe(200);
    const r = (await res.json()) as ExperimentResults;
    expect([r.exposures, r.srm.p, r.metrics[0]!.arms.map((a) => a.units)]).toEqual([4, 1, [2, 2]]);
  });
});
