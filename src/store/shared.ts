import type { Store } from './store.js';

export type Running<T> = WeakMap<object, { readonly db: Store; readonly done: Promise<T> }>;

/**
 * Refreshes a derived table once at a time per database. A caller on the same store (connection or
 * transaction) as the running refresh shares its promise; a caller on another connection gets
 * `elsewhere()` instead — it must not refresh too (two writers of one table conflict: "Conflict on
 * update!") nor wait for the other (its own snapshot would still see the table as it was), so it
 * computes what it needs in its own snapshot.
 */
export function sharedPerDatabase<T>(
  running: Running<T>,
  db: Store,
  task: () => Promise<T>,
  elsewhere: () => T | Promise<T>,
): Promise<T> {
  const current = running.get(db.database);
  if (current) return current.db === db ? current.done : Promise.resolve(elsewhere());
  const done = task();
  running.set(db.database, { db, done });
  return done.finally(() => running.delete(db.database));
}
