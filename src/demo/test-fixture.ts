import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openStore, type Store } from '../store/index.js';

/**
 * The demo company for tests. A vitest globalSetup (`src/demo/global-setup.ts`) generates it ONCE per
 * test run (seed 42, `TEST_CUSTOMERS` customers) into a private temporary directory; test files read
 * it through `demoDbPath()` (read-only) or `openDemoCopy()` (a private writable copy, so each test
 * file may write findings).
 */
export const TEST_SEED = 42;
export const TEST_CUSTOMERS = 40_000;
export const DEMO_DB_ENV = 'TOUCHPOINT_TEST_DEMO_DB';

declare module 'vitest' {
  export interface ProvidedContext {
    touchpointDemoDb: string;
  }
}

/** Path of the demo database generated for this test run. Open it read-only, or use `openDemoCopy()`. */
export function demoDbPath(): string {
  let path: string | undefined;
  try {
    path = inject('touchpointDemoDb');
  } catch {
    path = undefined;
  }
  path ??= process.env[DEMO_DB_ENV];
  if (!path || !existsSync(path)) {
    throw new Error(
      'the test demo database is missing: run the tests through vitest with src/demo/global-setup.ts as globalSetup (vitest.config.ts)',
    );
  }
  return path;
}

/**
 * Copies the test demo to a temporary file and opens it read-write; closing the store deletes the copy.
 */
export async function openDemoCopy(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-demo-copy-'));
  const copy = join(dir, 'demo.duckdb');
  copyFileSync(demoDbPath(), copy);
  const db = await openStore(copy);
  return {
    path: db.path,
    database: db.database,
    all: (q) => db.all(q),
    one: (q) => db.one(q),
    exec: (q) => db.exec(q),
    transaction: (fn) => db.transaction(fn),
    session: (fn) => db.session(fn),
    createTemp: (name, columns) => db.createTemp(name, columns),
    append: (table, columns, rows) => db.append(table, columns, rows),
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
