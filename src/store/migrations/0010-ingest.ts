import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Import support (docs/import.md): the churn label on customers, the mark of events attributed by
 * identity stitching, the observed alias links identity stitching resolves, and import bookkeeping on
 * the tables the foundation left without it.
 */
export const ingest: Migration = {
  version: 10,
  name: 'ingest',
  up: [
    raw('ALTER TABLE customers ADD COLUMN churned BOOLEAN'),
    raw('ALTER TABLE events ADD COLUMN customer_stitched BOOLEAN DEFAULT false'),
    raw(`CREATE TABLE identity_links (
      alias_type VARCHAR NOT NULL,
      alias VARCHAR NOT NULL,
      linked_type VARCHAR NOT NULL,
      linked_alias VARCHAR NOT NULL,
      source VARCHAR,
      import_id VARCHAR,
      updated_import_id VARCHAR,
      PRIMARY KEY (alias_type, alias, linked_type, linked_alias)
    )`),
    raw('ALTER TABLE touchpoint_owners ADD COLUMN import_id VARCHAR'),
    raw('ALTER TABLE touchpoint_owners ADD COLUMN updated_import_id VARCHAR'),
    raw('ALTER TABLE journeys ADD COLUMN import_id VARCHAR'),
    raw('ALTER TABLE journeys ADD COLUMN updated_import_id VARCHAR'),
    raw('ALTER TABLE journey_stages ADD COLUMN import_id VARCHAR'),
    raw('ALTER TABLE journey_stages ADD COLUMN updated_import_id VARCHAR'),
    raw('ALTER TABLE journey_touchpoints ADD COLUMN import_id VARCHAR'),
    raw('ALTER TABLE journey_touchpoints ADD COLUMN updated_import_id VARCHAR'),
  ],
};
