import { rate as exactRate, type Rate } from '../stats/rate.js';

export type { Rate };

/** A proportion with its Wilson 95% interval, rounded to 4 digits as every journey figure is. */
export const rate = (k: number, n: number): Rate => exactRate(k, n, 4);
