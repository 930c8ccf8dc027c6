import { type Store, sql } from '../store/index.js';
import { AuditLog } from './audit.js';
import { ApiKeys } from './keys.js';
import { type Queue, queueFor } from './model.js';
import { Users } from './users.js';

/** Users with their sessions, API keys and the audit log of one server database. */
export interface Accounts {
  readonly queue: Queue;
  readonly users: Users;
  readonly keys: ApiKeys;
  readonly audit: AuditLog;
  /** Whether the server knows a workspace of this name. */
  workspaceExists(name: string): Promise<boolean>;
}

const services = new WeakMap<Store, Accounts>();

/**
 * The accounts of a server database, one instance per open store: the server and the operations it
 * runs share it, so the caches of verified keys and sessions forget a revoked key or an ended
 * session the moment an operation revokes or ends it.
 */
export function accountsOf(db: Store): Accounts {
  let a = services.get(db);
  if (!a) {
    const queue = queueFor(db);
    a = {
      queue,
      users: new Users(queue),
      keys: new ApiKeys(queue),
      audit: new AuditLog(queue),
      workspaceExists: async (name) =>
        Boolean(await queue.q((d) => d.one(sql`SELECT 1 FROM workspaces WHERE name = ${name}`))),
    };
    services.set(db, a);
  }
  return a;
}
