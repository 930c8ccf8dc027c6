import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * The business case (docs/health.md §Business case): each finding's revenue at risk carries its 95%
 * interval on the finding itself, and `business_cases` keeps how it was reached — affected customers,
 * churn against comparable customers, excess churn with its interval, annual value, contacts and cost
 * to serve — or the reason a figure is missing. One row per finding of a findings run.
 */
export const healthMigration: Migration = {
  version: 70,
  name: 'health',
  up: [
    raw('ALTER TABLE findings ADD COLUMN revenue_at_risk_low DOUBLE'),
    raw('ALTER TABLE findings ADD COLUMN revenue_at_risk_high DOUBLE'),
    raw(`CREATE TABLE business_cases (
      run_id VARCHAR NOT NULL,
      finding_id VARCHAR NOT NULL,
      computed_at TIMESTAMP NOT NULL,
      analysis VARCHAR NOT NULL,
      kind VARCHAR NOT NULL,
      definition VARCHAR,
      affected_year BIGINT,
      exposed_customers BIGINT,
      exposed_months BIGINT,
      churn_exposed DOUBLE,
      churn_comparable DOUBLE,
      excess_churn DOUBLE,
      excess_churn_low DOUBLE,
      excess_churn_high DOUBLE,
      annual_value DOUBLE,
      revenue_at_risk DOUBLE,
      revenue_at_risk_low DOUBLE,
      revenue_at_risk_high DOUBLE,
      contacts_year BIGINT,
      cost_to_serve DOUBLE,
      small_sample BOOLEAN NOT NULL,
      null_reason VARCHAR,
      params JSON NOT NULL,
      PRIMARY KEY (run_id, finding_id)
    )`),
  ],
};
