import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { TouchpointError } from '../core/errors.js';
import type { ServerOptions } from './app.js';
import { bodyLimitOf, DEFAULT_BODY_LIMIT, decodeUtf8, parseJson } from './body.js';
import { errorBody, HTTP_STATUS, toTouchpointError } from './errors.js';
import { RateLimited } from './limits.js';

/** Fastify with strict bodies, security headers, cookies, CORS and the one error shape. */
export async function createApp(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.logLevel ?? process.env.TOUCHPOINT_LOG_LEVEL ?? 'info',
      stream: options.logStream ?? process.stderr,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: DEFAULT_BODY_LIMIT,
    // the client address (rate limits, audit, logs) comes from X-Forwarded-For only when the peer is one of these
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
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
  // an uploaded file (operations with `upload`): the text as it is, parameters in the query string
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeUtf8(body as Buffer));
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
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof RateLimited)
      return reply
        .code(429)
        .header('retry-after', String(err.retryAfter))
        .send({ error: { ...errorBody(err, req.id).error, code: 'rate_limited' } });
    const e = toTouchpointError(err);
    const status = HTTP_STATUS[e.code];
    if (status >= 500) req.log.error({ err, method: req.method, url: redactUrl(req.url) }, 'request failed');
    else req.log.info({ code: e.code, msg: e.message }, 'request refused');
    return reply.code(status).send(errorBody(e, req.id));
  });

  // `Expect: 100-continue` (curl sends it for bodies over 1 MiB): refuse an oversized body before
  // the client sends it, so it gets its 413 instead of a reset connection
  app.server.on('checkContinue', (req, res) => {
    const limit = bodyLimitOf(req.url ?? '');
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
  return app;
}

/** Paths whose query strings carry secrets (survey link tokens `?t=`, the setup token): never logged. */
const SECRET_QUERY = /^\/(s\/|setup|api\/v1\/(auth|admin)\/)/;

/** The URL as request logs show it: the query string of survey, setup, auth and admin routes redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q >= 0 && SECRET_QUERY.test(url) ? `${url.slice(0, q)}?[redacted]` : url;
}
