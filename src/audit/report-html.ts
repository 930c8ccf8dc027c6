import type { AuditItem } from './audit.js';
import type { Kpi, ReportData, ReportEmotion } from './report.js';

/**
 * The report as one self-contained HTML document: inline CSS, charts as inline SVG, no script, no
 * font, no image and no link to fetch, so it reads the same offline, in a mail client and in print.
 * Figures carry `data-figure` attributes naming their place in the report's JSON, so a test can check
 * that what is drawn is what the CLI's JSON says.
 */
const esc = (s: unknown): string =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const num = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits });

function kpiValue(k: Kpi): string {
  if (k.value === null) return '—';
  return k.unit === 'share' ? `${(100 * k.value).toFixed(1)}%` : num(k.value, 2);
}
function kpiInterval(k: Kpi): string {
  if (k.low === null || k.high === null) return '';
  return k.unit === 'share'
    ? `${(100 * k.low).toFixed(1)}–${(100 * k.high).toFixed(1)}%`
    : `${num(k.low, 2)} to ${num(k.high, 2)}`;
}

type Fig = ReportEmotion['stages'][number]['sentiment'];

/**
 * The emotion curve per stage, as the journey map draws it: net sentiment of comments (shaded: its
 * 95 % interval), NPS and CSAT (% satisfied) on one −100…100 axis, higher better on every line; a
 * small sample is drawn as a hollow point and left out of the line. Then the figures in a table.
 */
function emotionSection(e: ReportEmotion | null): string {
  if (e === null || e.stages.length === 0)
    return '<p class="muted">No journey could be drawn for the period (journey emotion).</p>';
  const w = 640;
  const h = 220;
  const left = 44;
  const right = 16;
  const top = 14;
  const bottom = 40;
  const n = e.stages.length;
  const x = (i: number) => left + ((i + 0.5) * (w - left - right)) / n;
  const y = (v: number) => top + ((100 - Math.max(-100, Math.min(100, v))) / 200) * (h - top - bottom);
  const line = (pick: (s: ReportEmotion['stages'][number]) => Fig, cls: string, color: string) => {
    const pts = e.stages.map((s, i) => ({ i, f: pick(s) }));
    const solid = pts.filter((p) => p.f.value !== null && !p.f.smallSample);
    const path = solid.map((p) => `${x(p.i).toFixed(1)},${y(p.f.value!).toFixed(1)}`).join(' ');
    const dots = pts
      .filter((p) => p.f.value !== null)
      .map(
        (p) =>
          `<circle cx="${x(p.i).toFixed(1)}" cy="${y(p.f.value!).toFixed(1)}" r="3.5" fill="${p.f.smallSample ? 'none' : color}" stroke="${color}"/>`,
      )
      .join('');
    return `${solid.length > 1 ? `<polyline class="${cls}" points="${path}" fill="none" stroke="${color}" stroke-width="2"/>` : ''}${dots}`;
  };
  const band = e.stages
    .map((s, i) => ({ i, f: s.sentiment }))
    .filter((p) => p.f.low !== null && p.f.high !== null && !p.f.smallSample);
  const bandPath =
    band.length > 1
      ? `<polygon points="${[
          ...band.map((p) => `${x(p.i).toFixed(1)},${y(p.f.high!).toFixed(1)}`),
          ...[...band].reverse().map((p) => `${x(p.i).toFixed(1)},${y(p.f.low!).toFixed(1)}`),
        ].join(' ')}" fill="#7c3aed" fill-opacity="0.15" stroke="none"/>`
      : '';
  const grid = [-100, -50, 0, 50, 100]
    .map(
      (v) =>
        `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#d9dee7" stroke-width="${v === 0 ? 1.2 : 0.6}"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" class="muted">${v}</text>`,
    )
    .join('');
  const labels = e.stages
    .map(
      (s, i) =>
        `<text x="${x(i).toFixed(1)}" y="${h - bottom + 16}" text-anchor="middle" class="lbl">${esc(s.stage)}</text>`,
    )
    .join('');
  const legend = (
    [
      ['#7c3aed', 'sentiment (band: 95 % interval)', 0],
      ['#2f5fb3', 'NPS', 260],
      ['#059669', 'CSAT, % satisfied', 340],
    ] as const
  )
    .map(
      ([c, t, dx]) =>
        `<rect x="${left + dx}" y="${h - 14}" width="10" height="10" fill="${c}"/><text x="${left + dx + 14}" y="${h - 5}" class="muted">${t}</text>`,
    )
    .join('');
  const svg = `<svg role="img" aria-label="Emotion along the journey ${esc(e.journey)}" viewBox="0 0 ${w} ${h}" width="100%">${grid}${bandPath}${line((s) => s.sentiment, 'sentiment', '#7c3aed')}${line((s) => s.nps, 'nps', '#2f5fb3')}${line((s) => s.csat, 'csat', '#059669')}${labels}${legend}</svg>`;
  const cell = (f: Fig, path: string, digits: number) =>
    f.value === null
      ? '<td>—</td>'
      : `<td><span data-figure="${path}.value">${num(f.value, digits)}</span> <span class="muted">${num(f.low, digits)} to ${num(f.high, digits)}, n = ${num(f.n, 0)}${f.smallSample ? ', small sample' : ''}</span></td>`;
  const rows = e.stages
    .map(
      (s, i) =>
        `<tr><td>${esc(s.stage)}</td>${cell(s.sentiment, `emotion.stages[${i}].sentiment`, 0)}${cell(s.nps, `emotion.stages[${i}].nps`, 1)}${cell(s.csat, `emotion.stages[${i}].csat`, 1)}${cell(s.ces, `emotion.stages[${i}].ces`, 2)}</tr>`,
    )
    .join('');
  return `<h3>Emotion along the journey</h3>${svg}<table><thead><tr><th>Stage</th><th>Net sentiment</th><th>NPS</th><th>CSAT %</th><th>CES (1–7)</th></tr></thead><tbody>${rows}</tbody></table>${
    e.analysedComments === 0 ? '<p class="muted">No comment has a sentiment yet (feedback themes).</p>' : ''
  }`;
}

/** Horizontal bars with interval whiskers on a fixed axis [lo, hi]. */
function barChart(
  rows: readonly {
    label: string;
    value: number | null;
    low?: number | null;
    high?: number | null;
    note?: string;
  }[],
  lo: number,
  hi: number,
  title: string,
): string {
  const w = 640;
  const left = 190;
  const right = 70;
  const rowH = 26;
  const h = rows.length * rowH + 30;
  const x = (v: number) => left + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * (w - left - right);
  const zero = lo < 0 && hi > 0 ? x(0) : x(lo);
  const bars = rows
    .map((r, i) => {
      const y = 10 + i * rowH;
      const label = `<text x="${left - 8}" y="${y + 15}" text-anchor="end" class="lbl">${esc(r.label)}</text>`;
      if (r.value === null) {
        return `${label}<text x="${left + 4}" y="${y + 15}" class="muted">${esc(r.note ?? 'not shown')}</text>`;
      }
      const x0 = Math.min(zero, x(r.value));
      const bw = Math.max(1, Math.abs(x(r.value) - zero));
      const whisker =
        r.low !== null && r.low !== undefined && r.high !== null && r.high !== undefined
          ? `<line x1="${x(r.low)}" x2="${x(r.high)}" y1="${y + 10}" y2="${y + 10}" class="ci"/><line x1="${x(r.low)}" x2="${x(r.low)}" y1="${y + 5}" y2="${y + 15}" class="ci"/><line x1="${x(r.high)}" x2="${x(r.high)}" y1="${y + 5}" y2="${y + 15}" class="ci"/>`
          : '';
      return `${label}<rect x="${x0}" y="${y + 3}" width="${bw}" height="14" class="bar"/>${whisker}<text x="${w - right + 6}" y="${y + 15}" class="val">${num(r.value, 2)}</text>`;
    })
    .join('');
  const axis = `<line x1="${left}" x2="${w - right}" y1="${h - 18}" y2="${h - 18}" class="axis"/><text x="${left}" y="${h - 4}" class="muted">${lo}</text><text x="${w - right}" y="${h - 4}" text-anchor="end" class="muted">${hi}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${bars}${axis}</svg>`;
}

function findingRows(items: readonly AuditItem[], path: string): string {
  if (items.length === 0) return '<p class="muted">No finding.</p>';
  return `<table><thead><tr><th>#</th><th>Finding</th><th>Figure</th><th>Customers</th><th>Revenue at risk</th><th>Owner</th><th>Trend</th></tr></thead><tbody>${items
    .map(
      (i, k) =>
        `<tr data-finding="${esc(i.findingId)}"><td>${k + 1}</td><td>${esc(i.title)}${
          i.evidence.examples.length
            ? `<div class="ev">Evidence: ${i.evidence.examples.map((e) => esc(e.text ? `“${e.text}”` : `${e.kind} ${e.id}`)).join(' · ')}</div>`
            : ''
        }</td><td data-figure="${path}[${k}].value">${num(i.value, 3)}${
          i.ciLow !== null && i.ciHigh !== null
            ? ` <span class="muted">[${num(i.ciLow, 3)}, ${num(i.ciHigh, 3)}]</span>`
            : ''
        }${i.baseline !== null ? `<div class="muted">vs ${num(i.baseline, 3)}</div>` : ''}${i.smallSample ? '<div class="muted">small sample</div>' : ''}</td><td>${num(
          i.customersAffected,
          0,
        )}</td><td>${i.revenueAtRisk === null ? '<span class="muted">no business case</span>' : num(i.revenueAtRisk, 0)}</td><td>${esc(
          i.ownerTeam ?? '—',
        )}</td><td>${esc(i.trend)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

export function renderReportHtml(d: ReportData): string {
  const period =
    d.from || d.to
      ? `${d.from ? d.from.slice(0, 10) : 'start'} – ${d.to ? d.to.slice(0, 10) : 'now'}`
      : 'all data';
  const goals =
    d.goals === null
      ? '<p class="muted">Program goals are not set up in this workspace.</p>'
      : d.goals.length === 0
        ? '<p class="muted">No goal is set.</p>'
        : `<table><thead><tr><th>Goal</th><th>Current</th><th>Target</th><th>Due</th><th>Owner</th><th>Status</th></tr></thead><tbody>${d.goals
            .map(
              (g, k) =>
                `<tr><td>${esc(g.metric)}</td><td data-figure="goals[${k}].current">${num(g.current, 2)}</td><td>${num(g.target, 2)}</td><td>${esc(
                  String(g.due).slice(0, 10),
                )}</td><td>${esc(g.owner ?? '—')}</td><td class="st-${esc(g.status).replace(/\s+/g, '-')}">${esc(g.status)}</td></tr>`,
            )
            .join('')}</tbody></table>`;
  const kpis = d.kpis
    .map(
      (k, i) =>
        `<div class="kpi"><div class="fam">${esc(k.family)}</div><div class="kl">${esc(k.label)}</div><div class="kv" data-figure="kpis[${i}].value">${kpiValue(
          k,
        )}</div><div class="muted">${kpiInterval(k) ? `95% interval ${kpiInterval(k)} · ` : ''}n = ${num(k.n, 0)}</div></div>`,
    )
    .join('');
  const pCounts = Object.entries(d.audit.byP);
  const pChart = barChart(
    pCounts.map(([p, n]) => ({ label: p, value: n })),
    0,
    Math.max(1, ...pCounts.map(([, n]) => n)),
    'Findings per P',
  );
  const tpChart = d.worstTouchpoints.length
    ? barChart(
        d.worstTouchpoints.map((t) => ({
          label: `${t.touchpoint} (n=${t.n})`,
          value: t.value,
          low: t.low,
          high: t.high,
        })),
        1,
        5,
        'Lowest CSAT by touchpoint',
      )
    : '<p class="muted">No touchpoint has 30 CSAT answers in the period.</p>';
  const enpsChart = barChart(
    d.people.teams.map((t) => ({
      label: t.teamName,
      value: t.enps,
      low: t.low,
      high: t.high,
      note:
        t.status === 'published'
          ? ''
          : t.status === 'withheld'
            ? 'withheld (protects a smaller group)'
            : `fewer than ${d.people.minGroup} respondents`,
    })),
    -100,
    100,
    'Employee NPS per team',
  );
  const experiments =
    d.experiments === null
      ? '<p class="muted">No experiment log is kept in this workspace yet.</p>'
      : d.experiments.length === 0
        ? '<p class="muted">No experiment was run.</p>'
        : `<ul>${d.experiments.map((e) => `<li>${esc(JSON.stringify(e))}</li>`).join('')}</ul>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(d.title)} — ${esc(period)}</title>
<style>
:root{--ink:#1b2330;--muted:#5b6678;--line:#d9dee7;--accent:#2f5fb3;--bg:#fff}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0 auto;max-width:960px;padding:28px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}h3{font-size:15px;margin:16px 0 6px;text-transform:capitalize}
.muted{color:var(--muted);font-size:12px}.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:10px}.fam{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--accent)}.kl{font-weight:600}.kv{font-size:24px;font-weight:700}
table{width:100%;border-collapse:collapse;font-size:12.5px}th,td{text-align:left;vertical-align:top;padding:6px;border-bottom:1px solid var(--line)}th{font-size:11px;text-transform:uppercase;color:var(--muted)}
.ev{color:var(--muted);font-size:11.5px;margin-top:3px}svg .bar{fill:var(--accent)}svg .ci,svg .axis{stroke:var(--ink);stroke-width:1.2}svg text{font-size:12px;fill:var(--ink)}svg .muted{fill:var(--muted);font-size:11px}
.note{background:#f4f6fa;border-left:3px solid var(--accent);padding:8px 10px;font-size:12.5px}
section{break-inside:avoid-page}@media print{body{padding:0}h2{break-after:avoid}}
</style></head><body>
<header><h1>${esc(d.title)}</h1><div class="muted">Period: ${esc(period)} · generated ${esc(d.generatedAt.slice(0, 16).replace('T', ' '))} UTC${
    d.audit.id ? ` · audit ${esc(d.audit.id)}` : ' · current findings (no stored audit)'
  }</div></header>
<section><h2>Goals</h2>${goals}</section>
<section><h2>KPIs: loyalty, success, life cycle, engagement</h2><div class="kpis">${kpis}</div></section>
<section><h2>The journey: worst touchpoints and emotion</h2>${tpChart}${emotionSection(d.emotion)}</section>
<section><h2>Top pain points</h2>${findingRows(d.audit.top, 'audit.top')}</section>
<section><h2>Handoffs</h2><p>Team handoffs per case: <strong data-figure="handoffs.perCase">${num(d.handoffs.perCase, 3)}</strong> over ${num(
    d.handoffs.cases,
    0,
  )} cases.</p>${findingRows(d.handoffs.top, 'handoffs.top')}</section>
<section><h2>The 4 P's</h2>${pChart}${Object.entries(d.audit.byPItems)
    .map(([p, items]) => `<h3>${esc(p)}</h3>${findingRows(items, `audit.byPItems.${p}`)}`)
    .join('')}</section>
<section><h2>People</h2><p class="note">Anonymity: no figure for a group of fewer than ${d.people.minGroup} respondents; figures that would let a smaller group be subtracted are withheld. Associations between pulse and customer outcomes are not causes.</p>${enpsChart}${findingRows(
    d.people.findings,
    'people.findings',
  )}</section>
<section><h2>Experiments</h2>${experiments}</section>
</body></html>
`;
}
