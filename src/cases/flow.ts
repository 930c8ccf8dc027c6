import { z } from 'zod';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { caseMetricsCtes, caseWindow } from './case-metrics.js';
import { pct, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

export const FlowParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  paths: z.number().int().min(1).max(1000).default(10).describe('how many of the most common case paths'),
});
export type FlowParams = z.output<typeof FlowParams>;

export interface FlowNode {
  readonly id: string;
  readonly name: string;
  readonly tier: number | null;
  /** Cases that passed through the team. */
  readonly cases: number;
  readonly transfersIn: number;
  readonly transfersOut: number;
}

export interface FlowLink {
  readonly source: string;
  readonly target: string;
  /** Team handoffs from source to target. */
  readonly transfers: number;
  readonly cases: number;
  /** Of those, returns to a team the case had left (ping-pong). */
  readonly returns: number;
  /** Median hours from the transfer to the next event of the case (time lost), timed transfers only. */
  readonly medianHours: number | null;
}

export interface FlowPath {
  readonly path: readonly string[];
  readonly cases: number;
  readonly share: number | null;
  /** Median hours from opening to the last closure, closed cases of the path. */
  readonly medianResolutionHours: number | null;
  readonly reopenRate: number | null;
}

export interface FlowResult {
  readonly cases: number;
  readonly nodes: readonly FlowNode[];
  readonly links: readonly FlowLink[];
  readonly paths: readonly FlowPath[];
}

/**
 * The process view: the team-to-team transfer graph (nodes and links, fit for a Sankey or force
 * diagram; cycles are kept, since ping-pong is the point) and the most common case paths (the
 * ordered chain of teams, a self-transfer adds nothing to a path).
 */
export async function getFlow(db: Store, params: FlowParams): Promise<FlowResult> {
  const o = await caseMetricsFor(db, {
    ...(await caseWindow(db, params)),
  });
  const ctes = caseMetricsCtes(o);
  const links = await db.all<{
    source: string;
    target: string;
    transfers: number;
    cases: number;
    returns: number;
    median_hours: number | null;
  }>(sql`WITH ${ctes}
    SELECT prev_team AS source, team AS target, count(*) AS transfers, count(DISTINCT case_id) AS cases,
      count(*) FILTER (WHERE is_return) AS returns,
      median((epoch(next_ts) - epoch(ts)) / 3600.0) FILTER (WHERE next_ts IS NOT NULL) AS median_hours
    FROM asg WHERE team_change GROUP BY 1, 2 ORDER BY transfers DESC, source, target`);
  const nodes = await db.all<{
    id: string;
    name: string | null;
    tier: number | null;
    cases: number;
    transfers_in: number;
    transfers_out: number;
  }>(sql`WITH ${ctes},
    touched AS (SELECT team, count(DISTINCT case_id) AS cases FROM asg GROUP BY team),
    tin AS (SELECT team, count(*) AS n FROM asg WHERE team_change GROUP BY team),
    tout AS (SELECT prev_team AS team, count(*) AS n FROM asg WHERE team_change GROUP BY prev_team)
    SELECT t.team AS id, tm.name, tm.tier, t.cases, coalesce(tin.n, 0) AS transfers_in, coalesce(tout.n, 0) AS transfers_out
    FROM touched t LEFT JOIN teams tm ON tm.id = t.team LEFT JOIN tin ON tin.team = t.team
    LEFT JOIN tout ON tout.team = t.team ORDER BY t.cases DESC, id`);
  const paths = await db.all<{
    path: string[];
    cases: number;
    total: number;
    median_res: number | null;
    reopen_rate: number | null;
  }>(sql`WITH ${ctes}
    SELECT team_chain AS path, count(*) AS cases, sum(count(*)) OVER () AS total,
      median((epoch(closed_at) - epoch(opened_at)) / 3600.0) FILTER (WHERE is_closed) AS median_res,
      avg((reopens > 0)::INT) FILTER (WHERE resolutions > 0 OR reopens > 0) AS reopen_rate
    FROM case_metrics2 WHERE len(team_chain) > 0 GROUP BY 1 ORDER BY cases DESC, path::VARCHAR
    LIMIT ${params.paths}`);
  const total = await db.one<{ n: number }>(sql`WITH ${ctes} SELECT count(*) AS n FROM cs`);
  return {
    cases: total?.n ?? 0,
    nodes: nodes.map((n) => ({
      id: n.id,
      name: n.name ?? n.id,
      tier: n.tier,
      cases: n.cases,
      transfersIn: n.transfers_in,
      transfersOut: n.transfers_out,
    })),
    links: links.map((l) => ({
      source: l.source,
      target: l.target,
      transfers: l.transfers,
      cases: l.cases,
      returns: l.returns,
      medianHours: round(l.median_hours, 2),
    })),
    paths: paths.map((p) => ({
      path: p.path,
      cases: p.cases,
      share: round(p.cases / (total?.n || 1)),
      medianResolutionHours: round(p.median_res, 2),
      reopenRate: round(p.reopen_rate),
    })),
  };
}

export const flowOperation = defineOperation({
  area: 'cases',
  verb: 'flow',
  summary: 'Team-to-team transfer graph (counts, median delays) and the most common case paths',
  params: FlowParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getFlow(db, params),
  present: (r): Section[] => [
    {
      title: `Transfers between teams (${r.cases} cases)`,
      rows: r.links.map((l) => ({
        from: l.source,
        to: l.target,
        transfers: l.transfers,
        returns: l.returns,
        'median h to next action': l.medianHours,
      })),
    },
    {
      title: 'Most common case paths',
      rows: r.paths.map((p) => ({
        path: p.path.join(' → '),
        cases: p.cases,
        share: pct(p.share),
        'median h to resolve': p.medianResolutionHours,
        reopened: pct(p.reopenRate),
      })),
    },
  ],
});
