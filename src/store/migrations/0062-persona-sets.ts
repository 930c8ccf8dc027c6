import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Personas a team brings (docs/personas.md, "Bring your own"): a named set of persona assignments made
 * elsewhere (imported from a CSV) or derived from persona rules (a YAML of conditions on the
 * behavioural features), kept beside the discovered personas to be compared with them. A set does not
 * replace the discovered personas the other analyses use.
 */
export const personaSetsMigration: Migration = {
  version: 62,
  name: 'persona-sets',
  up: [
    raw(`CREATE TABLE persona_sets (
      id VARCHAR PRIMARY KEY,
      kind VARCHAR NOT NULL CHECK (kind IN ('assignments', 'rules')),
      created_at TIMESTAMP NOT NULL,
      customers BIGINT NOT NULL,
      definition JSON,
      notes JSON NOT NULL
    )`),
    raw(`CREATE TABLE persona_set_members (
      set_id VARCHAR NOT NULL,
      customer_id VARCHAR NOT NULL,
      persona VARCHAR NOT NULL,
      PRIMARY KEY (set_id, customer_id)
    )`),
  ],
};
