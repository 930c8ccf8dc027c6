import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Stored history instead of recomputation:
 * - `health_score_snapshots` (docs/health.md, "Score snapshots"): each customer's health score and its
 *   components as of a date, one row per snapshot date and customer, so trends and backtests read what
 *   was known then. Taking a snapshot again for the same date replaces it.
 * - `experiment_remeasures` (docs/experiments.md, "Re-measure after a fix ships"): the shipped
 *   experiment's primary metric before the change and after the rollout, with the comparison, kept in
 *   the learning log.
 */
export const snapshotsRemeasureMigration: Migration = {
  version: 72,
  name: 'snapshots-remeasure',
  up: [
    raw(`CREATE TABLE health_score_snapshots (
      as_of TIMESTAMP NOT NULL,
      customer_id VARCHAR NOT NULL,
      score DOUBLE NOT NULL,
      band VARCHAR NOT NULL,
      recency DOUBLE NOT NULL,
      frequency DOUBLE NOT NULL,
      breadth DOUBLE NOT NULL,
      sentiment DOUBLE NOT NULL,
      support DOUBLE NOT NULL,
      weights JSON NOT NULL,
      taken_at TIMESTAMP NOT NULL,
      PRIMARY KEY (as_of, customer_id)
    )`),
    raw(`CREATE TABLE experiment_remeasures (
      experiment_id VARCHAR NOT NULL,
      measured_at TIMESTAMP NOT NULL,
      measured_by VARCHAR,
      days INTEGER NOT NULL,
      result JSON NOT NULL,
      PRIMARY KEY (experiment_id, measured_at)
    )`),
  ],
};
