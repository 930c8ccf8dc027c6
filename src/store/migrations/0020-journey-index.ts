import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * The person-ordered event index journey analyses read (src/journeys/person-index.ts): every event
 * with its person key, its place in the person's timeline and the person's next event, stored in
 * person order. Derived from `events` and rebuilt when the events version moves; never a source
 * of truth, so it is not imported, exported or undone.
 */
export const journeyIndexMigration: Migration = {
  version: 20,
  name: 'journey-index',
  up: [
    raw(`CREATE TABLE journey_index (
      pk UBIGINT NOT NULL,
      customer_id VARCHAR,
      ts TIMESTAMP NOT NULL,
      touchpoint VARCHAR NOT NULL,
      channel VARCHAR NOT NULL,
      stage VARCHAR,
      outcome VARCHAR,
      inbound BOOLEAN NOT NULL,
      rn INTEGER NOT NULL,
      rn_in INTEGER,
      next_ts TIMESTAMP,
      next_touchpoint VARCHAR,
      next_channel VARCHAR,
      in_next_ts TIMESTAMP,
      in_next_touchpoint VARCHAR,
      in_next_channel VARCHAR,
      in_next_stage VARCHAR
    )`),
    // per person: the events the index holds for them, as a count and a checksum of their contents,
    // so a rebuild can redo only the people whose events changed; gen = the refresh that last redid
    // them, so what is derived from the index (journey layers) can follow person by person too
    raw(`CREATE TABLE journey_index_people (
      pk UBIGINT PRIMARY KEY,
      n INTEGER NOT NULL,
      h HUGEINT NOT NULL,
      gen INTEGER NOT NULL
    )`),
    // per journey: its inbound journey events with their stage position, the next and previous
    // journey event, the furthest stage reached by then, the next event in the next stage, and
    // whether the event opens the person's (touchpoint) and (stage, touchpoint, channel) in the journey
    raw(`CREATE TABLE journey_layer (
      journey_id VARCHAR NOT NULL,
      pk UBIGINT NOT NULL,
      customer_id VARCHAR,
      rn_in INTEGER NOT NULL,
      ts TIMESTAMP NOT NULL,
      touchpoint VARCHAR NOT NULL,
      channel VARCHAR NOT NULL,
      stage VARCHAR NOT NULL,
      position INTEGER NOT NULL,
      outcome VARCHAR,
      next_any_ts TIMESTAMP,
      next_any_channel VARCHAR,
      next_any_touchpoint VARCHAR,
      next_any_position INTEGER,
      next_position INTEGER,
      next_journey_ts TIMESTAMP,
      prev_journey_ts TIMESTAMP,
      reach INTEGER NOT NULL,
      next_stage_ts TIMESTAMP,
      first_at_touchpoint BOOLEAN NOT NULL,
      first_in_cell BOOLEAN NOT NULL
    )`),
  ],
};
