import { recordsOf } from './body.js';
import type { Handler, ServerContext } from './context.js';
import { helpdeskChange } from './helpdesk.js';
import { INGEST_KINDS } from './routes.js';

/** The batch ingest routes (one per kind) and the helpdesk webhook. */
export function ingestHandlers(ctx: ServerContext): Record<string, Handler> {
  const { workspaces } = ctx;
  const out: Record<string, Handler> = {};
  for (const kind of INGEST_KINDS)
    out[`ingest.${kind}`] = async (req, _reply, g) => {
      const records = recordsOf(req.body, req.headers['content-type']);
      const ws = await workspaces.get(g.workspace);
      const report = await ws.ingest(kind, records, `api:${g.principal?.name ?? '?'}`);
      return { committed: true, ...report };
    };
  out['ingest.helpdesk'] = async (req, _reply, g) => {
    const changes = recordsOf(req.body, req.headers['content-type']).map((c, i) => helpdeskChange(c, i));
    const ws = await workspaces.get(g.workspace);
    const source = `webhook:${g.principal?.name ?? '?'}`;
    // latest state per ticket in this call
    const cases = new Map<string, Record<string, unknown>>();
    for (const c of changes) {
      const id = String(c.case.id);
      cases.set(id, { ...(cases.get(id) ?? {}), ...c.case });
    }
    // one transaction: an invalid event leaves no case behind either
    const [caseReport, eventReport] = await ws.ingestAll(
      [
        { kind: 'cases', records: [...cases.values()] },
        { kind: 'case-events', records: changes.map((c) => c.event) },
      ],
      source,
    );
    return { committed: true, cases: caseReport, caseEvents: eventReport };
  };
  return out;
}
