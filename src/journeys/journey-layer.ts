import { createHash } from 'node:crypto';
import { isReadOnly, join, readMeta, type SqlFragment, type Store, sql, writeMeta } from '../store/index.js';
import type { JourneyDef } from './journey.js';
import { indexGeneration, personIndex } from './person-index.js';

/**
 * The journey layer (table `journey_layer`, migration 20): for one journey, every inbound journey
 * event with what the map, pain points and moments would otherwise recompute per question by
 * windows over every event:
 * - `position` (the stage's place in the journey), `next_position` / `next_journey_ts` /
 *   `prev_journey_ts` (the person's next and previous journey event), `next_any_*` (their next inbound
 *   contact, on the journey or not, with its position);
 * - `reach`: the furthest stage reached by the event's time, events at the same instant included;
 * - `next_stage_ts`: the first event in the next stage at or after the event's time;
 * - `first_at_touchpoint`, `first_in_cell`: the event opens the person's touchpoint, or their
 *   (stage, touchpoint, channel) cell, in the journey.
 * Figures over a period re-check the stored next events against as-of (a next event after as-of is
 * no next event), exactly as the person index does.
 *
 * It is derived from the person index and refreshed the same way: the people the index redid since
 * the layer's last refresh (journey_index_people.gen) are redone, everyone when the journey's
 * definition changed or more than a fifth of the people did.
 */

const FULL_SHARE = 0.2;

/** A fingerprint of the journey's definition: stages in order and the touchpoint mapping. */
function definitionOf(j: JourneyDef): string {
  return createHash('sha256')
    .update(JSON.stringify([j.stages, Object.entries(j.touchpointStage).sort()]))
    .digest('hex');
}

/** The layer's rows for journey `j` from the index relation `idx`, for everyone or for the pks in `only`. */
function layerSql(j: JourneyDef, idx: SqlFragment, only?: SqlFragment): SqlFragment {
  const k = j.stages.length;
  const nextStage =
    k < 2
      ? sql`NULL::TIMESTAMP`
      : sql`CASE position ${join(
          Array.from(
            { length: k - 1 },
            (_, i) => sql`WHEN ${i + 1} THEN min(CASE WHEN position = ${i + 2} THEN ts END) OVER r`,
          ),
          sql` `,
        )} END`;
  return sql`
    WITH js AS (
      SELECT stage, (row_number() OVER (ORDER BY position, stage))::INTEGER AS position
      FROM journey_stages WHERE journey_id = ${j.id}
    ),
    ev AS (
      SELECT x.pk, x.customer_id, x.rn_in, x.ts, x.touchpoint, x.channel, js.stage, js.position, x.outcome,
        x.in_next_ts AS next_any_ts, x.in_next_channel AS next_any_channel,
        x.in_next_touchpoint AS next_any_touchpoint, njs.position AS next_any_position
      FROM ${idx} x
      LEFT JOIN journey_touchpoints jt ON jt.journey_id = ${j.id} AND jt.touchpoint = x.touchpoint
      JOIN js ON js.stage = coalesce(jt.stage, x.stage)
      LEFT JOIN journey_touchpoints njt ON njt.journey_id = ${j.id} AND njt.touchpoint = x.in_next_touchpoint
      LEFT JOIN js njs ON njs.stage = coalesce(njt.stage, x.in_next_stage)
      WHERE x.inbound ${only ? sql`AND x.pk IN (SELECT pk FROM ${only})` : sql``}
    )
    SELECT ${j.id} AS journey_id, pk, customer_id, rn_in, ts, touchpoint, channel, stage, position, outcome,
      next_any_ts, next_any_channel, next_any_touchpoint, next_any_position,
      lead(position) OVER w AS next_position, lead(ts) OVER w AS next_journey_ts, lag(ts) OVER w AS prev_journey_ts,
      max(position) OVER (PARTITION BY pk ORDER BY ts RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reach,
      ${nextStage} AS next_stage_ts,
      row_number() OVER (PARTITION BY pk, touchpoint ORDER BY rn_in) = 1 AS first_at_touchpoint,
      row_number() OVER (PARTITION BY pk, position, touchpoint, channel ORDER BY rn_in) = 1 AS first_in_cell
    FROM ev
    WINDOW w AS (PARTITION BY pk ORDER BY rn_in),
      r AS (PARTITION BY pk ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)`;
}

interface LayerState {
  readonly definition: string;
  readonly gen: number;
}

const refreshing = new WeakMap<Store, Promise<unknown>>();

const layerState = async (db: Store, journeyId: string) =>
  (await readMeta(db, `journey_layer:${journeyId}`)) as LayerState | null;

/** Brings journey `j`'s layer up to date with the person index, in one transaction. */
export async function refreshJourneyLayer(
  db: Store,
  j: JourneyDef,
  opts: { full?: boolean } = {},
): Promise<{ people: number; full: boolean; ms: number }> {
  const t0 = performance.now();
  const idx = await personIndex(db);
  const result = await db.transaction(async (tx) => {
    const gen = await indexGeneration(tx);
    const state = await layerState(tx, j.id);
    const definition = definitionOf(j);
    let full = opts.full === true || !state || state.definition !== definition;
    let people = 0;
    if (!full) {
      await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_layer_changed AS
        SELECT pk FROM journey_index_people WHERE gen > ${state!.gen}
        UNION SELECT DISTINCT pk FROM journey_layer WHERE journey_id = ${j.id}
          AND pk NOT IN (SELECT pk FROM journey_index_people)`);
      const c = await tx.one<{ changed: number; total: number }>(sql`
        SELECT (SELECT count(*) FROM _tp_layer_changed) AS changed,
          (SELECT count(*) FROM journey_index_people) AS total`);
      people = c?.changed ?? 0;
      full = people > FULL_SHARE * Math.max(c?.total ?? 0, 1);
      if (!full && people > 0) {
        await tx.exec(
          sql`DELETE FROM journey_layer WHERE journey_id = ${j.id} AND pk IN (SELECT pk FROM _tp_layer_changed)`,
        );
        await tx.exec(sql`INSERT INTO journey_layer
          SELECT * FROM (${layerSql(j, idx, sql`_tp_layer_changed`)}) ORDER BY pk, rn_in`);
      }
      await tx.exec(sql`DROP TABLE _tp_layer_changed`);
    }
    if (full) {
      await tx.exec(sql`DELETE FROM journey_layer WHERE journey_id = ${j.id}`);
      await tx.exec(sql`INSERT INTO journey_layer SELECT * FROM (${layerSql(j, idx)}) ORDER BY pk, rn_in`);
      const n = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM journey_index_people`);
      people = n?.n ?? 0;
    }
    await writeMeta(tx, `journey_layer:${j.id}`, { definition, gen } satisfies LayerState);
    return { people, full };
  });
  return { ...result, ms: performance.now() - t0 };
}

/**
 * Journey `j`'s layer as a relation to select from (columns of journey_layer), refreshed first when
 * the index or the journey's definition moved; on a read-only store, the same rows computed inline.
 */
export async function journeyLayer(db: Store, j: JourneyDef): Promise<SqlFragment> {
  const idx = await personIndex(db);
  const pending = refreshing.get(db);
  if (pending) await pending.catch(() => {});
  const state = await layerState(db, j.id);
  const fresh = state && state.definition === definitionOf(j) && state.gen === (await indexGeneration(db));
  if (fresh) return sql`(SELECT * FROM journey_layer WHERE journey_id = ${j.id})`;
  if (await isReadOnly(db)) return sql`(${layerSql(j, idx)})`;
  const task = refreshJourneyLayer(db, j);
  refreshing.set(db, task);
  try {
    await task;
  } finally {
    refreshing.delete(db);
  }
  return sql`(SELECT * FROM journey_layer WHERE journey_id = ${j.id})`;
}
