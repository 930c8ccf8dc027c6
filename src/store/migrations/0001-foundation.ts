import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * The foundation model. Every timestamp is TIMESTAMP in UTC. Tables that imports fill carry
 * `import_id` (the import that first inserted the row) and `updated_import_id` (the last import
 * that changed it) so an import can be undone exactly. docs/data-model.md describes every field.
 */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  up: [
    raw(`CREATE TABLE meta (
      key VARCHAR PRIMARY KEY,
      value JSON NOT NULL,
      updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
    )`),
    raw(`CREATE TABLE teams (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      tier INTEGER,
      function VARCHAR,
      import_id VARCHAR,
      updated_import_id VARCHAR
    )`),
    raw(`CREATE TABLE customers (
      id VARCHAR PRIMARY KEY,
      created_at TIMESTAMP,
      segment VARCHAR,
      plan VARCHAR,
      region VARCHAR,
      country VARCHAR,
      monthly_value DOUBLE,
      churned_at TIMESTAMP,
      attributes JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR
    )`),
    raw(`CREATE TABLE events (
      id VARCHAR PRIMARY KEY,
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
      CHECK (customer_id IS NOT NULL OR anonymous_id IS NOT NULL)
    )`),
    raw(`CREATE TABLE surveys (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      touchpoint VARCHAR,
      channel VARCHAR,
      questions JSON NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
    )`),
    raw(`CREATE TABLE feedback (
      id VARCHAR PRIMARY KEY,
      customer_id VARCHAR,
      ts TIMESTAMP NOT NULL,
      channel VARCHAR,
      touchpoint VARCHAR,
      kind VARCHAR NOT NULL CHECK (kind IN ('nps', 'csat', 'ces', 'text')),
      score DOUBLE,
      comment VARCHAR,
      survey_id VARCHAR,
      question VARCHAR,
      case_id VARCHAR,
      language VARCHAR,
      properties JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR,
      CHECK (
        (kind = 'nps' AND score BETWEEN 0 AND 10) OR
        (kind = 'csat' AND score BETWEEN 1 AND 5) OR
        (kind = 'ces' AND score BETWEEN 1 AND 7) OR
        (kind = 'text' AND score IS NULL AND comment IS NOT NULL)
      )
    )`),
    raw(`CREATE TABLE cases (
      id VARCHAR PRIMARY KEY,
      customer_id VARCHAR,
      opened_at TIMESTAMP NOT NULL,
      closed_at TIMESTAMP,
      channel VARCHAR,
      reason VARCHAR,
      status VARCHAR NOT NULL DEFAULT 'open',
      owner_team VARCHAR,
      owner_agent VARCHAR,
      product VARCHAR,
      priority VARCHAR,
      properties JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR
    )`),
    raw(`CREATE TABLE case_events (
      id VARCHAR PRIMARY KEY,
      case_id VARCHAR NOT NULL,
      ts TIMESTAMP NOT NULL,
      seq INTEGER,
      type VARCHAR NOT NULL CHECK (type IN ('opened', 'assigned', 'status', 'update_sent', 'customer_contact', 'note', 'reopened', 'closed')),
      team VARCHAR,
      agent VARCHAR,
      status VARCHAR,
      channel VARCHAR,
      transfer_reason VARCHAR,
      promised_at TIMESTAMP,
      note VARCHAR,
      properties JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR
    )`),
    raw(`CREATE TABLE employees (
      id VARCHAR PRIMARY KEY,
      team_id VARCHAR,
      name VARCHAR,
      role VARCHAR,
      hired_at TIMESTAMP,
      left_at TIMESTAMP,
      attributes JSON,
      import_id VARCHAR,
      updated_import_id VARCHAR
    )`),
    raw(`CREATE TABLE pulse (
      id VARCHAR PRIMARY KEY,
      employee_id VARCHAR,
      team_id VARCHAR,
      ts TIMESTAMP NOT NULL,
      question VARCHAR NOT NULL DEFAULT 'enps',
      score DOUBLE NOT NULL,
      comment VARCHAR,
      import_id VARCHAR,
      updated_import_id VARCHAR,
      CHECK ((question = 'enps' AND score BETWEEN 0 AND 10) OR (question <> 'enps' AND score BETWEEN 1 AND 5))
    )`),
    raw(`CREATE TABLE journeys (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      description VARCHAR,
      is_default BOOLEAN NOT NULL DEFAULT false
    )`),
    raw(`CREATE TABLE journey_stages (
      journey_id VARCHAR NOT NULL,
      position INTEGER NOT NULL,
      stage VARCHAR NOT NULL,
      PRIMARY KEY (journey_id, stage)
    )`),
    raw(`CREATE TABLE journey_touchpoints (
      journey_id VARCHAR NOT NULL,
      touchpoint VARCHAR NOT NULL,
      stage VARCHAR NOT NULL,
      PRIMARY KEY (journey_id, touchpoint)
    )`),
    raw(`CREATE TABLE touchpoint_owners (
      touchpoint VARCHAR NOT NULL,
      channel VARCHAR NOT NULL DEFAULT '*',
      team_id VARCHAR NOT NULL,
      PRIMARY KEY (touchpoint, channel)
    )`),
    raw(`CREATE TABLE identities (
      alias_type VARCHAR NOT NULL,
      alias VARCHAR NOT NULL,
      customer_id VARCHAR NOT NULL,
      source VARCHAR,
      import_id VARCHAR,
      created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
      PRIMARY KEY (alias_type, alias)
    )`),
    raw(`CREATE TABLE imports (
      id VARCHAR PRIMARY KEY,
      kind VARCHAR NOT NULL,
      file VARCHAR,
      started_at TIMESTAMP NOT NULL,
      finished_at TIMESTAMP,
      status VARCHAR NOT NULL,
      rows_read BIGINT NOT NULL DEFAULT 0,
      rows_stored BIGINT NOT NULL DEFAULT 0,
      rows_updated BIGINT NOT NULL DEFAULT 0,
      rows_skipped BIGINT NOT NULL DEFAULT 0,
      duplicates BIGINT NOT NULL DEFAULT 0,
      errors JSON,
      options JSON
    )`),
    raw(`CREATE TABLE finding_runs (
      id VARCHAR PRIMARY KEY,
      analysis VARCHAR NOT NULL,
      params JSON,
      created_at TIMESTAMP NOT NULL
    )`),
    raw(`CREATE TABLE findings (
      id VARCHAR NOT NULL,
      run_id VARCHAR NOT NULL,
      created_at TIMESTAMP NOT NULL,
      analysis VARCHAR NOT NULL,
      kind VARCHAR NOT NULL,
      p VARCHAR NOT NULL CHECK (p IN ('product', 'process', 'policy', 'people')),
      title VARCHAR NOT NULL,
      slice JSON NOT NULL,
      metric VARCHAR NOT NULL,
      value DOUBLE,
      baseline DOUBLE,
      ci_low DOUBLE,
      ci_high DOUBLE,
      n BIGINT,
      small_sample BOOLEAN NOT NULL DEFAULT false,
      score DOUBLE NOT NULL,
      rank INTEGER NOT NULL,
      customers_affected BIGINT,
      evidence JSON,
      owner_team VARCHAR,
      revenue_at_risk DOUBLE,
      cost_to_serve DOUBLE,
      PRIMARY KEY (run_id, id)
    )`),
    raw('CREATE INDEX events_customer_ts ON events (customer_id, ts)'),
    raw('CREATE INDEX case_events_case ON case_events (case_id)'),
    raw('CREATE INDEX feedback_customer ON feedback (customer_id)'),
  ],
};
