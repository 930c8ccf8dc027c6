import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * An analyst's correction of a comment's sentiment label (docs/feedback.md §Learning a company's
 * domain): one row per corrected comment, the latest correction wins. Scores do not move when a
 * label is corrected; the next `feedback sentiment-train` trains the company model on the
 * corrections (three classes when any says neutral) beside the self-labelled comments.
 */
export const feedbackLabelsMigration: Migration = {
  version: 32,
  name: 'feedback-labels',
  up: [
    raw(`CREATE TABLE feedback_labels (
      feedback_id VARCHAR PRIMARY KEY,
      label VARCHAR NOT NULL,
      labelled_by VARCHAR,
      labelled_at TIMESTAMP NOT NULL
    )`),
  ],
};
