import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Monitors and alerts (docs/monitors.md): a stored monitor watches one metric series of a slice at a
 * cadence; each firing is one `alerts` row keyed by monitor + period (re-running a monitor over the same
 * period never adds a second one); `alert_actions` records who acknowledged, snoozed or resolved it
 * and when; `monitor_runs` logs each run (when, which periods, how long it took).
 */
export const monitorsMigration: Migration = {
  version: 100,
  name: 'monitors',
  up: [
    raw(`CREATE TABLE monitors (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL,
      metric VARCHAR NOT NULL,
      slice JSON NOT NULL,
      cadence VARCHAR NOT NULL CHECK (cadence IN ('hourly', 'daily')),
      method VARCHAR NOT NULL CHECK (method IN ('detector', 'threshold')),
      alpha DOUBLE NOT NULL,
      min_n INTEGER NOT NULL,
      above DOUBLE,
      below DOUBLE,
      owner_team VARCHAR,
      enabled BOOLEAN NOT NULL DEFAULT true,
      created_at TIMESTAMP NOT NULL,
      created_by VARCHAR,
      last_run_at TIMESTAMP,
      last_period TIMESTAMP
    )`),
    raw(`CREATE TABLE monitor_runs (
      id VARCHAR PRIMARY KEY,
      monitor_id VARCHAR NOT NULL,
      ran_at TIMESTAMP NOT NULL,
      period_from TIMESTAMP,
      period_to TIMESTAMP,
      points INTEGER NOT NULL,
      firings INTEGER NOT NULL,
      ms DOUBLE NOT NULL,
      actor VARCHAR
    )`),
    raw(`CREATE TABLE alerts (
      id VARCHAR PRIMARY KEY,
      monitor_id VARCHAR NOT NULL,
      group_key VARCHAR NOT NULL,
      period_start TIMESTAMP NOT NULL,
      period_end TIMESTAMP NOT NULL,
      direction VARCHAR NOT NULL,
      signals VARCHAR[] NOT NULL,
      value DOUBLE NOT NULL,
      expected DOUBLE,
      low DOUBLE,
      high DOUBLE,
      change_low DOUBLE,
      change_high DOUBLE,
      z DOUBLE,
      p DOUBLE,
      n BIGINT,
      customers_affected BIGINT,
      owner_team VARCHAR,
      evidence JSON NOT NULL,
      state VARCHAR NOT NULL CHECK (state IN ('open', 'acknowledged', 'snoozed', 'resolved')),
      snoozed_until TIMESTAMP,
      created_at TIMESTAMP NOT NULL,
      updated_at TIMESTAMP NOT NULL,
      updated_by VARCHAR
    )`),
    raw(`CREATE TABLE alert_actions (
      alert_id VARCHAR NOT NULL,
      acted_at TIMESTAMP NOT NULL,
      actor VARCHAR,
      action VARCHAR NOT NULL,
      note VARCHAR
    )`),
  ],
};
