export { type Rate, rate } from '../stats/rate.js';

import type { Rate } from '../stats/rate.js';

export const round = (v: number | null | undefined, digits = 4): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`;

export const ratePct = (r: Rate): string =>
  r.value === null
    ? '–'
    : `${pct(r.value)} [${pct(r.low)}–${pct(r.high)}]${r.smallSample ? ' (small n)' : ''}`;
