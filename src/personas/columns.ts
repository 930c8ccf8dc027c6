import type { FeatureRow, FeatureTable } from './features.js';
import type { Column } from './model.js';

/**
 * The behaviour space clustered by default (docs/personas.md, "What is clustered"): how often, how
 * widely and how far customers engage, on which channels, and how much help they need. Value,
 * tenure, recency, scores and churn are described on the cards but not clustered: they are what a
 * persona is worth or how it fares, and clustering on them would make personas restate outcomes
 * (and, with value, the plan or segment) instead of explaining them.
 */
export const BEHAVIOUR_COLUMNS: readonly (Column & {
  readonly get: (r: FeatureRow) => number | null;
})[] = [
  { name: 'frequency', transform: 'log1p', kind: 'numeric', get: (r) => r.frequency },
  { name: 'breadth', transform: 'log1p', kind: 'numeric', get: (r) => r.breadth },
  { name: 'self_service_share', transform: 'none', kind: 'numeric', get: (r) => r.self_service_share },
  { name: 'switch_rate', transform: 'none', kind: 'numeric', get: (r) => r.switch_rate },
];

/** Shares are square-rooted: the variance of a proportion estimated from n interactions depends on it; the square root evens it out (the Hellinger distance between compositions). */
const SHARE_TRANSFORM = 'sqrt' as const;

/** The behaviour columns for a feature table: the fixed ones plus one share per channel. */
export function behaviourColumns(t: FeatureTable): {
  columns: Column[];
  raw: (number | null)[][];
} {
  const columns: Column[] = [
    ...BEHAVIOUR_COLUMNS.map(({ name, transform, kind }) => ({ name, transform, kind })),
    ...t.channels.map((ch) => ({ name: `mix:${ch}`, transform: SHARE_TRANSFORM, kind: 'share' as const })),
  ];
  const raw = t.rows.map((r) => [...BEHAVIOUR_COLUMNS.map((c) => c.get(r)), ...r.mix]);
  return { columns, raw };
}
