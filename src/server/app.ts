import { mkdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { operations as accountOperations } from '../accounts/index.js';
import type { AnyOperation } from '../core/operation.js';
import { importRecords, type Kind } from '../ingest/index.js';
import { operations as allOperations } from '../operations.js';
import { accountHandlers } from './account-routes.js';
import { createAuth, isLoopback, refuseForeignHost } from './auth.js';
import {
  type BackgroundLoop,
  type BackgroundTask,
  type SchedulerOptions,
  startServerBackground,
} from './background.js';
import { DEFAULT_BODY_LIMIT, INGEST_BODY_LIMIT, UPLOAD_PATHS } from './body.js';
import { actorOf, type Handler, type ServerContext } from './context.js';
import { firstRun, restrictNewFiles } from './first-run.js';
import { createApp } from './http.js';
import { ingestHandlers } from './ingest-routes.js';
import { fairMemoryShare, Limiter } from './limits.js';
import { operationHandler } from './operation-route.js';
import { apiDocument, builtCockpit, registerPages, systemHandlers } from './pages.js';
import { defaultCalls, loadCalls, ResultCache, saveCalls, Warmer } from './result-cache.js';
import { routeTable } from './routes.js';
import { ServerState } from './state.js';
import { surveyHandlers } from './survey-routes.js';
import { type Importer, ownerOnly, Workspaces } from './workspaces.js';

export { isLoopback } from './auth.js';

export interface ServerOptions {
  /** Where server.duckdb and workspaces/<name>.duckdb live (default ./touchpoint-data, or beside --db). */
  readonly dataDir?: string;
  /** Serve this one file as the workspace `default`. */
  readonly db?: string;
  readonly host?: string;
  readonly port?: number;
  /** A built SPA to serve at / (the cockpit); default the built cockpit when there is one, false for none. */
  readonly staticDir?: string | false;
  /** On a loopback host, requests from loopback are signed in as a local admin (for `npm start`). */
  readonly localAdmin?: boolean;
  /** pino level: 'info' logs every request, 'warn' only problems. Default TOUCHPOINT_LOG_LEVEL or info. */
  readonly logLevel?: string;
  /** Where pino writes (default stderr); the CLI passes a one-line-per-request formatter on a terminal. */
  readonly logStream?: { write(line: string): void };
  /**
   * Per minute: requests per key or user on /api/v1 (default 120000); anonymous requests per client
   * address on each public endpoint (default 60; sign-in and setup at most 20); failed checks per
   * presented key id, or malformed keys per address (default 30).
   */
  readonly rateLimit?: { readonly perKey?: number; readonly perIp?: number; readonly authFailures?: number };
  /**
   * Addresses (or CIDR ranges) of reverse proxies whose `X-Forwarded-For` names the client; from any
   * other peer the header is ignored. Off by default (`--trust-proxy`).
   */
  readonly trustProxy?: readonly string[];
  /** Origins allowed by CORS; off (same-origin only) unless given. */
  readonly corsOrigins?: readonly string[];
  /** Where human lines (URL, setup link) go; default stdout. */
  readonly print?: (line: string) => void;
  /** DuckDB `memory_limit` of each workspace; default 80% of RAM / `maxOpenWorkspaces`. */
  readonly workspaceMemory?: string;
  /** How many workspaces are expected open at once, to share memory among (default 8). */
  readonly maxOpenWorkspaces?: number;
  /** The operation table (tests may pass another; the accounts verbs are always served). */
  readonly operations?: readonly AnyOperation[];
  /** The monitor scheduler's options, or false for none (src/server/background.ts). */
  readonly scheduler?: SchedulerOptions | false;
  /** The background loop (notification delivery, other tasks); false for none. Default on. */
  readonly background?: false;
  /** More background tasks run per workspace at each tick (e.g. automations). */
  readonly backgroundTasks?: readonly BackgroundTask[];
  /**
   * Recompute cached analyses in the background: each one's defaults at start, and after every
   * write the calls asked for before it (`touchpoint start` and `serve`; off by default).
   */
  readonly warm?: boolean;
}

export interface RunningServer {
  readonly url: string;
  /** Whether requests from this machine are signed in as local admin (loopback host only). */
  readonly localAdmin: boolean;
  readonly app: FastifyInstance;
  /** The background loop (monitors, automations, delivery), unless switched off. */
  readonly background?: BackgroundLoop;
  /** Resolves when the background recomputation of cached analyses has nothing left to do. */
  warmed(): Promise<void>;
  close(): Promise<void>;
}

const importer: Importer = (db, kind, records, options) => importRecords(db, kind as Kind, records, options);
const loadImporter = async (): Promise<Importer> => importer;

/** Starts the HTTP server: workspaces, auth, the routes generated from the operation table. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolve(
    options.dataDir ??
      (options.db ? join(dirname(resolve(options.db)), '.touchpoint-server') : './touchpoint-data'),
  );
  restrictNewFiles();
  mkdirSync(join(dataDir, 'workspaces'), { recursive: true, mode: 0o700 });
  const ops = options.operations ?? allOperations;
  // users, keys and the audit log are how the server itself is used: served with any operation table
  const routes = routeTable(ops.some((o) => o.area === 'accounts') ? ops : [...ops, ...accountOperations]);
  const localAdmin = Boolean(options.localAdmin) && isLoopback(host);
  const perIp = options.rateLimit?.perIp ?? 60;
  const publicLimit = new Limiter(perIp);
  const signInLimit = new Limiter(Math.min(perIp, 20));
  let ready = false;
  let shuttingDown = false;
  let url = '';

  const state = await ServerState.open(join(dataDir, 'server.duckdb'));
  ownerOnly(join(dataDir, 'server.duckdb'));
  const workspaces = new Workspaces(
    state,
    dataDir,
    loadImporter,
    options.workspaceMemory ?? fairMemoryShare(options.maxOpenWorkspaces ?? 8),
  );
  const app = await createApp(options);
  const auth = createAuth({
    state,
    localAdmin,
    perKey: new Limiter(options.rateLimit?.perKey ?? 120_000),
    authFailures: new Limiter(options.rateLimit?.authFailures ?? 30),
  });
  const results = new ResultCache();
  const warmer = options.warm
    ? new Warmer(results, async (name, call) => {
        const ws = await workspaces.get(name);
        const generation = ws.generation;
        if (results.has(name, generation, call)) return;
        await results.get(
          name,
          generation,
          call,
          () => ws.read((db) => call.op.run(db, call.params, { actor: 'server:warm', workspace: name })),
          false,
        );
      })
    : undefined;
  workspaces.onWritten = (name) => warmer?.schedule(name);
  const ctx: ServerContext = {
    state,
    workspaces,
    results,
    url: () => url,
    audit: (req, g, action, target, details = {}) =>
      state.audit({
        actor: actorOf(g.principal),
        action,
        workspace: g.workspace,
        target,
        details,
        ip: req.ip,
        requestId: req.id,
      }),
  };

  let port = 0;
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (localAdmin && refuseForeignHost(req, reply, port)) return reply;
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

  const handlers: Record<string, Handler> = {
    ...ingestHandlers(ctx),
    ...accountHandlers(ctx),
    ...surveyHandlers(ctx),
    ...systemHandlers(routes, () => ({ ready, shuttingDown })),
  };
  for (const route of routes) {
    const handler = route.op ? operationHandler(ctx, route.op, route) : handlers[route.id];
    if (!handler) throw new Error(`no handler for route ${route.id}`);
    // anonymous traffic (public routes but health and docs) is limited per client address
    const limiter =
      route.permission !== 'public' || route.kind === 'system'
        ? undefined
        : route.kind === 'auth'
          ? signInLimit
          : publicLimit;
    if (route.op?.upload) UPLOAD_PATHS.add(route.path);
    app.route({
      method: route.method,
      url: route.path,
      bodyLimit: route.kind === 'ingest' || route.op?.upload ? INGEST_BODY_LIMIT : DEFAULT_BODY_LIMIT,
      handler: async (req, reply) => {
        limiter?.take(`${route.id}:${req.ip}`, 'requests from one address');
        return handler(req, reply, await auth.guard(route, req));
      },
    });
  }
  await registerPages(
    app,
    options.staticDir === false ? undefined : (options.staticDir ?? builtCockpit()),
    apiDocument(routes),
  );

  await app.listen({ host, port: options.port ?? 4680 });
  const addr = app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 4680);
  url = `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  workspaces.setUrl(url);
  // listening already (/healthz answers, /readyz says 503) while migrations run
  let setupToken: string | undefined;
  try {
    setupToken = await firstRun(state, workspaces, options.db);
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
  // monitors, automations and the notification outbox of every workspace (src/server/background.ts)
  const background = startServerBackground({
    ops,
    state,
    workspaces,
    ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
    ...(options.background !== undefined ? { background: options.background } : {}),
    ...(options.backgroundTasks ? { tasks: options.backgroundTasks } : {}),
  });

  // the cached analyses with their defaults, then what was asked for before the last shutdown
  const callsFile = join(dataDir, 'warm-calls.json');
  warmer?.schedule('default', () => [...defaultCalls(ops), ...loadCalls(callsFile, 'default', ops)]);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shuttingDown = true;
      await background?.stop(); // before the workspaces close: a round in flight commits its outcome
      await app.close(); // waits for requests in flight; refuses new ones
      await warmer?.stop(); // lets the analysis being recomputed finish
      try {
        saveCalls(callsFile, results, workspaces.openNames());
      } catch {
        // a read-only data dir: the next start computes the defaults only
      }
      await workspaces.closeAll(); // finishes queued commits
      await state.close();
    })();
    return closing;
  };
  return {
    url,
    localAdmin,
    app,
    warmed: async () => warmer?.idle(),
    close,
    ...(background ? { background } : {}),
  };
}
