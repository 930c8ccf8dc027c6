import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Program goals (docs/goals.md): a target over a registry metric (src/experiments) with its slice,
 * the baseline it starts from, the due date, the owner and the experiments and findings linked to it.
 * In the experiments range (80–89) because a goal is a target over the experiments' metric registry.
 */
export const goalsMigration: Migration = {
  version: 82,
  name: 'goals',
  up: [
    raw(`CREATE TABLE goals (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      metric VARCHAR NOT NULL,
      slice JSON NOT NULL,
      baseline DOUBLE,
      target DOUBLE NOT NULL,
      start_at TIMESTAMP NOT NULL,
      due TIMESTAMP NOT NULL,
      owner VARCHAR NOT NULL,
      links JSON NOT NULL,
      note VARCHAR,
      created_at TIMESTAMP NOT NULL,
      updated_at TIMESTAMP NOT NULL
    )`),
  ],
};
