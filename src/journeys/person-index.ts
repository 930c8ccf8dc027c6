import {
  isReadOnly,
  type Running,
  readMeta,
  readVersion,
  type SqlFragment,
  type Store,
  sharedPerDatabase,
  sql,
  writeMeta,
} from '../store/index.js';
import { PERSON } from './journey.js';

/**
 * The person-ordered event index (table `journey_index`, migration 20): every event with its person
 * key `pk`, its place in the person's timeline (`rn` among all their events, `rn_in` among inbound
 * ones) and the person's next event (any direction: `next_*`; inbound only: `in_next_*`, with its
 * own `stage`), stored in person order. A person's timeline is ordered by (ts, touchpoint, id): ties
 * break by touchpoint name.
 *
 * Why: ordering every person's events is the one expensive step of paths, the check, pain points and
 * moments
 * (a sort of every event, ≈ 3–5 s at 10M events on two cores). The index pays it once per change of
 * the data, not once per question. It is derived, and brought up to date the first time an analysis
 * needs it after the events version moved (the store bumps it on every write to `events`) or the event
 * count changed: a checksum of each person's events (`journey_index_people`) finds the people whose
 * events changed, whatever wrote them, and only their timelines are redone; when more than a fifth of
 * the people changed, the whole index is rebuilt in person order. Frames need no rebuild: with events
 * sorted by time, the next event inside a frame is the next event if it is inside the frame, else
 * there is none.
 *
 * A read-only store cannot write the table: analyses then read the same SQL as a subquery (slower,
 * same figures).
 */

/** The index rows of every person, or only of the people listed in `only` (a relation of pk). */
const buildSql = (only?: SqlFragment): SqlFragment => sql`
  WITH s AS (
    SELECT ${PERSON} AS pk, customer_id, id, ts, touchpoint, channel, stage, outcome,
      direction = 'inbound' AS inbound
    FROM events
    ${only ? sql`WHERE ${PERSON} IN (SELECT pk FROM ${only})` : sql``}
  )
  SELECT pk, customer_id, ts, touchpoint, channel, stage, outcome, inbound,
    row_number() OVER w AS rn,
    CASE WHEN inbound THEN sum(inbound::INTEGER) OVER (w ROWS UNBOUNDED PRECEDING) END AS rn_in,
    lead(ts) OVER w AS next_ts, lead(touchpoint) OVER w AS next_touchpoint,
    lead(channel) OVER w AS next_channel,
    CASE WHEN inbound THEN lead(CASE WHEN inbound THEN ts END IGNORE NULLS) OVER w END AS in_next_ts,
    CASE WHEN inbound THEN lead(CASE WHEN inbound THEN touchpoint END IGNORE NULLS) OVER w END AS in_next_touchpoint,
    CASE WHEN inbound THEN lead(CASE WHEN inbound THEN channel END IGNORE NULLS) OVER w END AS in_next_channel,
    CASE WHEN inbound THEN lead(CASE WHEN inbound THEN {s: stage} END IGNORE NULLS) OVER w END.s AS in_next_stage
  FROM s
  WINDOW w AS (PARTITION BY pk ORDER BY ts, touchpoint, id)`;

/** Per person: how many events, and a checksum of everything the index is computed from. */
const PEOPLE_SQL = sql`
  SELECT ${PERSON} AS pk, count(*)::INTEGER AS n,
    sum(hash(id, customer_id, anonymous_id, ts, touchpoint, channel, stage, outcome, direction))::HUGEINT AS h
  FROM events GROUP BY ALL`;

/** Above this share of people changed, a whole rebuild (in person order) beats redoing them one by one. */
const FULL_REBUILD_SHARE = 0.2;

const COLUMNS = sql`pk, customer_id, ts, touchpoint, channel, stage, outcome, inbound, rn, rn_in,
  next_ts, next_touchpoint, next_channel, in_next_ts, in_next_touchpoint, in_next_channel, in_next_stage`;

interface Built {
  readonly version: number;
  readonly events: number;
  /** Counts refreshes that redid anyone; people redone by this one carry it in journey_index_people.gen. */
  readonly gen?: number;
}

/** One build at a time per store: concurrent analyses wait for the same build. */
const building: Running<SqlFragment> = new WeakMap();

/** What the index was built from, as recorded beside it. */
const builtFrom = async (db: Store) => (await readMeta(db, 'journey_index')) as Built | null;

/** The generation of the index's last refresh that redid anyone (0 before the first). */
export const indexGeneration = async (db: Store): Promise<number> => (await builtFrom(db))?.gen ?? 0;

async function current(db: Store): Promise<Built> {
  const n = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`);
  return { version: await readVersion(db, 'events'), events: n?.n ?? 0 };
}

export interface IndexRefresh {
  /** Events in the index after the refresh. */
  readonly rows: number;
  /** People whose timelines were redone (all of them on a full rebuild). */
  readonly people: number;
  readonly full: boolean;
  readonly ms: number;
}

/**
 * Brings the index up to date with the events as they are now, in one transaction: redoes the people
 * whose events changed, or everything when `full` or when many changed.
 */
export async function refreshPersonIndex(db: Store, opts: { full?: boolean } = {}): Promise<IndexRefresh> {
  const t0 = performance.now();
  const done = await db.transaction(async (tx) => {
    const now = await current(tx);
    const gen = (await indexGeneration(tx)) + 1;
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_people AS ${PEOPLE_SQL}`);
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_changed AS
      SELECT pk FROM _tp_people p FULL OUTER JOIN journey_index_people q USING (pk)
      WHERE p.n IS DISTINCT FROM q.n OR p.h IS DISTINCT FROM q.h`);
    const counts = await tx.one<{ changed: number; people: number; indexed: number }>(sql`
      SELECT (SELECT count(*) FROM _tp_changed) AS changed, (SELECT count(*) FROM _tp_people) AS people,
        (SELECT count(*) FROM journey_index_people) AS indexed`);
    const changed = counts?.changed ?? 0;
    const full =
      opts.full === true ||
      (counts?.indexed ?? 0) === 0 ||
      changed > FULL_REBUILD_SHARE * Math.max(counts?.people ?? 0, 1);
    if (full) {
      await tx.exec(sql`DELETE FROM journey_index`);
      await tx.exec(sql`INSERT INTO journey_index (${COLUMNS})
        SELECT ${COLUMNS} FROM (${buildSql()}) ORDER BY pk, rn`);
      await tx.exec(sql`DELETE FROM journey_index_people`);
      await tx.exec(sql`INSERT INTO journey_index_people SELECT pk, n, h, ${gen} FROM _tp_people`);
    } else if (changed > 0) {
      await tx.exec(sql`DELETE FROM journey_index WHERE pk IN (SELECT pk FROM _tp_changed)`);
      await tx.exec(sql`INSERT INTO journey_index (${COLUMNS})
        SELECT ${COLUMNS} FROM (${buildSql(sql`_tp_changed`)}) ORDER BY pk, rn`);
      await tx.exec(sql`DELETE FROM journey_index_people WHERE pk IN (SELECT pk FROM _tp_changed)`);
      await tx.exec(sql`INSERT INTO journey_index_people
        SELECT pk, n, h, ${gen} FROM _tp_people WHERE pk IN (SELECT pk FROM _tp_changed)`);
    }
    await writeMeta(tx, 'journey_index', { ...now, gen: full || changed > 0 ? gen : gen - 1 });
    await tx.exec(sql`DROP TABLE _tp_people`);
    await tx.exec(sql`DROP TABLE _tp_changed`);
    return { rows: now.events, people: full ? (counts?.people ?? 0) : changed, full };
  });
  return { ...done, ms: performance.now() - t0 };
}

/**
 * The index as a relation to select from: the table, rebuilt first when the events changed since it
 * was built; on a read-only store, the same rows computed inline.
 */
export function personIndex(db: Store): Promise<SqlFragment> {
  return sharedPerDatabase(
    building,
    db,
    async () => {
      const [built, now] = [await builtFrom(db), await current(db)];
      if (built && built.version === now.version && built.events === now.events) return sql`journey_index`;
      if (await isReadOnly(db)) return sql`(${buildSql()})`;
      await refreshPersonIndex(db);
      return sql`journey_index`;
    },
    // another connection is rebuilding it: the same rows, computed inline in this snapshot
    () => sql`(${buildSql()})`,
  );
}
