import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Policies and the 4 P's audit (docs/policies.md, docs/audit.md): the policy catalogue (name,
 * effective date, linked touchpoints and themes, owner), and one row per stored audit with its
 * snapshot of findings, so "since the last audit" compares stored figures, never re-derived ones.
 */
export const peopleMigration: Migration = {
  version: 90,
  name: 'policies-and-audits',
  up: [
    raw(`CREATE TABLE policies (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      effective_at TIMESTAMP NOT NULL,
      touchpoints VARCHAR[] NOT NULL DEFAULT [],
      themes VARCHAR[] NOT NULL DEFAULT [],
      owner VARCHAR,
      description VARCHAR,
      source VARCHAR NOT NULL DEFAULT 'set',
      updated_at TIMESTAMP NOT NULL
    )`),
    raw(`CREATE TABLE audits (
      id VARCHAR PRIMARY KEY,
      created_at TIMESTAMP NOT NULL,
      period_from TIMESTAMP,
      period_to TIMESTAMP,
      previous_id VARCHAR,
      summary JSON NOT NULL,
      items JSON NOT NULL
    )`),
  ],
};
