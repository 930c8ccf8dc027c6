import { z } from 'zod';
import { helpdeskRecords } from '../cases/index.js';
import { validate } from '../core/params.js';
import { settleUnknownFields, UNKNOWN_FIELDS } from '../ingest/index.js';
import { recordsOf } from './body.js';
import type { Handler, ServerContext } from './context.js';
import { INGEST_KINDS } from './routes.js';

const IngestQuery = z.strictObject({
  unknownFields: z
    .enum(UNKNOWN_FIELDS)
    .default('strict')
    .describe(
      'strict: a record with a field its kind does not have is refused; lenient: kept in properties/attributes, or dropped',
    ),
});

/** The batch ingest routes (one per kind) and the helpdesk webhook. */
export function ingestHandlers(ctx: ServerContext): Record<string, Handler> {
  const { workspaces } = ctx;
  const out: Record<string, Handler> = {};
  for (const kind of INGEST_KINDS)
    out[`ingest.${kind}`] = async (req, _reply, g) => {
      const { unknownFields } = validate(IngestQuery, req.query ?? {});
      const given = recordsOf(req.body, req.headers['content-type']);
      // lenient: unknown fields go into the kind's JSON column (or are dropped), counted, before the
      // batch joins the group commit; strict (the default): the import refuses them, naming each
      const settled = unknownFields === 'lenient' ? settleUnknownFields(kind, given) : undefined;
      const ws = await workspaces.get(g.workspace);
      const report = await ws.ingest(kind, settled?.records ?? given, `api:${g.principal?.name ?? '?'}`);
      return { committed: true, ...report, unknownFields: settled?.report ?? { mode: 'strict' } };
    };
  out['ingest.helpdesk'] = async (req, _reply, g) => {
    // the cases capability maps ticket changes (the same mapping as `touchpoint cases helpdesk-events`)
    const records = helpdeskRecords(recordsOf(req.body, req.headers['content-type']));
    const ws = await workspaces.get(g.workspace);
    // one transaction (through the workspace's group commit): an invalid event leaves no case behind
    const [caseReport, eventReport] = await ws.ingestAll(
      [
        { kind: 'cases', records: records.cases },
        { kind: 'case-events', records: records.caseEvents },
      ],
      `webhook:${g.principal?.name ?? '?'}`,
    );
    return { committed: true, cases: caseReport, caseEvents: eventReport };
  };
  return out;
}
