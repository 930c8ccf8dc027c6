import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TouchpointError } from '../core/errors.js';
import type { Guarded } from './context.js';
import type { Limiter } from './limits.js';
import { allowed, type Principal, type RouteSpec } from './routes.js';
import { KEY_FORMAT, type ServerState, WORKSPACE_NAME } from './state.js';

export const SESSION_COOKIE = 'tp_session';

/** An IP address on this machine's loopback: 127/8, ::1, or 127/8 mapped into IPv6. */
export function isLoopbackIp(addr: string): boolean {
  const a = addr.toLowerCase().startsWith('::ffff:') ? addr.slice(7) : addr;
  if (isIP(a) === 6) return a === '::1';
  return isIP(a) === 4 && a.split('.')[0] === '127';
}

/** A host to listen on that only this machine can reach: `localhost` or a loopback IP (never a name that merely starts with 127.). */
export const isLoopback = (host: string): boolean =>
  host.toLowerCase() === 'localhost' || isLoopbackIp(host.replace(/^\[|\]$/g, ''));

/**
 * The Host header of a request meant for this local-admin server: an exact loopback literal
 * (`localhost`, `[::1]`, an IPv4 address in 127/8) with exactly our port. Anything else may be a
 * DNS-rebinding page (`127.attacker.example`) and is refused before any route runs.
 */
export function isLocalHostHeader(host: string | undefined, port: number): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host ?? '');
  if (!m) return false;
  if ((m[2] === undefined ? 80 : Number(m[2])) !== port) return false;
  const name = m[1]!.toLowerCase();
  if (name === 'localhost') return true;
  if (name.startsWith('[')) return name === '[::1]';
  return isIP(name) === 4 && isLoopbackIp(name);
}

export const setSessionCookie = (reply: FastifyReply, sid: string, maxAge: number): FastifyReply =>
  reply.setCookie(SESSION_COOKIE, sid, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge,
  });

const localPrincipal: Principal = {
  type: 'local',
  id: 'local',
  name: 'local-admin',
  role: 'admin',
  workspaces: '*',
};

/**
 * Local admin only for loopback peers (the Host header was checked for every request in local-admin
 * mode, see `refuseForeignHost`) whose request is not cross-site.
 */
function isLocalRequest(req: FastifyRequest): boolean {
  if (!isLoopbackIp(req.socket.remoteAddress ?? '')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return false;
  }
  return true;
}

/** In local-admin mode, a request whose Host is not ours gets 421 before anything else runs. */
export function refuseForeignHost(req: FastifyRequest, reply: FastifyReply, port: number): boolean {
  if (isLocalHostHeader(req.headers.host, port)) return false;
  void reply.code(421).send({
    error: {
      code: 'misdirected_request',
      message: `this server answers only to localhost:${port}, 127.0.0.1:${port} or [::1]:${port} (local-admin mode)`,
      details: [{ field: 'host', message: 'not a loopback address of this server' }],
      requestId: req.id,
    },
  });
  return true;
}

export interface AuthOptions {
  readonly state: ServerState;
  readonly localAdmin: boolean;
  readonly perKey: Limiter;
  readonly authFailures: Limiter;
}

/** Authentication (key, session cookie, local admin) and the per-route guard. */
export function createAuth(o: AuthOptions) {
  const { state, perKey, authFailures } = o;

  /**
   * A presented API key. Failures are limited per key id (guessing one key's secret costs an argon2
   * verification each) and, for strings that are not a key at all, per client address; a key that
   * verified before is answered from memory first, so someone else's failures never refuse it.
   */
  async function authenticateKey(req: FastifyRequest, auth: string): Promise<Principal> {
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? '';
    const keyId = KEY_FORMAT.exec(token)?.[1];
    const cached = keyId ? state.keys.cachedKey(token) : undefined;
    if (cached) return cached;
    const id = keyId ? `key:${keyId}` : `ip:${req.ip}`;
    authFailures.check(id, keyId ? 'failed checks of one key id' : 'malformed keys from one address');
    const p = keyId ? await state.keys.authenticateKey(token) : undefined;
    if (p) return p;
    authFailures.hit(id);
    throw new TouchpointError('unauthorized', 'the API key is unknown, malformed or revoked');
  }

  async function authenticate(req: FastifyRequest): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    if (auth) return authenticateKey(req, auth);
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) {
      const p = await state.users.session(sid);
      if (p) return p;
    }
    if (o.localAdmin && isLocalRequest(req)) return localPrincipal;
    return undefined;
  }

  async function guard(route: RouteSpec, req: FastifyRequest): Promise<Guarded> {
    const principal = route.permission === 'public' ? undefined : await authenticate(req);
    if (route.permission !== 'public') {
      if (!principal)
        throw new TouchpointError('unauthorized', 'sign in or send an API key (Authorization: Bearer tp_…)');
      perKey.take(`${principal.type}:${principal.id}`, 'requests of one key or user');
      if (!allowed(route, principal))
        throw new TouchpointError(
          'forbidden',
          `${route.method} ${route.path} needs ${route.permission} permission, which ${principal.type === 'key' ? `a key with scopes ${principal.scopes?.join(',')}` : `the ${principal.role} role`} does not have`,
        );
      if (
        principal.type === 'user' &&
        req.method === 'POST' &&
        req.headers['x-csrf-token'] !== principal.csrf
      )
        throw new TouchpointError(
          'forbidden',
          'missing or wrong X-CSRF-Token header (GET /api/v1/auth/me returns it)',
        );
    }
    return { principal, workspace: route.workspace && principal ? workspaceOf(principal, req) : 'default' };
  }

  return { authenticate, guard };
}

/** The workspace a request is bound to: a key's own, or the one a user names in X-Touchpoint-Workspace. */
function workspaceOf(principal: Principal, req: FastifyRequest): string {
  const asked = req.headers['x-touchpoint-workspace'];
  const askedName = typeof asked === 'string' && asked !== '' ? asked : undefined;
  if (principal.type === 'key') {
    const workspace = principal.workspaces[0] as string;
    if (askedName && askedName !== workspace)
      throw new TouchpointError('forbidden', `this key is bound to workspace ${workspace}, not ${askedName}`);
    return workspace;
  }
  const workspace = askedName ?? 'default';
  if (!WORKSPACE_NAME.test(workspace))
    throw new TouchpointError('invalid_input', 'X-Touchpoint-Workspace: not a workspace name', {
      details: [{ field: 'X-Touchpoint-Workspace', message: 'not a workspace name' }],
    });
  if (principal.workspaces !== '*' && !principal.workspaces.includes(workspace))
    throw new TouchpointError('forbidden', `you have no access to workspace ${workspace}`);
  return workspace;
}
