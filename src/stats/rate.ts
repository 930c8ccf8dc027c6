import { isSmallSample, wilson } from './index.js';

/** A proportion k/n with its Wilson 95% interval, n and the small-sample flag (DESIGN.md §6). */
export interface Rate {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly k: number;
  readonly n: number;
  readonly smallSample: boolean;
}

/** `digits` rounds the value and its interval (for output); omitted, they are exact. */
export function rate(k: number, n: number, digits?: number): Rate {
  if (n <= 0) return { value: null, low: null, high: null, k, n: 0, smallSample: true };
  const w = wilson(k, n);
  const r = (v: number) => (digits === undefined ? v : Number(v.toFixed(digits)));
  return { value: r(w.value), low: r(w.low), high: r(w.high), k, n, smallSample: isSmallSample(w) };
}
