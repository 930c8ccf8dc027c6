/** CSV export of any table or chart's data: the one CSV writer of every edge (src/core/csv.ts). */
export { toCsv } from '../core/csv.js';

/** A file name for an export: `touchpoint-journey-map-2026-10-31.csv`. */
export function exportName(title: string, ext: string, date = new Date()): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `touchpoint-${slug || 'export'}-${date.toISOString().slice(0, 10)}.${ext}`;
}

/** Hands a file to the browser's download. */
export function download(name: string, content: string | Blob, type = 'text/csv;charset=utf-8'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
