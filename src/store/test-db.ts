import { openStore } from './duckdb.js';
import type { Store } from './store.js';

/** Runs `fn` against a fresh, migrated in-memory database and closes it afterwards. For tests. */
export async function withTestDb<T>(fn: (db: Store) => Promise<T>): Promise<T> {
  const db = await openStore(':memory:');
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
