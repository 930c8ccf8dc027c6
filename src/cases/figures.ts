export { type Rate, rate } from '../stats/rate.js';

import type { Section } from '../core/operation.js';
import type { Rate } from '../stats/rate.js';

export const round = (v: number | null | undefined, digits = 4): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`;

export const ratePct = (r: Rate): string =>
  r.value === null
    ? '–'
    : `${pct(r.value)} [${pct(r.low)}–${pct(r.high)}]${r.smallSample ? ' (small n)' : ''}`;

/** A difference with its 95% interval, or what is missing when there is nothing to measure it on. */
export const pctInterval = (
  v: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
  missing: string,
): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? `not measurable (${missing})`
    : `${pct(v)} [${pct(low)}–${pct(high)}]`;

/** What a case analysis shows on a workspace without cases: what is missing and how to load it. */
export const noCases = (what: string): Section => ({
  text: `No cases to analyse (none in this workspace, or none match the filters), so no ${what} to show. Load your helpdesk export with touchpoint import cases FILE and its history with touchpoint import case-events FILE (docs/cases.md).`,
});
