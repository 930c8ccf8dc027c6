/**
 * The one CSV writer of every edge (server `?format=csv` answers, the cockpit's table and chart
 * exports): RFC 4180 quoting, nested values as JSON, and text a spreadsheet would run as a formula
 * (a string starting with = + - @ tab or carriage return) prefixed with ' (OWASP "CSV injection").
 * Numbers are never prefixed: −3 stays a number. Pure, no imports: the browser bundle uses it too.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: '' for null/undefined; quoted when it holds " , CR or LF or starts/ends with whitespace. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows → CSV text with a header of the given columns (default: every key seen, in order). */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
