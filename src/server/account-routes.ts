import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { SESSION_COOKIE, setSessionCookie } from './auth.js';
import type { Handler, ServerContext } from './context.js';
import { ROLES, SCOPES } from './routes.js';
import { WORKSPACE_NAME } from './state.js';

const CreateKey = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1),
});
const RevokeKey = z.strictObject({ keyId: z.string().min(1).max(64) });
const CreateUser = z.strictObject({
  username: z.string().regex(/^[\w.@-]{1,64}$/),
  password: z.string().min(12).max(1000),
  role: z.enum(ROLES),
  workspaces: z.union([z.literal('*'), z.array(z.string().regex(WORKSPACE_NAME))]).default([]),
});
const CreateWorkspace = z.strictObject({ name: z.string().regex(WORKSPACE_NAME) });
const Login = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1000),
});
const Setup = z.strictObject({
  token: z.string().min(1).max(200),
  username: z.string().regex(/^[\w.@-]{1,64}$/),
  password: z.string().min(12).max(1000),
});
const Username = z.strictObject({ username: z.string().min(1).max(64) });
const ResetPassword = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(12).max(1000),
});
const ChangePassword = z.strictObject({
  oldPassword: z.string().min(1).max(1000),
  newPassword: z.string().min(12).max(1000),
});
const Empty = z.strictObject({});
const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(10_000).default(100) });

/** Sign-in, the first admin, and the admin routes for keys, users, workspaces and the audit log. */
export function accountHandlers(ctx: ServerContext): Record<string, Handler> {
  const { state, workspaces, audit } = ctx;
  return {
    'auth.login': async (req, reply) => {
      const body = validate(Login, req.body ?? {});
      const s = await state.users.login(body.username, body.password);
      setSessionCookie(reply, s.sessionId, 12 * 3600);
      return { user: s.user, csrf: s.csrf };
    },
    'auth.setup': async (req, reply) => {
      const body = validate(Setup, req.body ?? {});
      if ((await state.users.userCount()) > 0 || !(await state.consumeSetupToken(body.token)))
        throw new TouchpointError('forbidden', 'setup is done or the setup token is wrong');
      const user = await state.users.createUser({
        username: body.username,
        password: body.password,
        role: 'admin',
        workspaces: '*',
      });
      await state.audit({
        actor: `user:${user.username}`,
        action: 'setup.admin',
        target: user.id,
        ip: req.ip,
        requestId: req.id,
      });
      const s = await state.users.login(body.username, body.password);
      setSessionCookie(reply, s.sessionId, 12 * 3600);
      return { user, csrf: s.csrf };
    },
    'auth.logout': async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await state.users.logout(sid);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
    'auth.me': async (_req, _reply, g) => {
      const p = g.principal!;
      return {
        type: p.type,
        id: p.id,
        name: p.name,
        role: p.role ?? null,
        scopes: p.scopes ?? null,
        workspaces: p.workspaces,
        csrf: p.csrf ?? null,
      };
    },
    'auth.password': async (req, _reply, g) => {
      const body = validate(ChangePassword, req.body ?? {});
      if (g.principal?.type !== 'user')
        throw new TouchpointError('forbidden', 'only a signed-in user has a password to change');
      await state.users.setPassword(g.principal.name, body.newPassword, {
        oldPassword: body.oldPassword,
        keepSession: req.cookies[SESSION_COOKIE],
      });
      await audit(req, { ...g, workspace: null }, 'user.password.change', g.principal.id);
      return { changed: true };
    },
    'admin.users.disable': async (req, _reply, g) => {
      const body = validate(Username, req.body ?? {});
      if (g.principal?.type === 'user' && g.principal.name === body.username)
        throw new TouchpointError('conflict', 'username: you cannot disable your own account', {
          details: [{ field: 'username', message: 'your own account' }],
        });
      await state.users.setDisabled(body.username, true);
      await audit(req, { ...g, workspace: null }, 'user.disable', body.username);
      return { username: body.username, disabled: true };
    },
    'admin.users.enable': async (req, _reply, g) => {
      const body = validate(Username, req.body ?? {});
      await state.users.setDisabled(body.username, false);
      await audit(req, { ...g, workspace: null }, 'user.enable', body.username);
      return { username: body.username, disabled: false };
    },
    'admin.users.password': async (req, _reply, g) => {
      const body = validate(ResetPassword, req.body ?? {});
      await state.users.setPassword(body.username, body.password);
      await audit(req, { ...g, workspace: null }, 'user.password.reset', body.username);
      return { username: body.username, reset: true };
    },
    'admin.users.sessions-end': async (req, _reply, g) => {
      const body = validate(Username, req.body ?? {});
      const ended = await state.users.endSessions((await state.users.byName(body.username)).id);
      await audit(req, { ...g, workspace: null }, 'user.sessions.end', body.username, { ended });
      return { username: body.username, ended };
    },
    'admin.sessions.purge': async (req, _reply, g) => {
      validate(Empty, req.body ?? {});
      const purged = await state.users.purgeExpired();
      await audit(req, { ...g, workspace: null }, 'sessions.purge', null, { purged });
      return { purged };
    },
    'admin.keys.list': async (_req, _reply, g) => ({ keys: await state.keys.list(g.workspace) }),
    'admin.keys.create': async (req, _reply, g) => {
      const body = validate(CreateKey, req.body ?? {});
      await workspaces.get(g.workspace); // the workspace exists
      const { key, info } = await state.keys.createKey({
        ...body,
        workspace: g.workspace,
        createdBy: `${g.principal!.type}:${g.principal!.name}`,
        // a key minted by a key is revoked with it
        parentKey: g.principal?.type === 'key' ? g.principal.id : undefined,
      });
      await audit(req, g, 'key.create', info.keyId, { name: info.name, scopes: info.scopes });
      return { key, ...info, note: 'the key is shown once; store it now' };
    },
    'admin.keys.revoke': async (req, _reply, g) => {
      const body = validate(RevokeKey, req.body ?? {});
      const revoked = await state.keys.revokeKey(g.workspace, body.keyId);
      await audit(req, g, 'key.revoke', body.keyId, { revoked });
      return { revoked: body.keyId, alsoRevoked: revoked.filter((k) => k !== body.keyId) };
    },
    'admin.audit': async (req, _reply, g) => {
      const q = validate(AuditQuery, req.query ?? {});
      // a workspace's entries; an all-workspace admin also sees server-level ones (users, first admin)
      const all = g.principal?.workspaces === '*';
      return { entries: await state.auditLog(g.workspace, q.limit, all) };
    },
    'admin.users.list': async () => ({ users: await state.users.list() }),
    'admin.users.create': async (req, _reply, g) => {
      const body = validate(CreateUser, req.body ?? {});
      const user = await state.users.createUser(body);
      await audit(req, { ...g, workspace: null }, 'user.create', user.id, {
        username: user.username,
        role: user.role,
        workspaces: user.workspaces,
      });
      return { user };
    },
    'admin.workspaces.list': async () => ({
      workspaces: (await state.workspaces()).map((w) => ({ name: w.name, createdAt: w.createdAt })),
    }),
    'admin.workspaces.create': async (req, _reply, g) => {
      const body = validate(CreateWorkspace, req.body ?? {});
      if (await state.workspaceFile(body.name))
        throw new TouchpointError('conflict', `name: workspace ${body.name} exists`, {
          details: [{ field: 'name', message: 'exists' }],
        });
      await workspaces.ensure(body.name);
      await workspaces.get(body.name);
      await audit(req, { ...g, workspace: body.name }, 'workspace.create', body.name);
      return { workspace: body.name };
    },
  };
}
