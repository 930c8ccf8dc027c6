import type { FastifyRequest } from 'fastify';
import { TouchpointError } from '../core/errors.js';
import type { AnyOperation, OperationContext } from '../core/operation.js';
import { parseParams, type RawInput, validate } from '../core/params.js';
import { actorOf, type Handler, type ServerContext } from './context.js';
import { toCsv } from './csv.js';
import type { RouteSpec } from './routes.js';

/** `pageSize` and `cursor` of a list operation's query, taken out of the operation's own parameters. */
function pagination(q: Record<string, string | string[]>): { pageSize?: number; offset: number } {
  const ps = q.pageSize;
  const cur = q.cursor;
  delete q.pageSize;
  delete q.cursor;
  let pageSize: number | undefined;
  let offset = 0;
  if (ps !== undefined) {
    pageSize = Number(Array.isArray(ps) ? ps.at(-1) : ps);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000)
      throw new TouchpointError('invalid_input', 'pageSize: an integer from 1 to 10000', {
        details: [{ field: 'pageSize', message: 'an integer from 1 to 10000' }],
      });
  }
  if (cur !== undefined) {
    const decoded = Buffer.from(String(Array.isArray(cur) ? cur.at(-1) : cur), 'base64url').toString();
    offset = /^\d{1,9}$/.test(decoded) ? Number(decoded) : -1;
    if (offset < 0)
      throw new TouchpointError('invalid_input', 'cursor: not a cursor this server issued', {
        details: [{ field: 'cursor', message: 'not a cursor this server issued' }],
      });
    pageSize ??= 1000;
  }
  return { pageSize, offset };
}

/**
 * The route generated for one operation: parameters from the query (reads) or a strict JSON body
 * (writes), the run on the workspace's read connection or single writer, then JSON — or, for list
 * results, a page of the list and CSV on `Accept: text/csv`.
 */
export const operationHandler =
  (ctx: ServerContext, op: AnyOperation, route: RouteSpec): Handler =>
  async (req, reply, g) => {
    const ws = op.database === 'server' ? undefined : await ctx.workspaces.get(g.workspace);
    let page: { pageSize?: number; offset: number } = { offset: 0 };
    let params: Record<string, unknown>;
    if (route.method === 'GET') {
      const q = { ...(req.query as Record<string, string | string[]>) };
      if (op.listField) page = pagination(q);
      params = parseParams(op.params, q as RawInput) as Record<string, unknown>;
    } else if (op.upload && typeof req.body === 'string') {
      // an upload sent as text/csv: the file is the body, the other parameters are in the query
      const q = { ...(req.query as Record<string, string | string[]>) };
      const textKey = Object.values(op.fileInputs ?? {})[0];
      if (!textKey)
        throw new TouchpointError('internal', `${op.area} ${op.verb}: an upload needs a fileInputs entry`);
      params = parseParams(op.params, { ...q, [textKey]: req.body } as RawInput) as Record<string, unknown>;
    } else params = validate(op.params, strictBody(op, req.body)) as Record<string, unknown>;
    // a server writes no file: the caller gets the content in the result
    for (const pathKey of Object.keys(op.fileOutputs ?? {}))
      if (params[pathKey] !== undefined)
        throw new TouchpointError('invalid_input', `${pathKey}: the server writes no file; read the result`, {
          details: [{ field: pathKey, message: 'the server writes no file; read the result' }],
        });
    // a server reads no file by path: the caller sends the text
    for (const [pathKey, textKey] of Object.entries(op.fileInputs ?? {}))
      if (params[pathKey] !== undefined)
        throw new TouchpointError(
          'invalid_input',
          `${pathKey}: the server reads no file by path; send its content as ${textKey}`,
          { details: [{ field: pathKey, message: `send the content as ${textKey}` }] },
        );
    if (op.database === 'server')
      params = boundWorkspace(op, params, route.workspace ? g.workspace : undefined);
    const runCtx: OperationContext = {
      actor: actorOf(g.principal),
      log: (line) => req.log.info({ note: line }),
      caller: g.principal,
      workspace: route.workspace ? g.workspace : undefined,
      origin: { ip: req.ip, requestId: req.id },
    };
    const result = (
      !ws
        ? await op.run(ctx.state.db, params, runCtx) // the accounts verbs queue their own statements
        : op.mode === 'read'
          ? op.cache
            ? // a function of the data: kept until the next write to the workspace (result-cache.ts)
              await ctx.results.get(g.workspace, ws.generation, { op, params }, () =>
                ws.read((db) => op.run(db, params, runCtx)),
              )
            : await ws.read((db) => op.run(db, params, runCtx))
          : await ws.write((db) => op.run(db, params, runCtx))
    ) as Record<string, unknown>;
    // verbs on the server database record their own, more precise, audit entries
    if (route.permission === 'admin' && ws)
      await ctx.audit(req, g, `op.${op.area}.${op.verb}`, null, { params });
    const list = op.listField ? (result?.[op.listField] as unknown[] | undefined) : undefined;
    let body: unknown = result;
    if (list && Array.isArray(list)) {
      reply.header('x-total-count', String(list.length));
      const { pageSize, offset } = page;
      if (pageSize !== undefined) {
        body = { ...result, [op.listField!]: list.slice(offset, offset + pageSize) };
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

/**
 * A verb on the server database that takes a `workspace` works on the workspace the request is
 * bound to (the key's, or the one the guard checked): naming another one is refused, not obeyed.
 */
function boundWorkspace(
  op: AnyOperation,
  params: Record<string, unknown>,
  workspace: string | undefined,
): Record<string, unknown> {
  if (!Object.hasOwn(op.params.shape, 'workspace')) return params;
  if (params.workspace !== undefined && params.workspace !== workspace)
    throw new TouchpointError(
      'forbidden',
      `workspace: this request is bound to workspace ${workspace ?? '(none)'}; choose another with X-Touchpoint-Workspace`,
      { details: [{ field: 'workspace', message: `this request is bound to ${workspace ?? '(none)'}` }] },
    );
  return { ...params, workspace };
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

const wantsCsv = (req: FastifyRequest): boolean => (req.headers.accept ?? '').includes('text/csv');
