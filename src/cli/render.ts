import type { Section } from '../core/operation.js';

/** Formats a value for a person: thousands separators, 3 significant decimals, ISO dates trimmed. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '';
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const abs = Math.abs(v);
    const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
    return v.toLocaleString('en-US', { maximumFractionDigits: digits });
  }
  if (typeof v === 'string')
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v) ? v.slice(0, 16).replace('T', ' ') : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(formatCell).join(' → ');
  return JSON.stringify(v);
}

/** Column names a person would not guess from the code name. */
const LABELS: Record<string, string> = {
  n: 'n',
  p: 'P',
  fcr: 'FCR',
  nps: 'NPS',
  csat: 'CSAT',
  ces: 'CES',
  ciLow: '95% CI low',
  ciHigh: '95% CI high',
  ci_low: '95% CI low',
  ci_high: '95% CI high',
  smallSample: 'small sample',
  customersAffected: 'customers affected',
  revenueAtRisk: 'revenue at risk',
  costToServe: 'cost to serve',
};

const ACRONYMS = new Set(['nps', 'csat', 'ces', 'fcr', 'id', 'url', 'ci', 'aht', 'sla', 'ai']);

/**
 * A column header in words: `medianHours` → "median hours", `from_channel` → "from channel",
 * `npsLow` → "NPS low"; headers already in words are left as they are.
 */
export function humanize(key: string): string {
  const label = LABELS[key];
  if (label !== undefined) return label;
  if (/\s/.test(key) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) return key;
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()))
    .join(' ');
}

/** Draws rows as an aligned text table; numbers right-aligned; headers in words ({@link humanize}). */
export function table(list: readonly object[], columns?: readonly string[]): string {
  if (list.length === 0) return '(no rows)';
  const rows = list as readonly Record<string, unknown>[];
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const numeric = cols.map((c) =>
    rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'),
  );
  const heads = cols.map(humanize);
  // the last text column (titles, reasons) is never cut: it runs to the end of the line
  const lastText = numeric.lastIndexOf(false);
  const width = cols.map((_, i) =>
    Math.min(
      i === lastText && i === cols.length - 1 ? Number.POSITIVE_INFINITY : 60,
      Math.max(heads[i]!.length, ...cells.map((row) => row[i]!.length)),
    ),
  );
  const pad = (s: string, i: number) => {
    const w = width[i]!;
    const t = s.length > w ? `${s.slice(0, w - 1)}…` : s;
    return numeric[i] ? t.padStart(w) : t.padEnd(w);
  };
  const head = heads
    .map((c, i) => pad(c, i))
    .join('  ')
    .trimEnd();
  const rule = width.map((w) => '─'.repeat(w)).join('  ');
  return [head, rule, ...cells.map((row) => row.map(pad).join('  ').trimEnd())].join('\n');
}

export function renderSections(sections: readonly Section[]): string {
  return sections
    .map((s) => {
      const body = 'text' in s ? s.text : table(s.rows, s.columns);
      return s.title ? `${s.title}\n${body}` : body;
    })
    .join('\n\n');
}

/** A result without its own view: arrays of objects become tables, scalars a key/value table. */
export function renderGeneric(result: unknown): string {
  if (Array.isArray(result)) return table(result as Record<string, unknown>[]);
  if (result && typeof result === 'object') {
    const entries = Object.entries(result as Record<string, unknown>);
    const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
    const lists = entries.filter(([, v]) => Array.isArray(v) && v.every((x) => x && typeof x === 'object'));
    const out: string[] = [];
    if (scalars.length > 0) out.push(table(scalars.map(([key, value]) => ({ key, value }))));
    for (const [k, v] of lists) out.push(`${k}\n${table(v as Record<string, unknown>[])}`);
    if (out.length > 0) return out.join('\n\n');
  }
  return JSON.stringify(result, null, 2);
}
