import { z } from 'zod';
import { USERNAME, WORKSPACE_NAME } from '../accounts/index.js';
import { TouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { SESSION_COOKIE, setSessionCookie } from './auth.js';
import type { Handler, ServerContext } from './context.js';

const CreateWorkspace = z.strictObject({ name: z.string().regex(WORKSPACE_NAME) });
const Login = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1000),
});
const Setup = z.strictObject({
  token: z.string().min(1).max(200),
  username: z.string().regex(USERNAME),
  password: z.string().min(12).max(1000),
});
const ChangePassword = z.strictObject({
  oldPassword: z.string().min(1).max(1000),
  newPassword: z.string().min(12).max(1000),
});

/**
 * Sign-in, the first admin, changing one's own password, and workspaces. Users, sessions, keys and
 * the audit log are the accounts capability's operations (src/accounts/), served as operation routes.
 */
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
