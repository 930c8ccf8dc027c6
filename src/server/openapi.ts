import { z } from 'zod';
import { describeFields } from '../core/params.js';
import { INGEST_BODY_LIMIT, MAX_BATCH_RECORDS } from './body.js';
import type { RouteSpec } from './routes.js';

type Json = Record<string, unknown>;

const jsonSchema = (s: z.ZodType): Json => {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
};

const ERROR: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        requestId: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              field: { type: 'string' },
              line: { type: 'integer' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

const errors = (codes: readonly number[]): Json =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: ERROR_TEXT[c] ?? 'error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid input; `details` name the fields',
  401: 'no or bad credentials',
  403: 'not allowed for this role, key scope or workspace',
  404: 'not found',
  409: 'conflicts with stored state',
  413: 'body too large',
  429: 'rate limited',
};

/** The OpenAPI 3.1 document, generated from the route table and the operations' zod schemas. */
export function openApiDocument(
  routes: readonly RouteSpec[],
  recordSchemas: Record<string, Json> | undefined,
  version: string,
): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const op: Json = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.op ? r.op.area : r.kind],
      'x-permission': r.permission,
      ...(r.aliasOf ? { deprecated: true, description: `The earlier path of ${r.aliasOf}.` } : {}),
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    };
    if (r.permission !== 'public') op.security = [{ apiKey: [] }, { session: [] }];
    const params: Json[] = [];
    if (r.workspace)
      params.push({
        name: 'X-Touchpoint-Workspace',
        in: 'header',
        required: false,
        description: 'workspace for a signed-in user (default: default); a key is bound to its own',
        schema: { type: 'string' },
      });
    if (r.op && r.method === 'GET') {
      for (const f of describeFields(r.op.params)) {
        params.push({
          name: f.name,
          in: 'query',
          required: !f.optional,
          ...(f.description ? { description: f.description } : {}),
          schema: jsonSchema(r.op.params.shape[f.name] as z.ZodType),
          ...(f.kind === 'array' ? { style: 'form', explode: true } : {}),
        });
      }
      if (r.op.listField) {
        params.push(
          {
            name: 'pageSize',
            in: 'query',
            required: false,
            description: `page the \`${r.op.listField}\` list`,
            schema: { type: 'integer', minimum: 1, maximum: 10000 },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            description: 'the `next` cursor of the previous page (Link header)',
            schema: { type: 'string' },
          },
        );
        (op.responses as Json)['200'] = {
          description: `OK. With pageSize, the \`${r.op.listField}\` list is one page; X-Total-Count and Link rel="next" tell the rest. Accept: text/csv returns the list as CSV.`,
          content: {
            'application/json': { schema: { type: 'object' } },
            'text/csv': { schema: { type: 'string' } },
          },
        };
      }
    }
    if (r.op && r.method === 'POST')
      op.requestBody = {
        required: false,
        content: { 'application/json': { schema: jsonSchema(r.op.params) } },
      };
    if (r.kind === 'ingest') {
      const kind = r.path.split('/').pop()!;
      const item = recordSchemas?.[kind] ?? { type: 'object' };
      op.description = `Up to ${MAX_BATCH_RECORDS} records and ${INGEST_BODY_LIMIT / 1024 / 1024} MiB per request. Answered after the batch is committed.`;
      if (recordSchemas?.[kind])
        params.push({
          name: 'unknownFields',
          in: 'query',
          required: false,
          description:
            'strict (default): a record with a field its kind does not have is refused (400 naming the record and field) and nothing of the batch is stored; lenient: such fields are kept in the JSON column (properties / attributes) or dropped, and the answer counts them (`unknownFields`)',
          schema: { type: 'string', enum: ['strict', 'lenient'], default: 'strict' },
        });
      op.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { type: 'array', items: item },
                { type: 'object', properties: { records: { type: 'array', items: item } } },
              ],
            },
          },
          'application/x-ndjson': { schema: { type: 'string', description: 'one JSON record per line' } },
        },
      };
    }
    if (params.length > 0) op.parameters = params;
    op.responses = {
      ...(op.responses as Json),
      ...errors(r.permission === 'public' ? [400, 429] : [400, 401, 403, 404, 409, 413, 429]),
    };
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Touchpoint API',
      version,
      description:
        'Every analysis of the CLI at `GET|POST /api/v1/<area>/<verb>` with the same parameters, plus ingest, admin and public survey endpoints. Authenticate with `Authorization: Bearer tp_…` (an API key bound to one workspace) or a session cookie plus `X-CSRF-Token` on POST.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: ERROR },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'an API key tp_<keyId>_<secret>' },
        session: { type: 'apiKey', in: 'cookie', name: 'tp_session' },
      },
    },
    paths,
  };
}
