import { isSmallSample, wilson } from '../stats/index.js';
import { round } from './journey.js';

/** A proportion with its Wilson 95% interval, n and the small-sample flag (DESIGN.md §6). */
export interface Rate {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly k: number;
  readonly n: number;
  readonly smallSample: boolean;
}

export function rate(k: number, n: number): Rate {
  if (n <= 0) return { value: null, low: null, high: null, k, n: 0, smallSample: true };
  const w = wilson(k, n);
  return {
    value: round(w.value),
    low: round(w.low),
    high: round(w.high),
    k,
    n,
    smallSample: isSmallSample(w),
  };
}
