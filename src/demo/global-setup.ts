import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../store/index.js';
import { generateDemo } from './generate.js';
import { DEMO_DB_ENV, TEST_CUSTOMERS, TEST_SEED } from './test-fixture.js';

/** vitest globalSetup: generates the test demo company once per run; removed when the run ends. */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-test-demo-'));
  const path = join(dir, 'demo.duckdb');
  const db = await openStore(path);
  try {
    await generateDemo(db, { seed: TEST_SEED, customers: TEST_CUSTOMERS });
  } finally {
    await db.close();
  }
  project.provide('touchpointDemoDb', path);
  process.env[DEMO_DB_ENV] = path;
  return () => rmSync(dir, { recursive: true, force: true });
}
