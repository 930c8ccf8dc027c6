import { readVersion, type SqlFragment, type Store, sql } from '../store/index.js';
import { PERSON } from './journey.js';

/**
 * The person-ordered event index (table `journey_index`, migration 20): every event with its person
 * key `pk`, its place in the person's timeline (`rn` among all their events, `rn_in` among inbound
 * ones) and the person's next event (any direction: `next_*`; inbound only: `in_next_*`, with its own
 * `stage`), stored in
 * person order. A person's timeline is ordered by (ts, touchpoint, id): ties break by touchpoint name.
 *
 * Why: ordering every person's events is the one expensive step of path and pain-point analysis
 * (a sort of every event, ≈ 3–5 s at 10M events on two cores). The index pays it once per change of
 * the data, not once per question. It is derived: rebuilt, all of it, the first time an analysis
 * needs it after the events version moved (`bumpVersion(tx, 'events')` in every writer) or the
 * event count changed. Frames need no rebuild: with events sorted by time, the next event inside a
 * frame is the next event if it is inside the frame, else there is none.
 *
 * A read-only store cannot write the table: analyses then read the same SQL as a subquery (slower,
 * same figures).
 */

const BUILD_SQL = sql`
  WITH s AS (
    SELECT ${PERSON} AS pk, customer_id, id, ts, touchpoint, channel, stage, outcome,
      direction = 'inbound' AS inbound
    FROM events
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

const COLUMNS = sql`pk, customer_id, ts, touchpoint, channel, stage, outcome, inbound, rn, rn_in,
  next_ts, next_touchpoint, next_channel, in_next_ts, in_next_touchpoint, in_next_channel, in_next_stage`;

interface Built {
  readonly version: number;
  readonly events: number;
}

/** One build at a time per store: concurrent analyses wait for the same build. */
const building = new WeakMap<Store, Promise<SqlFragment>>();

/** What the index was built from, as recorded beside it. */
async function builtFrom(db: Store): Promise<Built | null> {
  const row = await db.one<{ v: string | null }>(
    sql`SELECT value::VARCHAR AS v FROM meta WHERE key = 'journey_index'`,
  );
  return row?.v ? (JSON.parse(row.v) as Built) : null;
}

async function current(db: Store): Promise<Built> {
  const n = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`);
  return { version: await readVersion(db, 'events'), events: n?.n ?? 0 };
}

async function isReadOnly(db: Store): Promise<boolean> {
  const row = await db.one<{ m: string }>(sql`SELECT current_setting('access_mode') AS m`);
  return row?.m === 'read_only';
}

/** Rebuilds the index from the events as they are now, in one transaction. */
export async function rebuildPersonIndex(db: Store): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now();
  const rows = await db.transaction(async (tx) => {
    const now = await current(tx);
    await tx.exec(sql`DELETE FROM journey_index`);
    await tx.exec(sql`INSERT INTO journey_index (${COLUMNS})
      SELECT ${COLUMNS} FROM (${BUILD_SQL}) ORDER BY pk, rn`);
    await tx.exec(sql`INSERT OR REPLACE INTO meta (key, value, updated_at)
      VALUES ('journey_index', ${JSON.stringify(now)}::JSON, current_timestamp::TIMESTAMP)`);
    return now.events;
  });
  return { rows, ms: performance.now() - t0 };
}

/**
 * The index as a relation to select from: the table, rebuilt first when the events changed since it
 * was built; on a read-only store, the same rows computed inline.
 */
export async function personIndex(db: Store): Promise<SqlFragment> {
  const pending = building.get(db);
  if (pending) return pending;
  const task = (async () => {
    const [built, now] = [await builtFrom(db), await current(db)];
    if (built && built.version === now.version && built.events === now.events) return sql`journey_index`;
    if (await isReadOnly(db)) return sql`(${BUILD_SQL})`;
    await rebuildPersonIndex(db);
    return sql`journey_index`;
  })();
  building.set(db, task);
  try {
    return await task;
  } finally {
    building.delete(db);
  }
}
