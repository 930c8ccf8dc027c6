import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Experiments (docs/experiments.md): the metric registry — every user-defined metric version kept
 * (`metrics`, one row per id and version; built-in metrics live in code) — stored experiments with the
 * criteria declared before launch, their exposures (one row per experiment and customer: the arm and
 * when it was first exposed) and the decision recorded in the learning log.
 */
export const experimentsMigration: Migration = {
  version: 80,
  name: 'experiments',
  up: [
    raw(`CREATE TABLE metrics (
      id VARCHAR NOT NULL,
      version INTEGER NOT NULL,
      name VARCHAR NOT NULL,
      description VARCHAR,
      definition JSON NOT NULL,
      slice JSON NOT NULL,
      created_at TIMESTAMP NOT NULL,
      created_by VARCHAR,
      PRIMARY KEY (id, version)
    )`),
    raw(`CREATE TABLE experiments (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      hypothesis VARCHAR NOT NULL,
      finding_id VARCHAR,
      theme VARCHAR,
      variants JSON NOT NULL,
      start_at TIMESTAMP NOT NULL,
      end_at TIMESTAMP,
      primary_metric JSON NOT NULL,
      guardrails JSON NOT NULL,
      criteria JSON NOT NULL,
      owner VARCHAR NOT NULL,
      created_at TIMESTAMP NOT NULL,
      created_by VARCHAR,
      decision VARCHAR CHECK (decision IN ('ship', 'stop', 'iterate')),
      decided_at TIMESTAMP,
      decided_by VARCHAR,
      decision_note VARCHAR,
      measured JSON
    )`),
    raw(`CREATE TABLE experiment_exposures (
      experiment_id VARCHAR NOT NULL,
      customer_id VARCHAR NOT NULL,
      arm VARCHAR NOT NULL,
      exposed_at TIMESTAMP NOT NULL,
      source VARCHAR NOT NULL,
      PRIMARY KEY (experiment_id, customer_id)
    )`),
  ],
};
