import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Delivery (docs/notify.md) and automations (docs/automations.md).
 * - `notify_destinations`: where notifications go (a signed webhook or e-mail over SMTP). A webhook's
 *   signing secret is kept here (it must be, to sign) and shown once, at creation; SMTP passwords are
 *   never stored: a destination names the environment variable that holds one.
 * - `notify_outbox`: one row per (idempotency key, destination). The key is the message id the
 *   receiver sees (`webhook-id`); the row's state is committed before and after each send, so a
 *   restart neither loses a message nor sends one the receiver cannot recognise as a repeat.
 * - `automations`, `automation_runs`, `automation_fired`: rules when → then, their run log, and the
 *   keys each rule has acted on (what makes a live rule idempotent and a dry run comparable with it).
 */
export const notifyMigration: Migration = {
  version: 110,
  name: 'notify',
  up: [
    raw(`CREATE TABLE notify_destinations (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL UNIQUE,
      kind VARCHAR NOT NULL,
      url VARCHAR,
      secret VARCHAR,
      template VARCHAR NOT NULL,
      email_to VARCHAR,
      smtp JSON,
      topics JSON NOT NULL,
      teams JSON NOT NULL,
      created_at TIMESTAMP NOT NULL
    )`),
    raw(`CREATE TABLE notify_outbox (
      key VARCHAR NOT NULL,
      destination_id VARCHAR NOT NULL,
      topic VARCHAR NOT NULL,
      subject VARCHAR NOT NULL,
      text VARCHAR NOT NULL,
      data JSON NOT NULL,
      status VARCHAR NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at TIMESTAMP NOT NULL,
      last_attempt_at TIMESTAMP,
      last_error VARCHAR,
      created_at TIMESTAMP NOT NULL,
      sent_at TIMESTAMP,
      PRIMARY KEY (key, destination_id)
    )`),
    raw(`CREATE TABLE automations (
      id VARCHAR PRIMARY KEY,
      name VARCHAR NOT NULL UNIQUE,
      rule VARCHAR NOT NULL,
      params JSON NOT NULL,
      enabled BOOLEAN NOT NULL,
      created_at TIMESTAMP NOT NULL,
      updated_at TIMESTAMP NOT NULL,
      last_run_at TIMESTAMP
    )`),
    raw(`CREATE TABLE automation_runs (
      id VARCHAR PRIMARY KEY,
      automation_id VARCHAR NOT NULL,
      mode VARCHAR NOT NULL,
      started_at TIMESTAMP NOT NULL,
      from_ts TIMESTAMP,
      to_ts TIMESTAMP NOT NULL,
      actions INTEGER NOT NULL,
      detail JSON NOT NULL,
      error VARCHAR
    )`),
    raw(`CREATE TABLE automation_fired (
      automation_id VARCHAR NOT NULL,
      key VARCHAR NOT NULL,
      fired_at TIMESTAMP NOT NULL,
      run_id VARCHAR NOT NULL,
      action JSON NOT NULL,
      PRIMARY KEY (automation_id, key)
    )`),
  ],
};
