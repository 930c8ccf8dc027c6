import { isSmallSample, wilson } from '../stats/index.js';

/** A proportion with its Wilson 95% interval and the small-sample flag of DESIGN.md §6. */
export interface Rate {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly k: number;
  readonly n: number;
  readonly smallSample: boolean;
}

export function rate(k: number, n: number): Rate {
  if (n <= 0) return { value: null, low: null, high: null, k, n, smallSample: true };
  const w = wilson(k, n);
  return { value: w.value, low: w.low, high: w.high, k, n, smallSample: isSmallSample(w) };
}

export const round = (v: number | null | undefined, digits = 4): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`;

export const ratePct = (r: Rate): string =>
  r.value === null
    ? '–'
    : `${pct(r.value)} [${pct(r.low)}–${pct(r.high)}]${r.smallSample ? ' (small n)' : ''}`;
