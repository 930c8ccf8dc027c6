import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { resolveTimeFrame, type TimeFrameInput } from '../core/time.js';
import { raw, type SqlFragment, type Store, sql } from '../store/index.js';

/**
 * What every journey analysis shares: the person expression, the journey definition (ordered stages
 * and the touchpoint → stage mapping) and the time frame (from / to / as-of).
 */

/**
 * A person: the customer, or an anonymous visitor not yet stitched to one (identity stitching), as a
 * 64-bit key: the hash of `coalesce(customer_id, 'anon:' || anonymous_id)`. Analyses group, join and
 * sort people by it because an integer key is 2–4× cheaper than a string one at millions of events.
 * Two people share a key with probability about n²/2⁶⁵ (4·10⁻⁸ for a million people): far below any
 * figure's interval. Ids shown to users come from the string columns, never from the key.
 */
export const PERSON = raw(`hash(coalesce(customer_id, 'anon:' || anonymous_id))`);

/** The person key of a customer id column (`c.id`, `cases.customer_id`): the same hash as PERSON. */
export const personOf = (column: 'c.id' | 'customer_id'): SqlFragment => raw(`hash(${column})`);

export interface JourneyDef {
  readonly id: string;
  readonly name: string;
  /** Stages in journey order. */
  readonly stages: readonly string[];
  /** Touchpoint → stage as drawn in journey_touchpoints; other events keep their own `stage`. */
  readonly touchpointStage: Readonly<Record<string, string>>;
}

/** Common parameters: which journey and which time frame. */
export const journeyParam = z
  .string()
  .optional()
  .describe('journey id or name (default: the default journey)');
export interface Frame {
  readonly from: Date | null;
  readonly to: Date | null;
  /** Events after it are ignored; windows not elapsed at it are in progress. */
  readonly asOf: Date;
}

/**
 * Resolves the time frame (`...TimeFrameParams`, in the workspace's zone: src/core/time.ts); as-of
 * defaults to the latest event's timestamp.
 */
export async function resolveFrame(db: Store, p: TimeFrameInput): Promise<Frame> {
  const f = await resolveTimeFrame(db, p);
  let asOf = f.asOf;
  if (!asOf) {
    const row = await db.one<{ t: string | null }>(sql`SELECT max(ts) AS t FROM events`);
    asOf = row?.t ? new Date(row.t) : new Date(0);
  }
  return { from: f.from, to: f.to, asOf };
}

/** Loads a journey by id or name, or the default one (is_default, else the first by id). */
export async function loadJourney(db: Store, name?: string): Promise<JourneyDef> {
  const j = await db.one<{ id: string; name: string }>(
    name
      ? sql`SELECT id, name FROM journeys WHERE id = ${name} OR name = ${name} ORDER BY id = ${name} DESC LIMIT 1`
      : sql`SELECT id, name FROM journeys ORDER BY is_default DESC, id LIMIT 1`,
  );
  if (!j) {
    const known = await db.all<{ id: string }>(sql`SELECT id FROM journeys ORDER BY id`);
    throw new TouchpointError(
      name ? 'not_found' : 'unavailable',
      name
        ? `no journey named ${name}${known.length ? ` (known: ${known.map((k) => k.id).join(', ')})` : ''}`
        : 'no journey is defined yet: import journeys, journey_stages and journey_touchpoints, or run `touchpoint demo`',
    );
  }
  const stages = await db.all<{ stage: string }>(
    sql`SELECT stage FROM journey_stages WHERE journey_id = ${j.id} ORDER BY position, stage`,
  );
  if (stages.length === 0) {
    throw new TouchpointError('unavailable', `journey ${j.id} has no stages in journey_stages`);
  }
  const tps = await db.all<{ touchpoint: string; stage: string }>(
    sql`SELECT touchpoint, stage FROM journey_touchpoints WHERE journey_id = ${j.id} ORDER BY touchpoint`,
  );
  return {
    id: j.id,
    name: j.name,
    stages: stages.map((s) => s.stage),
    touchpointStage: Object.fromEntries(tps.map((t) => [t.touchpoint, t.stage])),
  };
}

/**
 * The journey's events as a relation (person, id, ts, channel, touchpoint, stage, position, outcome,
 * direction): the stage comes from the journey's touchpoint mapping, else the event's own `stage`;
 * events whose stage is not in the journey are left out, as are events after as-of.
 * `position` is the stage's 1-based place in the journey.
 */
export function journeyEvents(
  j: JourneyDef,
  frame: Frame,
  opts: { inboundOnly?: boolean } = {},
): SqlFragment {
  return sql`
    SELECT ${PERSON} AS person, ev.id, ev.ts, ev.channel, ev.touchpoint, ev.outcome, ev.direction,
      js.stage, js.position
    FROM events ev
    LEFT JOIN journey_touchpoints jt ON jt.journey_id = ${j.id} AND jt.touchpoint = ev.touchpoint
    JOIN (SELECT stage, row_number() OVER (ORDER BY position, stage) AS position
          FROM journey_stages WHERE journey_id = ${j.id}) js
      ON js.stage = coalesce(jt.stage, ev.stage)
    WHERE ev.ts <= ${frame.asOf}
      ${opts.inboundOnly ? sql`AND ev.direction = 'inbound'` : sql``}`;
}

/** Team owning a touchpoint on a channel: the exact (touchpoint, channel) row, else channel '*'. */
export function ownerJoin(tp: SqlFragment, ch: SqlFragment): SqlFragment {
  return sql`(
    SELECT o.team_id FROM touchpoint_owners o
    WHERE o.touchpoint = ${tp} AND (o.channel = ${ch} OR o.channel = '*')
    ORDER BY o.channel = '*' LIMIT 1)`;
}

/** Seconds between two timestamps, as a double. */
export const secondsBetween = (a: SqlFragment, b: SqlFragment): SqlFragment =>
  sql`(epoch(${b}) - epoch(${a}))`;

export const HOUR = 3600;
export const round = (v: number | null | undefined, digits = 4): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

/** A list of strings as a SQL VARCHAR[] value; works for an empty list too (the driver cannot bind one). */
export const textList = (items: readonly string[]): SqlFragment =>
  items.length === 0 ? sql`[]::VARCHAR[]` : sql`${items as string[]}::VARCHAR[]`;
