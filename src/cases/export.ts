import { z } from 'zod';
import { toCsv as csvText } from '../core/csv.js';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { caseMetricsCtes, caseWindow } from './case-metrics.js';
import { CSAT_FALLBACK_DAYS, csatLink, csatSource } from './communication.js';
import { caseMetricsFor } from './metrics-store.js';

export const ExportParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  fallbackDays: CSAT_FALLBACK_DAYS,
  out: z.string().optional().describe('write a CSV file here (command line only); JSON otherwise'),
  limit: z.number().int().min(1).optional().describe('at most this many cases (JSON)'),
});
export type ExportParams = z.output<typeof ExportParams>;

/** One row per case: the columns of the CSV, in order. */
export type CaseExportRow = {
  case_id: string;
  customer_id: string | null;
  reason: string | null;
  channel: string | null;
  product: string | null;
  opened_at: string;
  closed_at: string | null;
  status: 'open' | 'closed';
  /** Ordered chain of teams, e.g. `A > B > A`. */
  teams: string;
  /** Ordered chain of agents (consecutive repeats collapsed). */
  agents: string;
  team_handoffs: number;
  agent_reassignments: number;
  returns: number;
  reopens: number;
  resolutions: number;
  contacts: number;
  /** Hours in each team stint, in order, e.g. `A 2.5; B 20; A 1`. */
  time_in_teams: string;
  first_response_hours: number | null;
  resolution_hours: number | null;
  updates_sent: number;
  csat: number | null;
};

export const EXPORT_COLUMNS: readonly (keyof CaseExportRow)[] = [
  'case_id',
  'customer_id',
  'reason',
  'channel',
  'product',
  'opened_at',
  'closed_at',
  'status',
  'teams',
  'agents',
  'team_handoffs',
  'agent_reassignments',
  'returns',
  'reopens',
  'resolutions',
  'contacts',
  'time_in_teams',
  'first_response_hours',
  'resolution_hours',
  'updates_sent',
  'csat',
];

/**
 * One row per case with its handoff history. First response = first update sent after opening;
 * resolution time = opening to the final closure (a reopened case counts to its last closure); time
 * in a team runs from the assignment to the next team's assignment, or to the final closure (open
 * cases: to the as-of instant, or the latest event). CSAT: the case's first CSAT answer (by
 * feedback.case_id; only when no answer carries a case id, the customer's first CSAT within
 * `fallbackDays` after closure).
 */
export async function exportCases(db: Store, params: ExportParams): Promise<CaseExportRow[]> {
  const w = await caseWindow(db, params);
  const asOf = w.asOf;
  const o = await caseMetricsFor(db, w);
  const source = await csatSource(db);
  return db.all<CaseExportRow>(sql`WITH ${caseMetricsCtes(o)},
    link AS (${csatLink(source, params.fallbackDays, sql`case_metrics2`)}),
    x AS (
      SELECT m.*, CASE WHEN is_closed THEN closed_at ELSE coalesce(${asOf}::TIMESTAMP, last_event_ts, opened_at) END AS end_ts
      FROM case_metrics2 m
    )
    SELECT x.case_id, x.customer_id, nullif(x.reason, '(none)') AS reason, nullif(x.channel, '(none)') AS channel,
      nullif(x.product, '(none)') AS product, x.opened_at, x.closed_at,
      CASE WHEN x.is_closed THEN 'closed' ELSE 'open' END AS status,
      array_to_string(x.team_chain, ' > ') AS teams,
      array_to_string(list_filter(coalesce(x.agent_seq, []::VARCHAR[]), (a, i) -> i = 1 OR a <> x.agent_seq[i - 1]), ' > ') AS agents,
      x.team_handoffs, x.agent_reassignments, x.returns, x.reopens, x.resolutions, x.contacts,
      array_to_string(list_transform(x.team_chain, (t, i) -> t || ' ' ||
        round((epoch(coalesce(x.team_chain_ts[i + 1], x.end_ts)) - epoch(x.team_chain_ts[i])) / 3600.0, 2)::VARCHAR), '; ')
        AS time_in_teams,
      round((epoch(x.first_update_ts) - epoch(x.opened_at)) / 3600.0, 2) AS first_response_hours,
      round((epoch(x.closed_at) - epoch(x.opened_at)) / 3600.0, 2) AS resolution_hours,
      x.updates_sent, l.score AS csat
    FROM x LEFT JOIN link l ON l.case_id = x.case_id
    ORDER BY x.opened_at, x.case_id
    ${params.limit ? sql`LIMIT ${params.limit}` : sql``}`);
}

/** The export as CSV text: the export's columns in order, through the one CSV writer (src/core/csv.ts). */
export function toCsv(rows: readonly CaseExportRow[]): string {
  return csvText(rows as unknown as Record<string, unknown>[], EXPORT_COLUMNS);
}

export const exportOperation = defineOperation({
  area: 'cases',
  verb: 'export',
  summary: 'One row per case: chain of teams and agents, handoffs, time in each team, response times, CSAT',
  params: ExportParams,
  mode: 'read',
  listField: 'rows',
  // the CLI writes the CSV to --out; the operation only makes it
  fileOutputs: { out: 'csv' },
  run: async (db, params) => {
    const rows = await exportCases(db, params);
    if (params.out)
      return { file: params.out, cases: rows.length, rows: [] as CaseExportRow[], csv: toCsv(rows) };
    return { file: null, cases: rows.length, rows };
  },
  present: (r): Section[] =>
    r.file
      ? [{ text: `${r.cases} cases written to ${r.file}` }]
      : [{ title: `${r.cases} cases`, rows: r.rows, columns: EXPORT_COLUMNS }],
});
