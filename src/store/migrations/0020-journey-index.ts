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
    // so a rebuild can redo only the people whose events changed
    raw(`CREATE TABLE journey_index_people (
      pk UBIGINT PRIMARY KEY,
      n INTEGER NOT NULL,
      h HUGEINT NOT NULL
    )`),
  ],
};
