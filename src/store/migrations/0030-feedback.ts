import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Voice of the customer (docs/feedback.md): the text analysis of every comment (sentiment and
 * themes, rewritten by each `feedback themes` run), follow-up items (one per answer, idempotent on
 * the feedback id) and their notes.
 */
export const feedbackMigration: Migration = {
  version: 30,
  name: 'feedback',
  up: [
    raw(`CREATE TABLE feedback_text (
      feedback_id VARCHAR PRIMARY KEY,
      label VARCHAR NOT NULL CHECK (label IN ('negative', 'neutral', 'positive')),
      score DOUBLE NOT NULL,
      scorer VARCHAR NOT NULL,
      themes VARCHAR[] NOT NULL,
      primary_theme VARCHAR,
      analyzed_at TIMESTAMP NOT NULL
    )`),
    raw(`CREATE TABLE follow_ups (
      id VARCHAR PRIMARY KEY,
      feedback_id VARCHAR NOT NULL UNIQUE,
      customer_id VARCHAR,
      touchpoint VARCHAR,
      channel VARCHAR,
      kind VARCHAR NOT NULL,
      score DOUBLE,
      comment VARCHAR,
      theme VARCHAR,
      owner_team VARCHAR,
      assignee VARCHAR,
      status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      answered_at TIMESTAMP NOT NULL,
      created_at TIMESTAMP NOT NULL,
      closed_at TIMESTAMP,
      resolution VARCHAR
    )`),
    raw(`CREATE TABLE follow_up_notes (
      id VARCHAR PRIMARY KEY,
      follow_up_id VARCHAR NOT NULL,
      ts TIMESTAMP NOT NULL,
      author VARCHAR,
      kind VARCHAR NOT NULL,
      note VARCHAR
    )`),
    raw('CREATE INDEX follow_up_notes_item ON follow_up_notes (follow_up_id)'),
  ],
};
