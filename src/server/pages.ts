import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TouchpointError } from '../core/errors.js';
import { KIND_SPECS } from '../ingest/index.js';
import type { Handler } from './context.js';
import { errorBody } from './errors.js';
import { openApiDocument } from './openapi.js';
import type { RouteSpec } from './routes.js';

const VERSION = (() => {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
})();

const JSON_TYPE = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  timestamp: 'string',
  json: 'object',
} as const;

/** JSON schemas of the ingest records, from the ingest capability's field table (one source of truth). */
/** The OpenAPI document of a route table (served at /openapi.json and drawn at /docs). */
export const apiDocument = (routes: readonly RouteSpec[]): Record<string, unknown> =>
  openApiDocument(routes, recordSchemas(), VERSION) as Record<string, unknown>;

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

/** Health, readiness, the OpenAPI document and the docs page. */
export function systemHandlers(
  routes: readonly RouteSpec[],
  status: () => { ready: boolean; shuttingDown: boolean },
): Record<string, Handler> {
  return {
    'system.healthz': async () => ({ ok: true }),
    'system.readyz': async (_req, reply) => {
      const { ready, shuttingDown } = status();
      if (!ready || shuttingDown) reply.code(503);
      return { ready: ready && !shuttingDown };
    },
    'system.openapi.json': async () => apiDocument(routes),
  };
}

const notFound = (req: FastifyRequest, reply: FastifyReply) =>
  reply
    .code(404)
    .send(
      errorBody(new TouchpointError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`), req.id),
    );

/**
 * The built cockpit to serve at `/` when none is named: `TOUCHPOINT_WEB_DIR`, else `dist/web` of this
 * package, when it holds an `index.html` (so `touchpoint serve` serves the cockpit, the respondent
 * pages `/s/<survey>` and `/embed.js` like `touchpoint start`).
 */
export function builtCockpit(): string | undefined {
  const dir =
    process.env.TOUCHPOINT_WEB_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** The API docs (Swagger UI), the setup page, and the built cockpit (SPA fallback to its index.html). */
export async function registerPages(
  app: FastifyInstance,
  staticDir: string | undefined,
  apiDocument: Record<string, unknown>,
): Promise<void> {
  // the survey embed is loaded by customers' own sites: it must be readable cross-origin
  app.addHook('onSend', async (req, reply) => {
    if (req.url.split('?')[0] === '/embed.js') reply.header('cross-origin-resource-policy', 'cross-origin');
  });
  // the browsable API docs: Swagger UI (the installed @fastify/swagger-ui) on the generated document
  await app.register(fastifySwagger, { mode: 'static', specification: { document: apiDocument as never } });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'none', deepLinking: true, tryItOutEnabled: false },
  });
  app.get('/setup', (_req, reply) => reply.type('text/html; charset=utf-8').send(SETUP_HTML));
  app.get('/setup/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SETUP_JS));
  if (staticDir) {
    await app.register(fastifyStatic, { root: resolve(staticDir), prefix: '/', wildcard: false });
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
}

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
