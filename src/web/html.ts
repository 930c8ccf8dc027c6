/**
 * The one HTML escape of the cockpit. Preact escapes everything it renders; the only HTML the cockpit
 * builds by hand is ECharts tooltips (a formatter's string is inserted as HTML). Every tooltip
 * formatter builds its text with `tipHtml`, so a team, stage, group or theme name from ingest (say
 * `<img src=x onerror=…>`) is shown as text, never run (issue 16.5).
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text → HTML text: & < > " ' as entities. null/undefined → ''. */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A tooltip's HTML: the template's literal parts are markup (`<br/>`), every interpolated value is
 * escaped. `tipHtml\`${team}<br/>${n} cases\``.
 */
export function tipHtml(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += escapeHtml(values[i]) + (strings[i + 1] ?? '');
  return out;
}
