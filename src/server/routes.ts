import type { Principal, Role, Scope } from '../accounts/index.js';
import type { AnyOperation, OperationPermission } from '../core/operation.js';
import { ACCOUNT_PATHS, EDGE_ROUTES } from './edge-routes.js';

/**
 * What a route needs. `read`/`write` are the operation routes by their mode; `ingest` the batch
 * endpoints; `admin` managing keys, survey tokens and the audit log of a workspace; `server` managing
 * users and workspaces (an admin *user* of all workspaces, never a key); `session` any signed-in principal; `public`
 * no account (health, docs, login, survey answers with their single-use token).
 */
export type Permission = 'public' | 'session' | OperationPermission | 'server';

export { type Principal, ROLES, type Role, SCOPES, type Scope } from '../accounts/index.js';

/** What each user role may do. Agents record contacts and feedback; analysts also run analyses. */
export const ROLE_GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['public', 'session', 'read', 'act', 'write', 'ingest', 'admin', 'server'],
  analyst: ['public', 'session', 'read', 'act', 'write', 'ingest'],
  agent: ['public', 'session', 'read', 'act', 'ingest'],
  viewer: ['public', 'session', 'read'],
};

/** What each API-key scope allows, always inside the one workspace the key is bound to. */
export const SCOPE_GRANTS: Record<Scope, readonly Permission[]> = {
  read: ['public', 'session', 'read'],
  ingest: ['public', 'session', 'ingest'],
  admin: ['public', 'session', 'read', 'act', 'write', 'ingest', 'admin'],
};

export type RouteKind = 'operation' | 'ingest' | 'admin' | 'auth' | 'survey' | 'system';

export interface RouteSpec {
  readonly id: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly kind: RouteKind;
  readonly permission: Permission;
  readonly summary: string;
  /** The operation behind an operation route. */
  readonly op?: AnyOperation;
  /** An earlier path of the operation route with this id (ACCOUNT_PATHS). */
  readonly aliasOf?: string;
  /** Reads or writes one workspace's data (chosen by the key, or the user's X-Touchpoint-Workspace). */
  readonly workspace: boolean;
}

export { EDGE_ROUTES, INGEST_KINDS, type IngestKind } from './edge-routes.js';

/**
 * The route of an operation: `GET` for reads, `POST` for writes and for reads of an upload, under
 * `/api/v1/<area>/<verb>`.
 */
export function operationRoute(op: AnyOperation): RouteSpec {
  return {
    id: `op.${op.area}.${op.verb}`,
    method: op.mode === 'read' && !op.upload ? 'GET' : 'POST',
    path: `/api/v1/${op.area}/${op.verb}`,
    // the accounts verbs are admin routes (users, keys, sessions, audit), generated like any operation
    kind: op.database === 'server' ? 'admin' : 'operation',
    permission: op.permission ?? (op.mode === 'read' ? 'read' : 'write'),
    summary: op.summary,
    op,
    // users and sessions are the server's, not a workspace's
    workspace: op.permission !== 'server',
  };
}

/** Every route the server serves, generated from the operation table plus the declared edge routes. */
export function routeTable(operations: readonly AnyOperation[]): RouteSpec[] {
  const ops = operations.filter((o) => o.edges?.http !== false).map(operationRoute);
  const aliases = Object.entries(ACCOUNT_PATHS).flatMap(([id, [verb, path]]): RouteSpec[] => {
    const route = ops.find((r) => r.op?.area === 'accounts' && r.op.verb === verb);
    return route ? [{ ...route, id, path, aliasOf: route.id }] : [];
  });
  return [...ops, ...aliases, ...EDGE_ROUTES];
}

export function grants(p: Principal): Set<Permission> {
  if (p.role) return new Set(ROLE_GRANTS[p.role]);
  return new Set((p.scopes ?? []).flatMap((s) => SCOPE_GRANTS[s]));
}

/**
 * Whether `p` may call `route`. Server-level rights (users, workspaces) belong only to admins of
 * every workspace (`*`): a workspace-limited admin could otherwise create an all-workspace admin.
 */
export function allowed(route: RouteSpec, p: Principal | undefined): boolean {
  if (route.permission === 'public') return true;
  if (!p) return false;
  if (route.permission === 'server' && p.workspaces !== '*') return false;
  return grants(p).has(route.permission);
}
