import { type Store, sql } from '../store/index.js';

export const AS_OF = '2026-07-01T00:00:00Z';

/**
 * Seven customers, times in days to churn or to as-of (2026-07-01):
 * A: c1 churned at 10, c2 churned at 20, c3 still here at 20 (censored), c4 still here at 10 (censored);
 * B: c5 churned at 40, c6 still here at 61, c7 churns on 2026-08-01 — after as-of, so censored at 30.
 */
export async function fixture(db: Store) {
  await db.exec(sql`INSERT INTO customers (id, created_at, segment, churned_at, attributes) VALUES
    ('c1', '2026-01-01', 'A', '2026-01-11', '{"tier": "x"}'),
    ('c2', '2026-01-01', 'A', '2026-01-21', '{"tier": "x"}'),
    ('c3', '2026-06-11', 'A', NULL, '{"tier": "x"}'),
    ('c4', '2026-06-21', 'A', NULL, '{"tier": "x"}'),
    ('c5', '2026-01-01', 'B', '2026-02-10', '{"tier": "y"}'),
    ('c6', '2026-05-01', 'B', NULL, '{"tier": "y"}'),
    ('c7', '2026-06-01', 'B', '2026-08-01', NULL)`);
}
