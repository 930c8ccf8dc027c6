import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sql } from '../store/index.js';
import { readManifest } from './manifest.js';
import { demoDbPath, openDemoCopy } from './test-fixture.js';

describe('test fixture', () => {
  it('opens a private writable copy of the run’s demo and deletes it on close', async () => {
    const db = await openDemoCopy();
    expect(db.path).not.toBe(demoDbPath());
    expect((await readManifest(db))?.seed).toBe(42);
    await db.exec(sql`INSERT INTO meta (key, value) VALUES ('fixture-test', '1')`);
    expect(
      (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM meta WHERE key = 'fixture-test'`))?.n,
    ).toBe(1);
    await db.close();
    expect(existsSync(db.path)).toBe(false);
    // the shared demo is untouched
    const again = await openDemoCopy();
    expect(
      (await again.one<{ n: number }>(sql`SELECT count(*) AS n FROM meta WHERE key = 'fixture-test'`))?.n,
    ).toBe(0);
    await again.close();
  });
});
