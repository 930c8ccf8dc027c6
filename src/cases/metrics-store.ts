import {
  isReadOnly,
  type Running,
  readMeta,
  readVersion,
  type Store,
  sharedPerDatabase,
  sql,
  writeMeta,
} from '../store/index.js';
import {
  type CaseMetricsOptions,
  caseMetricsCtes,
  DEFAULT_ACCESS_PATTERN,
  DEFAULT_APPROVAL_PATTERN,
} from './case-metrics.js';

/**
 * The stored per-case metrics (docs/cases.md, "Stored metrics"): `case_metrics_store` holds one row
 * of `case_metrics2` per case (default patterns, no as-of instant), `case_metrics_keys` a checksum of
 * each case's row and events as they were when its metrics were computed. Every writer of cases,
 * case events or teams bumps the `cases` data version; row counts and the teams' tiers catch a
 * writer that did not. A refresh redoes only the cases whose checksum moved, or everything when the
 * teams changed (tiers decide escalations) or when more than a fifth of the cases did.
 */
const STATE_KEY = 'case_metrics_store';
const FULL_REBUILD_SHARE = 0.2;

interface Inputs {
  readonly version: number;
  readonly cases: number;
  readonly events: number;
  readonly teams: string;
}

async function inputs(db: Store): Promise<Inputs> {
  const r = await db.one<{ cases: number; events: number; teams: string | null }>(sql`SELECT
    (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events,
    (SELECT CAST(bit_xor(hash(id, tier)) AS VARCHAR) || '/' || count(*) FROM teams) AS teams`);
  return {
    version: await readVersion(db, 'cases'),
    cases: r?.cases ?? 0,
    events: r?.events ?? 0,
    teams: r?.teams ?? '',
  };
}

const same = (a: Inputs | null, b: Inputs): boolean =>
  a !== null &&
  a.version === b.version &&
  a.cases === b.cases &&
  a.events === b.events &&
  a.teams === b.teams;

/** Each case's checksum: its row and its events (ids are unique, so XOR of row hashes is order-free). */
const KEYS_SQL = sql`SELECT c.id AS case_id,
    hash(c.customer_id, c.opened_at, c.closed_at, c.channel, c.reason, c.product, e.h, e.n) AS h
  FROM cases c LEFT JOIN (
    SELECT case_id, bit_xor(hash(id, ts, seq, type, team, agent, transfer_reason, promised_at)) AS h, count(*) AS n
    FROM case_events GROUP BY case_id
  ) e ON e.case_id = c.id`;

const metricsOf = (o: CaseMetricsOptions) => sql`WITH ${caseMetricsCtes(o)} SELECT * FROM case_metrics2`;

export interface MetricsRefresh {
  /** Cases whose metrics were computed (all of them on a full rebuild). */
  readonly cases: number;
  readonly full: boolean;
  readonly ms: number;
}

/** Brings the stored metrics up to date, in one transaction (see the module comment). */
export async function rebuildCaseMetrics(db: Store, opts: { full?: boolean } = {}): Promise<MetricsRefresh> {
  const t0 = performance.now();
  const done = await db.transaction(async (tx) => {
    const now = await inputs(tx);
    const before = (await readMeta(tx, STATE_KEY)) as Inputs | null;
    const exists = await tx.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'case_metrics_keys' AND NOT temporary`,
    );
    let full = opts.full === true || before === null || before.teams !== now.teams || (exists?.n ?? 0) === 0;
    let changed = 0;
    if (!full) {
      await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_case_keys AS ${KEYS_SQL}`);
      await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_case_changed AS
        SELECT case_id FROM _tp_case_keys k FULL OUTER JOIN case_metrics_keys s USING (case_id)
        WHERE k.h IS DISTINCT FROM s.h`);
      changed = (await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM _tp_case_changed`))?.n ?? 0;
      full = changed > FULL_REBUILD_SHARE * Math.max(now.cases, 1);
      if (!full && changed > 0) {
        const only = sql`_tp_case_changed`;
        await tx.exec(sql`DELETE FROM case_metrics_store WHERE case_id IN (SELECT case_id FROM ${only})`);
        await tx.exec(sql`INSERT INTO case_metrics_store ${metricsOf({ only })}`);
        await tx.exec(sql`DELETE FROM case_metrics_keys WHERE case_id IN (SELECT case_id FROM ${only})`);
        await tx.exec(sql`INSERT INTO case_metrics_keys
          SELECT case_id, h FROM _tp_case_keys WHERE case_id IN (SELECT case_id FROM ${only})`);
      }
      await tx.exec(sql`DROP TABLE _tp_case_changed`);
      await tx.exec(sql`DROP TABLE _tp_case_keys`);
    }
    if (full) {
      await tx.exec(sql`CREATE OR REPLACE TABLE case_metrics_store AS ${metricsOf({})}`);
      await tx.exec(sql`CREATE OR REPLACE TABLE case_metrics_keys AS ${KEYS_SQL}`);
      changed = now.cases;
    }
    await writeMeta(tx, STATE_KEY, now);
    return { cases: changed, full };
  });
  return { ...done, ms: performance.now() - t0 };
}

const refreshing: Running<boolean> = new WeakMap();

/**
 * True when `case_metrics_store` serves (refreshed first when its inputs moved; callers on the same
 * connection share one refresh); false on a read-only store whose table is missing or stale, and
 * false while another connection refreshes it: that caller computes the metrics itself, right in its
 * own snapshot (`sharedPerDatabase`).
 */
export function refreshCaseMetrics(db: Store): Promise<boolean> {
  return sharedPerDatabase(
    refreshing,
    db,
    async () => {
      if (same((await readMeta(db, STATE_KEY)) as Inputs | null, await inputs(db))) return true;
      if (await isReadOnly(db)) return false;
      await rebuildCaseMetrics(db);
      return true;
    },
    () => false,
  );
}

/**
 * The options a cases analysis builds its SQL with: the stored metrics when they serve (no as-of
 * instant, the default access and approval patterns), brought up to date first; else computed.
 */
export async function caseMetricsFor(db: Store, o: CaseMetricsOptions): Promise<CaseMetricsOptions> {
  const defaults =
    (o.asOf ?? null) === null &&
    (o.accessPattern ?? DEFAULT_ACCESS_PATTERN) === DEFAULT_ACCESS_PATTERN &&
    (o.approvalPattern ?? DEFAULT_APPROVAL_PATTERN) === DEFAULT_APPROVAL_PATTERN;
  return { ...o, stored: defaults && (await refreshCaseMetrics(db)) };
}
