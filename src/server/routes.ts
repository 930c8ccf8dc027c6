import type { AnyOperation, OperationPermission } from '../core/operation.js';

/**
 * What a route needs. `read`/`write` are the operation routes by their mode; `ingest` the batch
 * endpoints; `admin` managing keys, survey tokens and the audit log of a workspace; `server` managing
 * users and workspaces (an admin *user* of all workspaces, never a key); `session` any signed-in principal; `public`
 * no account (health, docs, login, survey answers with their single-use token).
 */
export type Permission = 'public' | 'session' | OperationPermission | 'server';

export const ROLES = ['admin', 'analyst', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const SCOPES = ['read', 'ingest', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

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
  /** Reads or writes one workspace's data (chosen by the key, or the user's X-Touchpoint-Workspace). */
  readonly workspace: boolean;
}

export const INGEST_KINDS = ['events', 'feedback', 'customers', 'cases', 'case-events'] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

/** Routes the server has that the CLI does not (declared, so the parity test can tell). */
export const EDGE_ROUTES: readonly RouteSpec[] = [
  ...INGEST_KINDS.map(
    (k): RouteSpec => ({
      id: `ingest.${k}`,
      method: 'POST',
      path: `/api/v1/ingest/${k}`,
      kind: 'ingest',
      permission: 'ingest',
      summary: `Ingest a batch of ${k} (JSON array, {records: [...]}, or NDJSON); idempotent on ids`,
      workspace: true,
    }),
  ),
  {
    id: 'ingest.helpdesk',
    method: 'POST',
    path: '/api/v1/ingest/webhooks/helpdesk',
    kind: 'ingest',
    permission: 'ingest',
    summary: 'Helpdesk webhook: one ticket change (or an array) in ticket-audit fields → case + case events',
    workspace: true,
  },
  {
    id: 'auth.login',
    method: 'POST',
    path: '/api/v1/auth/login',
    kind: 'auth',
    permission: 'public',
    summary: 'Sign in with username and password; sets the session cookie, returns the CSRF token',
    workspace: false,
  },
  {
    id: 'auth.setup',
    method: 'POST',
    path: '/api/v1/auth/setup',
    kind: 'auth',
    permission: 'public',
    summary: 'First run only: create the first admin with the one-time setup token printed at start',
    workspace: false,
  },
  {
    id: 'auth.logout',
    method: 'POST',
    path: '/api/v1/auth/logout',
    kind: 'auth',
    permission: 'session',
    summary: 'End the session',
    workspace: false,
  },
  {
    id: 'auth.me',
    method: 'GET',
    path: '/api/v1/auth/me',
    kind: 'auth',
    permission: 'session',
    summary: 'Who is calling: user or key, role or scopes, workspace, CSRF token',
    workspace: false,
  },
  {
    id: 'admin.keys.list',
    method: 'GET',
    path: '/api/v1/admin/keys',
    kind: 'admin',
    permission: 'admin',
    summary: 'API keys of the workspace (never their secrets)',
    workspace: true,
  },
  {
    id: 'admin.keys.create',
    method: 'POST',
    path: '/api/v1/admin/keys',
    kind: 'admin',
    permission: 'admin',
    summary: 'Create an API key bound to the workspace; the secret is shown once',
    workspace: true,
  },
  {
    id: 'admin.keys.revoke',
    method: 'POST',
    path: '/api/v1/admin/keys/revoke',
    kind: 'admin',
    permission: 'admin',
    summary: 'Revoke an API key by its id',
    workspace: true,
  },
  {
    id: 'admin.survey-tokens',
    method: 'POST',
    path: '/api/v1/admin/survey-tokens',
    kind: 'admin',
    permission: 'admin',
    summary: 'Issue single-use answer tokens (and links) for a survey',
    workspace: true,
  },
  {
    id: 'admin.audit',
    method: 'GET',
    path: '/api/v1/admin/audit',
    kind: 'admin',
    permission: 'admin',
    summary: 'The audit log of admin actions in the workspace',
    workspace: true,
  },
  {
    id: 'admin.users.list',
    method: 'GET',
    path: '/api/v1/admin/users',
    kind: 'admin',
    permission: 'server',
    summary: 'User accounts',
    workspace: false,
  },
  {
    id: 'admin.users.create',
    method: 'POST',
    path: '/api/v1/admin/users',
    kind: 'admin',
    permission: 'server',
    summary: 'Create a user with a role and the workspaces they may use',
    workspace: false,
  },
  {
    id: 'admin.workspaces.list',
    method: 'GET',
    path: '/api/v1/admin/workspaces',
    kind: 'admin',
    permission: 'server',
    summary: 'Workspaces (one DuckDB file each)',
    workspace: false,
  },
  {
    id: 'admin.workspaces.create',
    method: 'POST',
    path: '/api/v1/admin/workspaces',
    kind: 'admin',
    permission: 'server',
    summary: 'Create a workspace',
    workspace: false,
  },
  {
    id: 'admin.survey-links.create',
    method: 'POST',
    path: '/api/v1/admin/survey-links',
    kind: 'admin',
    permission: 'admin',
    summary:
      'Create a public link for a survey (a website embed): each respondent gets a fresh single-use token',
    workspace: true,
  },
  {
    id: 'admin.survey-links.revoke',
    method: 'POST',
    path: '/api/v1/admin/survey-links/revoke',
    kind: 'admin',
    permission: 'admin',
    summary: 'Revoke a public survey link',
    workspace: true,
  },
  {
    id: 'survey.token',
    method: 'POST',
    path: '/s/:survey/tokens',
    kind: 'survey',
    permission: 'public',
    summary: 'A fresh single-use answer token from a public survey link (rate-limited per link and address)',
    workspace: false,
  },
  {
    id: 'survey.definition',
    method: 'GET',
    path: '/s/:survey/definition',
    kind: 'survey',
    permission: 'public',
    summary: 'The questions of a survey, for the respondent page (needs the link token ?t=)',
    workspace: false,
  },
  {
    id: 'survey.answer',
    method: 'POST',
    path: '/s/:survey/answers',
    kind: 'survey',
    permission: 'public',
    summary: 'Answer a survey with a single-use token (no account)',
    workspace: false,
  },
  ...(['/healthz', '/readyz', '/openapi.json', '/docs'] as const).map(
    (p): RouteSpec => ({
      id: `system${p.replace('/', '.')}`,
      method: 'GET',
      path: p,
      kind: 'system',
      permission: 'public',
      summary:
        p === '/healthz'
          ? 'Liveness'
          : p === '/readyz'
            ? 'Readiness: true once migrations ran'
            : p === '/docs'
              ? 'Browsable API docs'
              : 'OpenAPI 3 document',
      workspace: false,
    }),
  ),
];

/** The route of an operation: `GET` for reads, `POST` for writes, under `/api/v1/<area>/<verb>`. */
export function operationRoute(op: AnyOperation): RouteSpec {
  return {
    id: `op.${op.area}.${op.verb}`,
    method: op.mode === 'read' ? 'GET' : 'POST',
    path: `/api/v1/${op.area}/${op.verb}`,
    kind: 'operation',
    permission: op.permission ?? (op.mode === 'read' ? 'read' : 'write'),
    summary: op.summary,
    op,
    workspace: true,
  };
}

/** Every route the server serves, generated from the operation table plus the declared edge routes. */
export function routeTable(operations: readonly AnyOperation[]): RouteSpec[] {
  return [...operations.filter((o) => o.edges?.http !== false).map(operationRoute), ...EDGE_ROUTES];
}

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
