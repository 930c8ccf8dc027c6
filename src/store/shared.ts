import type { Store } from './store.js';

/**
 * Runs `task` for `db` unless one started through `running` is still under way for that store; then
 * the caller shares its promise. Concurrent analyses thus share one refresh of a derived table.
 */
export async function sharedPerStore<T>(
  running: WeakMap<Store, Promise<T>>,
  db: Store,
  task: () => Promise<T>,
): Promise<T> {
  const pending = running.get(db);
  if (pending) return pending;
  const started = task();
  running.set(db, started);
  try {
    return await started;
  } finally {
    running.delete(db);
  }
}
