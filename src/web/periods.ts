/**
 * The cockpit's periods, all counted from the workspace's data (never from today): a relative period
 * ("last 30 days") ends with the day of the latest data, and a trend or a comparison uses complete
 * periods only — a week or month that the data does not cover from its first to its last day is left
 * out, so a running week is never compared with a full one and a first half-week never sits at −100.
 */

const DAY = 86_400_000;

/** `YYYY-MM-DD` of an instant (UTC). */
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayStart = (iso: string): number => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);

export const addDays = (iso: string, d: number): string => day(dayStart(iso) + d * DAY);

/** The first day of the month after `iso`'s month. */
export const nextMonth = (iso: string): string => {
  const d = new Date(dayStart(iso));
  return day(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};
const prevMonth = (iso: string): string => {
  const d = new Date(dayStart(iso));
  return day(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
};

/** Days of a relative period in the URL (`30d`, `12m` = 360 days), or null for all time / unknown. */
export function periodDays(period: string | undefined): number | null {
  const m = period?.match(/^(\d+)([dm])$/);
  return m ? Number(m[1]) * (m[2] === 'm' ? 30 : 1) : null;
}

/** A span of time: from (inclusive) and to (exclusive), `YYYY-MM-DD`; absent = unbounded. */
export interface Span {
  readonly from?: string;
  readonly to?: string;
}

/** The end of the data: the day after the latest data's day (so that day is wholly inside). */
export const dataEnd = (latest: string): string => addDays(latest, 1);

/**
 * The span of a relative period counted back from the latest data: `30d` = the 30 days up to and
 * including the latest data's day. All time (or no latest data and no period) = unbounded.
 * Without a latest data time (an empty workspace), it counts back from today.
 */
export function periodSpan(period: string | undefined, latest: string | null): Span {
  const n = periodDays(period);
  if (n === null) return {};
  const end = dataEnd(latest ?? new Date().toISOString());
  return { from: addDays(end, -n), to: end };
}

/**
 * The headline tiles' comparison: the selected period against the one before it, of the same length
 * (`30d`: the 30 days up to the latest data vs the 30 days before). For all time, the latest complete
 * calendar month against the month before (a month is complete when its end is at or before the
 * latest data time). Null when the data has no latest time.
 */
export function comparisonSpans(
  period: string | undefined,
  latest: string | null,
): { current: Required<Span>; previous: Required<Span>; label: string } | null {
  if (!latest) return null;
  const n = periodDays(period);
  if (n !== null) {
    const end = dataEnd(latest);
    const from = addDays(end, -n);
    return {
      current: { from, to: end },
      previous: { from: addDays(from, -n), to: from },
      label: `vs the ${n} days before`,
    };
  }
  const t = Date.parse(latest);
  // the month of the latest data is complete only when the data reaches its very end
  let to = `${latest.slice(0, 7)}-01`;
  if (dayStart(nextMonth(to)) <= t) to = nextMonth(to);
  const from = prevMonth(to);
  return {
    current: { from, to },
    previous: { from: prevMonth(from), to: from },
    label: `${monthName(from)} vs ${monthName(prevMonth(from))}`,
  };
}

const monthName = (iso: string) =>
  new Date(dayStart(iso)).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * Whether a trend period (its start, `YYYY-MM-DD`, of a `week` or `month`) is complete: the data
 * covers it from its start to its end. `first`/`latest` are the data range; unknown ends count as covered.
 */
export function isCompletePeriod(
  start: string,
  grain: 'week' | 'month',
  first: string | null,
  latest: string | null,
): boolean {
  const end = grain === 'week' ? addDays(start, 7) : nextMonth(start);
  if (latest && dayStart(end) > Date.parse(latest)) return false;
  // the data starts after this period began: its first days are missing
  if (first && Date.parse(first) > dayStart(start)) return false;
  return true;
}
