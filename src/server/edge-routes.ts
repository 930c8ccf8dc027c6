import { KINDS, type Kind } from '../ingest/index.js';
import type { RouteSpec } from './routes.js';

/** Every record kind the ingest capability imports has its batch route: the one list is `KINDS`. */
export const INGEST_KINDS: readonly Kind[] = KINDS;
export type IngestKind = Kind;

/**
 * The paths the account verbs had before they became operations (`/api/v1/accounts/<verb>`), kept
 * so clients of the earlier API go on working: each serves the same operation, with the same
 * parameters, permission and answer. Route id → [account verb, path].
 */
export const ACCOUNT_PATHS: Readonly<Record<string, readonly [verb: string, path: string]>> = {
  'admin.users.list': ['users-list', '/api/v1/admin/users'],
  'admin.users.create': ['users-create', '/api/v1/admin/users'],
  'admin.users.disable': ['users-disable', '/api/v1/admin/users/disable'],
  'admin.users.enable': ['users-enable', '/api/v1/admin/users/enable'],
  'admin.users.password': ['users-reset-password', '/api/v1/admin/users/password'],
  'admin.users.sessions-end': ['sessions-end', '/api/v1/admin/users/sessions/end'],
  'admin.sessions.purge': ['sessions-purge', '/api/v1/admin/sessions/purge'],
  'admin.keys.list': ['keys-list', '/api/v1/admin/keys'],
  'admin.keys.create': ['keys-create', '/api/v1/admin/keys'],
  'admin.keys.revoke': ['keys-revoke', '/api/v1/admin/keys/revoke'],
  'admin.audit': ['audit-list', '/api/v1/admin/audit'],
};

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
    id: 'admin.survey-tokens',
    method: 'POST',
    path: '/api/v1/admin/survey-tokens',
    kind: 'admin',
    permission: 'admin',
    summary: 'Issue single-use answer tokens (and links) for a survey',
    workspace: true,
  },
  {
    id: 'auth.password',
    method: 'POST',
    path: '/api/v1/auth/password',
    kind: 'auth',
    permission: 'session',
    summary: 'Change your own password (the old one is required); your other sessions end',
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
  // `/docs` (Swagger UI on /openapi.json) is registered by @fastify/swagger-ui in pages.ts
  ...(['/healthz', '/readyz', '/openapi.json'] as const).map(
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
            : 'OpenAPI 3 document (browsable at /docs)',
      workspace: false,
    }),
  ),
];
