import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * The people behind a journey finding, as the analysis counted them (docs/customers.md "Exact
 * affected lists"): one row per person of a finding of one run — the stitched person key the
 * analysis counted (anonymous visitors included), their customer id when known, when they first
 * showed the problem there, and what it was. `customers affected` pages and exports it, so the list
 * has exactly the finding's count. Written with the findings run; a run's rows go with it.
 */
export const findingMembersMigration: Migration = {
  version: 85,
  name: 'finding members',
  up: [
    raw(`CREATE TABLE finding_members (
      run_id VARCHAR NOT NULL,
      finding_id VARCHAR NOT NULL,
      person VARCHAR NOT NULL,
      customer_id VARCHAR,
      seen_at TIMESTAMP NOT NULL,
      what VARCHAR NOT NULL,
      detail VARCHAR NOT NULL,
      PRIMARY KEY (run_id, finding_id, person)
    )`),
  ],
};
