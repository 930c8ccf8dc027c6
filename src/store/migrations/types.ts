import type { SqlFragment } from '../sql.js';
import type { Store } from '../store.js';

/**
 * A versioned schema change. Versions are unique and applied in order, each in its own transaction
 * with its row in `schema_migrations`. Numbers are reserved per capability (see index.ts).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: readonly SqlFragment[] | ((tx: Store) => Promise<void>);
}
