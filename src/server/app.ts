import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import type { AnyOperation, OperationContext } from '../core/operation.js';
import { parseParams, type RawInput, validate } from '../core/params.js';
import { getSurvey } from '../feedback/index.js';
import { importRecords, KIND_SPECS, type Kind } from '../ingest/index.js';
import { operations as allOperations } from '../operations.js';
import { DEFAULT_BODY_LIMIT, decodeUtf8, INGEST_BODY_LIMIT, parseJson, recordsOf } from './body.js';
import { toCsv } from './csv.js';
import { errorBody, HTTP_STATUS, toTouchpointError } from './errors.js';
import { helpdeskChange } from './helpdesk.js';
import { openApiDocument } from './openapi.js';
import { allowed, type Principal, ROLES, type RouteSpec, routeTable, SCOPES } from './routes.js';
import { ServerState, WORKSPACE_NAME } from './state.js';
import { answerSurvey, surveyDefinition } from './survey.js';
import { type Importer, Workspaces } from './workspaces.js';

export interface ServerOptions {
  /** Where server.duckdb and workspaces/<name>.duckdb live (default ./touchpoint-data, or beside --db). */
  readonly dataDir?: string;
  /** Serve this one file as the workspace `default`. */
  readonly db?: string;
  readonly host?: string;
  readonly port?: number;
  /** A built SPA to serve at / (the cockpit). */
  readonly staticDir?: string;
  /** On a loopback host, requests from loopback are signed in as a local admin (for `npm start`). */
  readonly localAdmin?: boolean;
  /** pino level: 'info' logs every request, 'warn' only problems. Default TOUCHPOINT_LOG_LEVEL or info. */
  readonly logLevel?: string;
  /** Where pino writes (default stderr); the CLI passes a one-line-per-request formatter on a terminal. */
  readonly logStream?: { write(line: string): void };
  /** Requests per minute per key or user on /api/v1 (default 120000) and per IP on public endpoints (default 60). */
  readonly rateLimit?: { readonly perKey?: number; readonly perIp?: number; readonly authFailures?: number };
  /** Origins allowed by CORS; off (same-origin only) unless given. */
  readonly corsOrigins?: readonly string[];
  /** Where human lines (URL, setup link) go; default stdout. */
  readonly print?: (line: string) => void;
  /** The operation table (tests may pass another). */
  readonly operations?: readonly AnyOperation[];
}

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const VERSION = (() => {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
})();

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || host.startsWith('127.');

const importer: Importer = (db, kind, records, options) => importRecords(db, kind as Kind, records, options);
const loadImporter = async (): Promise<Importer> => importer;

const SESSION_COOKIE = 'tp_session';

const JSON_TYPE = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  timestamp: 'string',
  json: 'object',
} as const;

/** JSON schemas of the ingest records, from the ingest capability's field table (one source of truth). */
function recordSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, spec] of Object.entries(KIND_SPECS)) {
    const properties: Record<string, unknown> = {};
    for (const f of spec.fields)
      properties[f.name] = {
        type: JSON_TYPE[f.type],
        ...(f.type === 'timestamp' ? { format: 'date-time' } : {}),
        ...(f.values ? { enum: [...f.values] } : {}),
        ...(f.description ? { description: f.description } : {}),
      };
    out[kind] = {
      type: 'object',
      required: spec.fields.filter((f) => f.required).map((f) => f.name),
      properties,
    };
  }
  return out;
}

interface Guarded {
  readonly principal: Principal | undefined;
  readonly workspace: string;
}

/** A fixed one-minute window counter per principal (API keys and users). */
class Limiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly max: number) {}
  hit(id: string): boolean {
    const now = Date.now();
    const w = this.windows.get(id);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(id, { start: now, count: 1 });
      if (this.windows.size > 100_000) this.windows.clear();
      return true;
    }
    return ++w.count <= this.max;
  }
  /** True while `id` is over its limit in the current window (without counting a hit). */
  over(id: string): boolean {
    const w = this.windows.get(id);
    return Boolean(w && Date.now() - w.start < 60_000 && w.count >= this.max);
  }
}

/** Starts the HTTP server: workspaces, auth, the routes generated from the operation table. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolve(
    options.dataDir ??
      (options.db ? join(dirname(resolve(options.db)), '.touchpoint-server') : './touchpoint-data'),
  );
  mkdirSync(join(dataDir, 'workspaces'), { recursive: true });
  const ops = options.operations ?? allOperations;
  const routes = routeTable(ops);
  const localAdmin = Boolean(options.localAdmin) && isLoopback(host);
  const perKey = new Limiter(options.rateLimit?.perKey ?? 120_000);
  const perIp = options.rateLimit?.perIp ?? 60;
  const authFailures = new Limiter(options.rateLimit?.authFailures ?? 30);
  let ready = false;
  let shuttingDown = false;

  const state = await ServerState.open(join(dataDir, 'server.duckdb'));
  const workspaces = new Workspaces(state, dataDir, loadImporter);

  const app = Fastify({
    logger: {
      level: options.logLevel ?? process.env.TOUCHPOINT_LOG_LEVEL ?? 'info',
      stream: options.logStream ?? process.stderr,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });

  // ── bodies: strict UTF-8, depth and key checks before anything sees them ─────
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      const text = decodeUtf8(body as Buffer);
      done(null, text.trim() === '' ? undefined : parseJson(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/jsonl', 'application/json-seq'],
    { parseAs: 'buffer' },
    (_req, body, done) => {
      try {
        done(null, decodeUtf8(body as Buffer));
      } catch (e) {
        done(e as Error, undefined);
      }
    },
  );

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: null, // plain http on loopback must keep working
      },
    },
    hsts: false, // loopback http by default; a TLS proxy in front sets HSTS
  });
  await app.register(cookie);
  if (options.corsOrigins && options.corsOrigins.length > 0)
    await app.register(cors, { origin: [...options.corsOrigins], credentials: true });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (req, ctx) => ({
      statusCode: 429,
      ...errorBody(
        new TouchpointError('forbidden', `rate limited: at most ${ctx.max} requests per ${ctx.after}`),
        req.id,
      ),
      code: 'rate_limited',
    }),
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (!ready && req.url !== '/healthz' && req.url !== '/readyz') {
      reply.code(503);
      return reply.send({
        error: { code: 'unavailable', message: 'starting: migrations are running', details: [] },
      });
    }
    if (shuttingDown) {
      reply.code(503).header('connection', 'close');
      return reply.send({
        error: { code: 'shutting_down', message: 'the server is shutting down', details: [] },
      });
    }
  });

  // while draining, every answer closes its connection, so keep-alive sockets do not hold the close
  app.addHook('onSend', async (_req, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });

  app.setErrorHandler((err, req, reply) => {
    const statusCode = (err as { statusCode?: number }).statusCode;
    if (statusCode === 429) return reply.code(429).send(err);
    const e = toTouchpointError(err);
    const status = HTTP_STATUS[e.code];
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, msg: e.message }, 'request refused');
    return reply.code(status).send(errorBody(e, req.id));
  });

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(404)
      .send(
        errorBody(
          new TouchpointError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`),
          req.id,
        ),
      );

  // ── who is calling ──────────────────────────────────────────────────────────
  const localPrincipal: Principal = {
    type: 'local',
    id: 'local',
    name: 'local-admin',
    role: 'admin',
    workspaces: '*',
  };

  async function authenticate(req: FastifyRequest): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    if (auth) {
      // guessing keys costs an argon2 verification each: failures are limited per IP
      if (authFailures.over(req.ip)) throw Object.assign(new Error('rate limited'), { statusCode: 429 });
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const p = m ? await state.authenticateKey(m[1]!) : undefined;
      if (!p) {
        authFailures.hit(req.ip);
        throw new TouchpointError('unauthorized', 'the API key is unknown, malformed or revoked');
      }
      return p;
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) {
      const p = await state.session(sid);
      if (p) return p;
    }
    if (localAdmin && isLocalRequest(req)) return localPrincipal;
    return undefined;
  }

  /** Local admin only for loopback peers that name a loopback host (no DNS rebinding) and are not cross-site. */
  function isLocalRequest(req: FastifyRequest): boolean {
    const peer = req.socket.remoteAddress ?? '';
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!isLoopback(peer) || !isLoopback(hostName)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const site = req.headers['sec-fetch-site'];
      if (site && site !== 'same-origin' && site !== 'none') return false;
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}`) return false;
    }
    return true;
  }

  async function guard(route: RouteSpec, req: FastifyRequest): Promise<Guarded> {
    const principal = route.permission === 'public' ? undefined : await authenticate(req);
    if (route.permission !== 'public') {
      if (!principal)
        throw new TouchpointError('unauthorized', 'sign in or send an API key (Authorization: Bearer tp_…)');
      if (!perKey.hit(`${principal.type}:${principal.id}`))
        throw Object.assign(new Error('rate limited'), { statusCode: 429 });
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
    let workspace = 'default';
    if (route.workspace && principal) {
      const asked = req.headers['x-touchpoint-workspace'];
      const askedName = typeof asked === 'string' && asked !== '' ? asked : undefined;
      if (principal.type === 'key') {
        workspace = principal.workspaces[0] as string;
        if (askedName && askedName !== workspace)
          throw new TouchpointError(
            'forbidden',
            `this key is bound to workspace ${workspace}, not ${askedName}`,
          );
      } else {
        workspace = askedName ?? 'default';
        if (!WORKSPACE_NAME.test(workspace))
          throw new TouchpointError('invalid_input', 'X-Touchpoint-Workspace: not a workspace name', {
            details: [{ field: 'X-Touchpoint-Workspace', message: 'not a workspace name' }],
          });
        if (principal.workspaces !== '*' && !principal.workspaces.includes(workspace))
          throw new TouchpointError('forbidden', `you have no access to workspace ${workspace}`);
      }
    }
    return { principal, workspace };
  }

  const audit = (
    req: FastifyRequest,
    g: Guarded,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ) =>
    state.audit({
      actor: g.principal ? `${g.principal.type}:${g.principal.name}` : 'anonymous',
      action,
      workspace: g.workspace,
      target,
      details,
      ip: req.ip,
      requestId: req.id,
    });

  // ── handlers by route id ───────────────────────────────────────────────────
  type Handler = (req: FastifyRequest, reply: FastifyReply, g: Guarded) => Promise<unknown>;

  const operationHandler =
    (op: AnyOperation, route: RouteSpec): Handler =>
    async (req, reply, g) => {
      const ws = await workspaces.get(g.workspace);
      let pageSize: number | undefined;
      let offset = 0;
      let params: Record<string, unknown>;
      if (op.mode === 'read') {
        const q = { ...(req.query as Record<string, string | string[]>) };
        if (op.listField) {
          const ps = q.pageSize;
          const cur = q.cursor;
          delete q.pageSize;
          delete q.cursor;
          if (ps !== undefined) {
            pageSize = Number(Array.isArray(ps) ? ps.at(-1) : ps);
            if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000)
              throw new TouchpointError('invalid_input', 'pageSize: an integer from 1 to 10000', {
                details: [{ field: 'pageSize', message: 'an integer from 1 to 10000' }],
              });
          }
          if (cur !== undefined) {
            const decoded = Buffer.from(
              String(Array.isArray(cur) ? cur.at(-1) : cur),
              'base64url',
            ).toString();
            offset = /^\d{1,9}$/.test(decoded) ? Number(decoded) : -1;
            if (offset < 0)
              throw new TouchpointError('invalid_input', 'cursor: not a cursor this server issued', {
                details: [{ field: 'cursor', message: 'not a cursor this server issued' }],
              });
            pageSize ??= 1000;
          }
        }
        params = parseParams(op.params, q as RawInput) as Record<string, unknown>;
      } else params = validate(op.params, strictBody(op, req.body)) as Record<string, unknown>;
      const ctx: OperationContext = {
        actor: g.principal ? `${g.principal.type}:${g.principal.name}` : 'anonymous',
        log: (line) => req.log.info({ note: line }),
      };
      const result = (
        op.mode === 'read'
          ? await ws.read((db) => op.run(db, params, ctx))
          : await ws.write((db) => op.run(db, params, ctx))
      ) as Record<string, unknown>;
      if (route.permission === 'admin') await audit(req, g, `op.${op.area}.${op.verb}`, null, { params });
      const list = op.listField ? (result?.[op.listField] as unknown[] | undefined) : undefined;
      let body: unknown = result;
      if (list && Array.isArray(list)) {
        reply.header('x-total-count', String(list.length));
        if (pageSize !== undefined) {
          const page = list.slice(offset, offset + pageSize);
          body = { ...result, [op.listField!]: page };
          if (offset + pageSize < list.length) {
            const next = Buffer.from(String(offset + pageSize)).toString('base64url');
            const u = new URL(req.url, 'http://x');
            u.searchParams.set('cursor', next);
            u.searchParams.set('pageSize', String(pageSize));
            reply.header('link', `<${u.pathname}${u.search}>; rel="next"`);
          }
        }
        if (wantsCsv(req)) {
          const rows = (body as Record<string, unknown[]>)[op.listField!] as Record<string, unknown>[];
          return reply
            .type('text/csv; charset=utf-8')
            .send(toCsv(rows.map((r) => (r && typeof r === 'object' ? r : { value: r }))));
        }
      } else if (wantsCsv(req))
        throw new TouchpointError('invalid_input', `${op.area} ${op.verb} returns no list; ask for JSON`, {
          details: [{ field: 'accept', message: 'text/csv is served for list results only' }],
        });
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
    };

  const ingestHandler =
    (kind: string): Handler =>
    async (req, _reply, g) => {
      const records = recordsOf(req.body, req.headers['content-type']);
      const ws = await workspaces.get(g.workspace);
      const report = await ws.ingest(kind, records, `api:${g.principal?.name ?? '?'}`);
      return { committed: true, ...report };
    };

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
  const SurveyTokens = z.strictObject({
    survey: z.string().min(1).max(200),
    count: z.number().int().min(1).max(10_000).default(1),
    customerIds: z.array(z.string().max(200)).max(10_000).optional(),
    expiresInDays: z.number().int().min(1).max(365).default(30),
  });
  const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(10_000).default(100) });

  const setCookie = (reply: FastifyReply, sid: string, maxAge: number) =>
    reply.setCookie(SESSION_COOKIE, sid, {
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      path: '/',
      maxAge,
    });

  const edgeHandlers: Record<string, Handler> = {
    'ingest.events': ingestHandler('events'),
    'ingest.feedback': ingestHandler('feedback'),
    'ingest.customers': ingestHandler('customers'),
    'ingest.cases': ingestHandler('cases'),
    'ingest.case-events': ingestHandler('case-events'),
    'ingest.helpdesk': async (req, _reply, g) => {
      const changes = recordsOf(req.body, req.headers['content-type']).map((c, i) => helpdeskChange(c, i));
      const ws = await workspaces.get(g.workspace);
      const source = `webhook:${g.principal?.name ?? '?'}`;
      // latest state per ticket in this call; both loads commit before the answer
      const cases = new Map<string, Record<string, unknown>>();
      for (const c of changes) {
        const id = String(c.case.id);
        cases.set(id, { ...(cases.get(id) ?? {}), ...c.case });
      }
      const caseReport = await ws.ingest('cases', [...cases.values()], source);
      const eventReport = await ws.ingest(
        'case-events',
        changes.map((c) => c.event),
        source,
      );
      return { committed: true, cases: caseReport, caseEvents: eventReport };
    },
    'auth.login': async (req, reply) => {
      const body = validate(Login, req.body ?? {});
      const s = await state.login(body.username, body.password);
      setCookie(reply, s.sessionId, 12 * 3600);
      return { user: s.user, csrf: s.csrf };
    },
    'auth.setup': async (req, reply) => {
      const body = validate(Setup, req.body ?? {});
      if ((await state.userCount()) > 0 || !(await state.consumeSetupToken(body.token)))
        throw new TouchpointError('forbidden', 'setup is done or the setup token is wrong');
      const user = await state.createUser({
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
      const s = await state.login(body.username, body.password);
      setCookie(reply, s.sessionId, 12 * 3600);
      return { user, csrf: s.csrf };
    },
    'auth.logout': async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await state.logout(sid);
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
    'admin.keys.list': async (_req, _reply, g) => ({ keys: await state.keys(g.workspace) }),
    'admin.keys.create': async (req, _reply, g) => {
      const body = validate(CreateKey, req.body ?? {});
      await workspaces.get(g.workspace); // the workspace exists
      const { key, info } = await state.createKey({
        ...body,
        workspace: g.workspace,
        createdBy: `${g.principal!.type}:${g.principal!.name}`,
      });
      await audit(req, g, 'key.create', info.keyId, { name: info.name, scopes: info.scopes });
      return { key, ...info, note: 'the key is shown once; store it now' };
    },
    'admin.keys.revoke': async (req, _reply, g) => {
      const body = validate(RevokeKey, req.body ?? {});
      await state.revokeKey(g.workspace, body.keyId);
      await audit(req, g, 'key.revoke', body.keyId);
      return { revoked: body.keyId };
    },
    'admin.survey-tokens': async (req, _reply, g) => {
      const body = validate(SurveyTokens, req.body ?? {});
      const ws = await workspaces.get(g.workspace);
      const exists = await ws.read((db) =>
        getSurvey(db, body.survey).then(
          () => true,
          () => false,
        ),
      );
      if (!exists)
        throw new TouchpointError(
          'not_found',
          `survey: no survey ${body.survey} in workspace ${g.workspace}`,
          {
            details: [{ field: 'survey', message: 'no such survey' }],
          },
        );
      const customers = body.customerIds ?? Array.from({ length: body.count }, () => null);
      const tokens = await state.issueSurveyTokens({
        workspace: g.workspace,
        surveyId: body.survey,
        customerIds: customers,
        expiresAt: new Date(Date.now() + body.expiresInDays * 86_400_000),
      });
      await audit(req, g, 'survey.tokens', body.survey, { count: tokens.length });
      const base = `${url}/s/${encodeURIComponent(body.survey)}/answers`;
      return {
        survey: body.survey,
        endpoint: base,
        tokens: tokens.map((t, i) => ({ token: t, customerId: customers[i] ?? null })),
      };
    },
    'admin.audit': async (req, _reply, g) => {
      const q = validate(AuditQuery, req.query ?? {});
      return { entries: await state.auditLog(g.workspace, q.limit) };
    },
    'admin.users.list': async () => ({ users: await state.users() }),
    'admin.users.create': async (req, _reply, g) => {
      const body = validate(CreateUser, req.body ?? {});
      const user = await state.createUser(body);
      await audit(req, g, 'user.create', user.id, { username: user.username, role: user.role });
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
    'survey.definition': async (req) =>
      surveyDefinition({
        state,
        workspaces,
        survey: (req.params as { survey: string }).survey,
        token: (req.query as { t?: unknown }).t,
      }),
    'survey.answer': async (req) => {
      const survey = (req.params as { survey: string }).survey;
      return answerSurvey({ state, workspaces, survey, body: req.body, requestId: req.id });
    },
    'system.healthz': async () => ({ ok: true }),
    'system.readyz': async (_req, reply) => {
      if (!ready || shuttingDown) reply.code(503);
      return { ready: ready && !shuttingDown };
    },
    'system.openapi.json': async () => openApiDocument(routes, recordSchemas(), VERSION),
    'system.docs': async (_req, reply) => reply.type('text/html; charset=utf-8').send(DOCS_HTML),
  };

  for (const route of routes) {
    const handler = route.op ? operationHandler(route.op, route) : edgeHandlers[route.id];
    if (!handler) throw new Error(`no handler for route ${route.id}`);
    const max = route.id === 'auth.login' || route.id === 'auth.setup' ? Math.min(perIp, 20) : perIp;
    const publicLimit =
      route.permission === 'public' && route.kind !== 'system'
        ? { rateLimit: { max, timeWindow: 60_000 } }
        : undefined;
    app.route({
      method: route.method,
      url: route.path,
      bodyLimit: route.kind === 'ingest' ? INGEST_BODY_LIMIT : DEFAULT_BODY_LIMIT,
      config: publicLimit,
      handler: async (req, reply) => {
        const g = await guard(route, req);
        return handler(req, reply, g);
      },
    });
  }
  app.get('/docs/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DOCS_JS));
  app.get('/setup', (_req, reply) => reply.type('text/html; charset=utf-8').send(SETUP_HTML));
  app.get('/setup/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SETUP_JS));

  if (options.staticDir) {
    await app.register(fastifyStatic, { root: resolve(options.staticDir), prefix: '/', wildcard: false });
    app.setNotFoundHandler((req, reply) => {
      if (
        req.method === 'GET' &&
        !req.url.startsWith('/api/') &&
        (req.headers.accept ?? '').includes('text/html')
      )
        return reply.sendFile('index.html');
      return notFound(req, reply);
    });
  } else app.setNotFoundHandler(notFound);

  // `Expect: 100-continue` (curl sends it for bodies over 1 MiB): refuse an oversized body before
  // the client sends it, so it gets its 413 instead of a reset connection
  app.server.on('checkContinue', (req, res) => {
    const limit = (req.url ?? '').startsWith('/api/v1/ingest/') ? INGEST_BODY_LIMIT : DEFAULT_BODY_LIMIT;
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      const e = new TouchpointError(
        'too_large',
        `request body is larger than this endpoint accepts (${limit} bytes)`,
        {
          details: [{ field: '(body)', message: `at most ${limit} bytes` }],
        },
      );
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(JSON.stringify(errorBody(e)));
      return;
    }
    res.writeContinue();
    app.server.emit('request', req, res);
  });
  await app.listen({ host, port: options.port ?? 4680 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 4680);
  const url = `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  workspaces.setUrl(url);
  // listening already (/healthz answers, /readyz says 503) while migrations run
  let setupToken: string | undefined;
  try {
    await workspaces.ensure('default', options.db);
    await workspaces.get('default');
    if ((await state.userCount()) === 0) {
      const password = process.env.TOUCHPOINT_ADMIN_PASSWORD;
      if (password) {
        const user = await state.createUser({
          username: process.env.TOUCHPOINT_ADMIN_USER ?? 'admin',
          password,
          role: 'admin',
          workspaces: '*',
        });
        await state.audit({ actor: 'env', action: 'setup.admin', target: user.id });
      } else setupToken = await state.issueSetupToken();
    }
  } catch (e) {
    await app.close();
    await workspaces.closeAll();
    await state.close();
    throw e;
  }
  ready = true;
  print(
    `touchpoint: serving ${url} (data ${dataDir}${options.db ? `, workspace default = ${resolve(options.db)}` : ''})`,
  );
  if (setupToken && !localAdmin)
    print(
      `touchpoint: no admin yet. Open ${url}/setup?token=${setupToken} once to create one (or set TOUCHPOINT_ADMIN_PASSWORD).`,
    );
  if (localAdmin) print('touchpoint: requests from this machine are signed in as local admin');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      await app.close(); // waits for requests in flight; refuses new ones
      await workspaces.closeAll(); // finishes queued commits
      await state.close();
    })();
    return closing;
  };
  return { url, app, close };
}

/** A POST body must be an object of the operation's own fields: unknown keys are refused, not dropped. */
function strictBody(op: AnyOperation, body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new TouchpointError('invalid_input', '(body): a JSON object of parameters', {
      details: [{ field: '(body)', message: 'a JSON object of parameters' }],
    });
  const known = new Set(Object.keys(op.params.shape));
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new TouchpointError('invalid_input', `unknown parameter ${unknown[0]}`, {
      details: unknown.map((u) => ({ field: u, message: 'unknown parameter' })),
    });
  return body as Record<string, unknown>;
}

function wantsCsv(req: FastifyRequest): boolean {
  const a = req.headers.accept ?? '';
  return a.includes('text/csv');
}

const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Touchpoint API</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}
details{margin:.4rem 0;border:1px solid #e5e7eb;border-radius:6px;padding:.4rem .7rem}summary{cursor:pointer}
.m{display:inline-block;min-width:3.5rem;font-weight:600}.GET{color:#0a6c2f}.POST{color:#8a4b00}table{border-collapse:collapse}td,th{border:1px solid #e5e7eb;padding:.2rem .5rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:.5rem;overflow:auto}</style></head>
<body><h1>Touchpoint API</h1><p>Generated from <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer tp_…</code> or a session cookie (POST needs <code>X-CSRF-Token</code>).</p>
<div id="root">Loading…</div><script src="/docs/app.js"></script></body></html>`;

const DOCS_JS = `(async()=>{const d=await (await fetch('/openapi.json')).json();const root=document.getElementById('root');root.textContent='';
const esc=s=>String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));const groups={};
for(const [p,ms] of Object.entries(d.paths))for(const [m,o] of Object.entries(ms))(groups[o.tags[0]]??=[]).push([m.toUpperCase(),p,o]);
for(const [tag,list] of Object.entries(groups)){const h=document.createElement('h2');h.textContent=tag;root.append(h);
for(const [m,p,o] of list){const det=document.createElement('details');let html='<summary><span class="m '+m+'">'+m+'</span> <code>'+esc(p)+'</code> — '+esc(o.summary)+' <small>('+esc(o['x-permission'])+')</small></summary>';
if(o.description)html+='<p>'+esc(o.description)+'</p>';
if(o.parameters)html+='<table><tr><th>parameter</th><th>in</th><th>schema</th><th>description</th></tr>'+o.parameters.map(q=>'<tr><td><code>'+esc(q.name)+'</code>'+(q.required?' *':'')+'</td><td>'+esc(q.in)+'</td><td><code>'+esc(JSON.stringify(q.schema))+'</code></td><td>'+esc(q.description)+'</td></tr>').join('')+'</table>';
if(o.requestBody)html+='<p>Body:</p><pre>'+esc(JSON.stringify(o.requestBody.content,null,1).slice(0,4000))+'</pre>';
det.innerHTML=html;root.append(det);}}})();`;

const SETUP_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Touchpoint setup</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font:15px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem">
<h1>Create the first admin</h1>
<p>This link works once. Choose a username and a password of at least 12 characters.</p>
<form id="f"><p><label>Username<br><input name="username" value="admin" required autocomplete="username"></label></p>
<p><label>Password<br><input name="password" type="password" minlength="12" required autocomplete="new-password"></label></p>
<p><button type="submit">Create admin</button></p></form><p id="msg" role="status"></p>
<script src="/setup/app.js"></script></body></html>`;

const SETUP_JS = `document.getElementById('f').addEventListener('submit',async(e)=>{e.preventDefault();
const f=new FormData(e.target);const token=new URLSearchParams(location.search).get('token')||'';
const r=await fetch('/api/v1/auth/setup',{method:'POST',headers:{'content-type':'application/json'},
body:JSON.stringify({token,username:f.get('username'),password:f.get('password')})});
const b=await r.json().catch(()=>({}));const m=document.getElementById('msg');
if(r.ok){m.textContent='Admin created. You are signed in.';setTimeout(()=>location.href='/',800);}
else m.textContent=(b.error&&b.error.message)||('failed: '+r.status);});`;
