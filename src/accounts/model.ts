import type { Store } from '../store/index.js';

/**
 * The account model shared by the server and the CLI: roles a user has, scopes a key carries, who
 * is calling (a principal), and the one queue that keeps the server database's statements in order.
 */
export const ROLES = ['admin', 'analyst', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const SCOPES = ['read', 'ingest', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** `tp_<keyId: 16 hex>_<secret: 32 base64url>`. */
export const KEY_FORMAT = /^tp_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/;
export const WORKSPACE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const USERNAME = /^[\w.@-]{1,64}$/;
/** The shortest password accepted (NIST SP 800-63B asks for at least 8; we ask 12). */
export const MIN_PASSWORD = 12;

/** Who is calling: a signed-in user, an API key, or the local admin (loopback `start`, or the CLI). */
export interface Principal {
  readonly type: 'user' | 'key' | 'local';
  readonly id: string;
  readonly name: string;
  readonly role?: Role;
  readonly scopes?: readonly Scope[];
  /** Workspaces this principal may use: a key's one workspace, a user's list, or '*' for all. */
  readonly workspaces: readonly string[] | '*';
  readonly csrf?: string;
}

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly name: string;
  readonly workspace: string;
  readonly scopes: readonly Scope[];
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface UserInfo {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly workspaces: readonly string[] | '*';
  readonly createdAt: string;
}

/** Runs statements on the server database one after another (it has one connection). */
export interface Queue {
  q<T>(fn: (db: Store) => Promise<T>): Promise<T>;
}

/** A tiny mutex: the server database has one connection and little traffic; keep its statements in order. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const queues = new WeakMap<Store, Queue>();

/** The one queue of a server database, shared by everyone who holds the store (server state, operations). */
export function queueFor(db: Store): Queue {
  let q = queues.get(db);
  if (!q) {
    const lock = new Mutex();
    q = { q: (fn) => lock.run(() => fn(db)) };
    queues.set(db, q);
  }
  return q;
}
