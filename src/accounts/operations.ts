import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type OperationContext } from '../core/operation.js';
import type { Store } from '../store/index.js';
import type { AuditEntry } from './audit.js';
import { MIN_PASSWORD, ROLES, SCOPES, USERNAME, WORKSPACE_NAME } from './model.js';
import { token } from './secrets.js';
import { accountsOf } from './service.js';

/**
 * The account verbs (users, sessions, API keys, audit log) as operations: `touchpoint accounts
 * <verb>` in the CLI (on `<data dir>/server.duckdb`, as the local admin) and
 * `/api/v1/accounts/<verb>` on the server (plus the earlier `/api/v1/admin/...` paths). User and
 * session verbs need `server` (an admin of every workspace); key and audit verbs `admin` of the
 * workspace the call is bound to. Each records who did it in the audit log.
 */

const Username = z
  .string()
  .regex(USERNAME, 'letters, digits and . _ @ - (1–64)')
  .describe('the account name');
const NewPassword = z
  .string()
  .min(MIN_PASSWORD)
  .max(1000)
  .optional()
  .describe(`at least ${MIN_PASSWORD} characters; left out, a random one is made and shown once`);
const Workspace = z
  .string()
  .regex(WORKSPACE_NAME, 'a workspace name')
  .optional()
  .describe('the workspace (server: the one the request is bound to; CLI: default)');
const WorkspaceList = z.preprocess(
  (v) =>
    typeof v === 'string' && v !== '*'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.union([z.literal('*'), z.array(z.string().regex(WORKSPACE_NAME, 'a workspace name'))]),
);

const workspaceOf = (p: { workspace?: string }, ctx: OperationContext): string =>
  p.workspace ?? ctx.workspace ?? 'default';

async function audit(
  db: Store,
  ctx: OperationContext,
  e: Omit<AuditEntry, 'actor' | 'ip' | 'requestId'>,
): Promise<void> {
  await accountsOf(db).audit.record({
    ...e,
    actor: ctx.actor ?? 'unknown',
    ip: ctx.origin?.ip,
    requestId: ctx.origin?.requestId,
  });
}

/**
 * The password given, or one made for an admin to hand over (18 random bytes, 24 base64url
 * characters) with the result fields that show it once.
 */
function passwordOf(given: string | undefined) {
  const password = given ?? token(18);
  return {
    password,
    shownOnce: given === undefined ? { password, note: 'the password is shown once' } : {},
  };
}

export const usersListOperation = defineOperation({
  area: 'accounts',
  verb: 'users-list',
  summary: 'User accounts: role, workspaces, when created and whether disabled',
  params: z.strictObject({}),
  mode: 'read',
  permission: 'server',
  database: 'server',
  listField: 'users',
  async run(db) {
    return { users: await accountsOf(db).users.list() };
  },
  present: (r) => [
    {
      title: `${r.users.length} user${r.users.length === 1 ? '' : 's'}`,
      rows: r.users.map((u) => ({
        username: u.username,
        role: u.role,
        workspaces: u.workspaces === '*' ? '*' : u.workspaces.join(', '),
        created: u.createdAt,
        disabled: u.disabledAt ?? '',
      })),
    },
  ],
});

export const usersCreateOperation = defineOperation({
  area: 'accounts',
  verb: 'users-create',
  summary: 'Create a user with a role and the workspaces they may use',
  params: z.strictObject({
    username: Username,
    password: NewPassword,
    role: z.enum(ROLES).describe('what the user may do'),
    workspaces: WorkspaceList.default([]).describe('comma-separated workspace names, or * for all'),
  }),
  mode: 'write',
  permission: 'server',
  database: 'server',
  async run(db, p, ctx) {
    const { password, shownOnce } = passwordOf(p.password);
    const user = await accountsOf(db).users.createUser({ ...p, password });
    await audit(db, ctx, {
      action: 'user.create',
      workspace: null,
      target: user.id,
      details: { username: user.username, role: user.role, workspaces: user.workspaces },
    });
    return { user, ...shownOnce };
  },
  present: (r) => [
    {
      text: `Created ${r.user.role} ${r.user.username} (workspaces: ${
        r.user.workspaces === '*' ? 'all' : r.user.workspaces.join(', ') || 'none yet'
      }).${r.password ? `\nPassword, shown once: ${r.password}` : ''}`,
    },
  ],
});

/** A server-level change to one user account, named as the one positional argument. */
const ON_ONE_USER = {
  params: z.strictObject({ username: Username }),
  mode: 'write',
  permission: 'server',
  database: 'server',
  positional: ['username'],
} as const;

/** The caller may not lock themselves out. */
function notSelf(ctx: OperationContext, username: string, what: string): void {
  if (ctx.caller?.type === 'user' && ctx.caller.name === username)
    throw new TouchpointError('conflict', `username: you cannot ${what} your own account`, {
      details: [{ field: 'username', message: 'your own account' }],
    });
}

export const usersDisableOperation = defineOperation({
  area: 'accounts',
  verb: 'users-disable',
  summary: 'Disable a user: signed out everywhere, cannot sign in; keeps their audit trail',
  ...ON_ONE_USER,
  async run(db, p, ctx) {
    notSelf(ctx, p.username, 'disable');
    const ended = await accountsOf(db).users.setDisabled(p.username, true);
    await audit(db, ctx, { action: 'user.disable', workspace: null, target: p.username, details: { ended } });
    return { username: p.username, disabled: true, sessionsEnded: ended };
  },
  present: (r) => [
    {
      text: `${r.username} is disabled (${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'} ended).`,
    },
  ],
});

export const usersEnableOperation = defineOperation({
  area: 'accounts',
  verb: 'users-enable',
  summary: 'Re-enable a disabled user',
  ...ON_ONE_USER,
  async run(db, p, ctx) {
    await accountsOf(db).users.setDisabled(p.username, false);
    await audit(db, ctx, { action: 'user.enable', workspace: null, target: p.username });
    return { username: p.username, disabled: false };
  },
  present: (r) => [{ text: `${r.username} may sign in again.` }],
});

export const usersResetPasswordOperation = defineOperation({
  area: 'accounts',
  verb: 'users-reset-password',
  summary: 'Reset a user’s password (admin; the old one is not asked); ends their sessions',
  params: z.strictObject({ username: Username, password: NewPassword }),
  mode: 'write',
  permission: 'server',
  database: 'server',
  positional: ['username'],
  async run(db, p, ctx) {
    const { password, shownOnce } = passwordOf(p.password);
    const ended = await accountsOf(db).users.setPassword(p.username, password);
    await audit(db, ctx, {
      action: 'user.password.reset',
      workspace: null,
      target: p.username,
      details: { ended },
    });
    return {
      username: p.username,
      reset: true,
      sessionsEnded: ended,
      ...shownOnce,
    };
  },
  present: (r) => [
    {
      text: `Password of ${r.username} reset (${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'} ended).${
        r.password ? `\nNew password, shown once: ${r.password}` : ''
      }`,
    },
  ],
});

export const sessionsEndOperation = defineOperation({
  area: 'accounts',
  verb: 'sessions-end',
  summary: 'End every session of a user (they must sign in again)',
  ...ON_ONE_USER,
  async run(db, p, ctx) {
    const users = accountsOf(db).users;
    const ended = await users.endSessions((await users.byName(p.username)).id);
    await audit(db, ctx, {
      action: 'user.sessions.end',
      workspace: null,
      target: p.username,
      details: { ended },
    });
    return { username: p.username, ended };
  },
  present: (r) => [{ text: `${r.ended} session${r.ended === 1 ? '' : 's'} of ${r.username} ended.` }],
});

export const sessionsPurgeOperation = defineOperation({
  area: 'accounts',
  verb: 'sessions-purge',
  summary: 'Delete expired sessions',
  params: z.strictObject({}),
  mode: 'write',
  permission: 'server',
  database: 'server',
  async run(db, _p, ctx) {
    const purged = await accountsOf(db).users.purgeExpired();
    await audit(db, ctx, { action: 'sessions.purge', workspace: null, target: null, details: { purged } });
    return { purged };
  },
  present: (r) => [{ text: `${r.purged} expired session${r.purged === 1 ? '' : 's'} deleted.` }],
});

export const keysListOperation = defineOperation({
  area: 'accounts',
  verb: 'keys-list',
  summary: 'API keys of the workspace (never their secrets)',
  params: z.strictObject({ workspace: Workspace }),
  mode: 'read',
  permission: 'admin',
  database: 'server',
  listField: 'keys',
  async run(db, p, ctx) {
    return { keys: await accountsOf(db).keys.list(workspaceOf(p, ctx)) };
  },
  present: (r) => [
    {
      title: `${r.keys.length} API key${r.keys.length === 1 ? '' : 's'}`,
      rows: r.keys.map((k) => ({
        keyId: k.keyId,
        name: k.name,
        scopes: k.scopes.join(', '),
        createdBy: k.createdBy ?? '',
        created: k.createdAt,
        revoked: k.revokedAt ?? '',
      })),
    },
  ],
});

export const keysCreateOperation = defineOperation({
  area: 'accounts',
  verb: 'keys-create',
  summary: 'Create an API key bound to the workspace; the secret is shown once',
  params: z.strictObject({
    name: z.string().min(1).max(100).describe('what the key is for (e.g. website, helpdesk)'),
    scopes: z.array(z.enum(SCOPES)).min(1).describe('read, ingest and/or admin'),
    workspace: Workspace,
  }),
  mode: 'write',
  permission: 'admin',
  database: 'server',
  async run(db, p, ctx) {
    const accounts = accountsOf(db);
    const workspace = workspaceOf(p, ctx);
    if (!(await accounts.workspaceExists(workspace)))
      throw new TouchpointError('not_found', `workspace: no workspace ${workspace}`, {
        details: [{ field: 'workspace', message: 'no such workspace' }],
      });
    const { key, info } = await accounts.keys.createKey({
      name: p.name,
      scopes: p.scopes,
      workspace,
      createdBy: ctx.actor ?? 'unknown',
      // a key minted by a key is revoked with it
      parentKey: ctx.caller?.type === 'key' ? ctx.caller.id : undefined,
    });
    await audit(db, ctx, {
      action: 'key.create',
      workspace,
      target: info.keyId,
      details: { name: info.name, scopes: info.scopes },
    });
    return { key, ...info, note: 'the key is shown once; store it now' };
  },
  present: (r) => [
    {
      text: `Key ${r.name} (${r.scopes.join(', ')}) for workspace ${r.workspace}, id ${r.keyId}.\nThe key, shown once — store it now: ${r.key}`,
    },
  ],
});

export const keysRevokeOperation = defineOperation({
  area: 'accounts',
  verb: 'keys-revoke',
  summary: 'Revoke an API key by its id, and every key it minted',
  params: z.strictObject({
    keyId: z.string().min(1).max(64).describe('the key id (the 16 hex digits after tp_)'),
    workspace: Workspace,
  }),
  mode: 'write',
  permission: 'admin',
  database: 'server',
  positional: ['keyId'],
  async run(db, p, ctx) {
    const workspace = workspaceOf(p, ctx);
    const revoked = await accountsOf(db).keys.revokeKey(workspace, p.keyId);
    await audit(db, ctx, { action: 'key.revoke', workspace, target: p.keyId, details: { revoked } });
    return { revoked: p.keyId, alsoRevoked: revoked.filter((k) => k !== p.keyId) };
  },
  present: (r) => [
    {
      text: `Revoked ${r.revoked}${r.alsoRevoked.length ? ` and the keys it minted: ${r.alsoRevoked.join(', ')}` : ''}.`,
    },
  ],
});

export const auditListOperation = defineOperation({
  area: 'accounts',
  verb: 'audit-list',
  summary:
    'The audit log of the workspace, newest first (an admin of every workspace also sees user changes)',
  params: z.strictObject({
    limit: z.coerce.number().int().min(1).max(10_000).default(100).describe('how many entries'),
    workspace: Workspace,
  }),
  mode: 'read',
  permission: 'admin',
  database: 'server',
  listField: 'entries',
  async run(db, p, ctx) {
    // a workspace's entries; an all-workspace admin also sees server-level ones (users, first admin)
    const all = ctx.caller?.workspaces === '*';
    return { entries: await accountsOf(db).audit.list(workspaceOf(p, ctx), p.limit, all) };
  },
  present: (r) => [
    {
      title: `${r.entries.length} audit entr${r.entries.length === 1 ? 'y' : 'ies'}`,
      rows: r.entries.map((e) => ({
        ts: e.ts,
        actor: e.actor,
        action: e.action,
        workspace: e.workspace ?? '',
        target: e.target ?? '',
      })),
    },
  ],
});

export const operations = [
  usersListOperation,
  usersCreateOperation,
  usersDisableOperation,
  usersEnableOperation,
  usersResetPasswordOperation,
  sessionsEndOperation,
  sessionsPurgeOperation,
  keysListOperation,
  keysCreateOperation,
  keysRevokeOperation,
  auditListOperation,
] as const;
