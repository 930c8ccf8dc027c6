/**
 * Numbers for people: thousands separators, units, intervals as ranges. Pure functions, tested in
 * format.test.ts; the pages never call toFixed themselves.
 */

const nf = (digits: number) =>
  new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** `12,345`, `3.4`; a dash for missing values. */
export function fmtNumber(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const d = Math.abs(v) >= 100 ? 0 : digits;
  return nf(d).format(v);
}

/** A count: always whole, with separators. */
export function fmtCount(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return nf(0).format(Math.round(v));
}

/** A proportion in [0, 1] as `42.1 %`. */
export function fmtPercent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return `${nf(digits).format(v * 100)} %`;
}

/** A 95 % interval as a range: `38.2 – 45.9`, with the unit once at the end. */
export function fmtInterval(
  lo: number | null | undefined,
  hi: number | null | undefined,
  fmt: (v: number) => string = (v) => fmtNumber(v),
): string {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return '–';
  const a = fmt(lo);
  const b = fmt(hi);
  const unit = / %$/.test(a) && / %$/.test(b) ? ' %' : '';
  return unit ? `${a.slice(0, -2)} – ${b}` : `${a} – ${b}`;
}

/** A duration given in seconds, in the largest unit that reads well: `45 s`, `12 min`, `3.5 h`, `2.1 days`. */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
  const s = Math.abs(seconds);
  if (s < 90) return `${fmtNumber(seconds, 0)} s`;
  if (s < 90 * 60) return `${fmtNumber(seconds / 60, 0)} min`;
  if (s < 36 * 3600) return `${fmtNumber(seconds / 3600, 1)} h`;
  return `${fmtNumber(seconds / 86400, 1)} days`;
}

/** Money without pretending to cents: `€12,300`. */
export function fmtMoney(v: number | null | undefined, currency = 'EUR'): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(v);
}

/** Whether a metric name denotes a proportion in [0, 1] (rates, shares, conversion). */
export function isProportionMetric(metric: string): boolean {
  return /(rate|share|conversion|ratio|proportion|pct|percent|drop)/i.test(metric);
}

/** A metric's value formatted by what its name says it is. */
export function fmtMetric(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (isProportionMetric(metric) && Math.abs(v) <= 1) return fmtPercent(v);
  if (/(seconds|_s$|duration|wait|time)/i.test(metric)) return fmtDuration(v);
  if (/hours?/i.test(metric)) return `${fmtNumber(v)} h`;
  if (/days?/i.test(metric)) return `${fmtNumber(v)} days`;
  if (/nps/i.test(metric)) return `${fmtNumber(v, 1)} pts`;
  return fmtNumber(v, 2);
}

/** An ISO timestamp (UTC) as a short local date, `31 Oct 2026`. */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** Column keys as headings: `customersAffected` → `Customers affected`. */
export function humanize(key: string): string {
  const s = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A cell value for a table: numbers formatted, objects summarised, nothing shown as `[object Object]`. */
export function fmtCell(key: string, v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (/(^n$|count|customers|cases|volume|total|rows|events|^size$)/i.test(key)) return fmtCount(v);
    return fmtMetric(key, v);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? fmtDate(v) : v;
  if (Array.isArray(v)) return v.map((x) => fmtCell(key, x)).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}: ${fmtCell(k, x)}`)
    .join(' · ');
}
