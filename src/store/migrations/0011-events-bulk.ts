import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * `events` without engine-maintained indexes (docs/decisions.md, "Ingest"): the PRIMARY KEY on id and
 * the (customer_id, ts) ART index made bulk loads 4–10× slower (every row maintained two ART trees),
 * far below the 500k events/s import target, and analytics scans use the engine's zone maps, not ART.
 * Uniqueness of `events.id` is kept by every writer: imports anti-join on id (src/ingest/merge.ts),
 * the demo generator writes unique ids. Same columns, defaults and checks as before.
 */
export const eventsBulk: Migration = {
  version: 11,
  name: 'events-bulk',
  up: [
    raw(`CREATE TABLE events_rebuilt (
      id VARCHAR NOT NULL,
      customer_id VARCHAR,
      anonymous_id VARCHAR,
      ts TIMESTAMP NOT NULL,
      channel VARCHAR NOT NULL,
      touchpoint VARCHAR NOT NULL,
      stage VARCHAR,
      name VARCHAR,
      outcome VARCHAR,
      direction VARCHAR NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
      session_id VARCHAR,
      properties JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR,
      customer_stitched BOOLEAN DEFAULT false,
      CHECK (customer_id IS NOT NULL OR anonymous_id IS NOT NULL)
    )`),
    raw(`INSERT INTO events_rebuilt (id, customer_id, anonymous_id, ts, channel, touchpoint, stage, name, outcome,
      direction, session_id, properties, import_id, updated_import_id, customer_stitched)
      SELECT id, customer_id, anonymous_id, ts, channel, touchpoint, stage, name, outcome, direction, session_id,
        properties, import_id, updated_import_id, customer_stitched FROM events`),
    raw('DROP INDEX IF EXISTS events_customer_ts'),
    raw('DROP TABLE events'),
    raw('ALTER TABLE events_rebuilt RENAME TO events'),
  ],
};
