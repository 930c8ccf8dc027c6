import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Personas (docs/personas.md): one row per discovery run, one per persona of a run (centroid, name,
 * notes, stability, lineage), and the published assignment `customer_personas` — every customer of a
 * run with its persona and its distance to the persona's centroid. Analyses read the current run's
 * assignment through `current_customer_personas` (the newest run that is not superseded).
 */
export const personasMigration: Migration = {
  version: 60,
  name: 'personas',
  up: [
    raw(`CREATE TABLE persona_runs (
      id VARCHAR PRIMARY KEY,
      created_at TIMESTAMP NOT NULL,
      mode VARCHAR NOT NULL,
      seed INTEGER NOT NULL,
      k INTEGER NOT NULL,
      customers BIGINT NOT NULL,
      thin_history BIGINT NOT NULL,
      features JSON NOT NULL,
      scaling JSON NOT NULL,
      silhouette JSON NOT NULL,
      stability_ari DOUBLE,
      params JSON NOT NULL,
      notes JSON NOT NULL
    )`),
    raw(`CREATE TABLE personas (
      run_id VARCHAR NOT NULL,
      id VARCHAR NOT NULL,
      name VARCHAR NOT NULL,
      named_by VARCHAR NOT NULL CHECK (named_by IN ('vocabulary', 'user')),
      note VARCHAR,
      status VARCHAR NOT NULL CHECK (status IN ('new', 'matched', 'retired')),
      matched_from VARCHAR,
      size BIGINT NOT NULL,
      centroid JSON NOT NULL,
      jaccard DOUBLE,
      stability VARCHAR NOT NULL CHECK (stability IN ('stable', 'moderate', 'unstable', 'unknown')),
      distinguishing JSON NOT NULL,
      PRIMARY KEY (run_id, id)
    )`),
    raw(`CREATE TABLE customer_personas (
      run_id VARCHAR NOT NULL,
      customer_id VARCHAR NOT NULL,
      persona_id VARCHAR NOT NULL,
      distance DOUBLE NOT NULL,
      PRIMARY KEY (run_id, customer_id)
    )`),
  ],
};
