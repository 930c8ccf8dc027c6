import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { meanBand, type ScoreKind } from '../../core/score-scales.js';
import type { StoredFinding } from '../../findings/index.js';
import type { CheckResult, StageCheck } from '../../journeys/check.js';
import type {
  EmotionFigure,
  EmotionResult,
  EmotionStage,
  EmotionTouchpoint,
} from '../../journeys/emotion.js';
import type { MapCell, MapResult } from '../../journeys/map.js';
import type { PathsResult, Sankey } from '../../journeys/paths.js';
import type { PageProps } from '../app.js';
import { SWITCH_COLUMNS, tableColumns } from '../columns.js';
import { AnalysisPanel } from '../components/analysis.js';
import { Chart, intervalBand, percentHeatmap } from '../components/chart.js';
import { FindingDetail, FindingValue } from '../components/findings.js';
import { OperationTables } from '../components/generic.js';
import { LearningPanel } from '../components/learning-log.js';
import { PersonaLanes } from '../components/persona-lanes.js';
import { StageTrendPanel } from '../components/stage-trend.js';
import { DataTable } from '../components/table.js';
import { Async, Loading, PageHead, Panel } from '../components/ui.js';
import { download, exportName, toCsv } from '../csv.js';
import { fmtCount, fmtDuration, fmtInterval, fmtNumber, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { filterQuery, setQuery } from '../route.js';
import { filterParams, findOp, havePersonas, useApp, useOp } from '../state.js';

type Kind = ScoreKind;
const KINDS: readonly Kind[] = ['csat', 'nps', 'ces'];
/** Verbs drawn on this page; any other journey verb is shown as tables below. */
const KNOWN = [
  'map',
  'funnel',
  'paths',
  'check',
  'pain-points',
  'moments',
  'emotion',
  'stage-trend',
  'persona-lanes',
];
const DRAWING_KEY = 'tp-journey-drawing';

/**
 * A first drawing to check against when the team has not written one: per stage, the touchpoints that
 * at least half of the stage's people use (summed over channels), in the journey's configured order; no
 * channels, no durations. The team edits it to what they believe the journey is.
 */
export function defaultDrawing(map: MapResult): string {
  const stages = map.stages.map((stage) => {
    const cells = map.cells.filter((c) => c.stage === stage);
    const names = [...new Set(cells.map((c) => c.touchpoint))];
    const share = (tp: string) =>
      cells.filter((c) => c.touchpoint === tp).reduce((a, c) => a + c.shareOfStage, 0);
    const common = names.filter((tp) => share(tp) >= 0.5);
    const top = [...names].sort((x, y) => share(y) - share(x))[0];
    return { name: stage, touchpoints: common.length > 0 ? common : top ? [top] : [] };
  });
  return JSON.stringify(
    { journey: map.journey, stages: stages.filter((x) => x.touchpoints.length > 0) },
    null,
    2,
  );
}

/** Score bands for the card colour: good / middling / bad, from the one scale definition (higher is better). */
export function scoreBand(kind: Kind, mean: number | null): 's-good' | 's-mid' | 's-bad' | 's-none' {
  return `s-${meanBand(kind, mean)}`;
}

const hours = (h: number | null | undefined) => fmtDuration(h === null || h === undefined ? null : h * 3600);
const rateText = (r: { value: number | null; low: number | null; high: number | null } | null) =>
  r ? `${fmtPercent(r.value)} (${fmtInterval(r.low, r.high, (v) => fmtPercent(v))})` : '–';

interface TouchpointCard {
  readonly stage: string;
  readonly touchpoint: string;
  readonly cells: readonly MapCell[];
  /** The weakest well-measured channel's score colours the card (a small sample never does). */
  readonly band: ReturnType<typeof scoreBand>;
  readonly answers: number;
  /** People at this touchpoint by the one counting rule (`MapResult.touchpoints`): any event there. */
  readonly people: number | null;
  /** People the company reached there (outbound events: a confirmation, a notice). */
  readonly outbound: number;
  readonly owner: string | null;
}

export function cards(map: MapResult, kind: Kind): TouchpointCard[] {
  const out: TouchpointCard[] = [];
  const counted = map.touchpoints ?? [];
  for (const stage of map.stages) {
    const cells = map.cells.filter((c) => c.stage === stage);
    // every touchpoint of the stage that anyone met, busiest first; outbound-only ones included
    const names = [
      ...new Set([
        ...counted.filter((t) => t.stage === stage).map((t) => t.touchpoint),
        ...cells.map((c) => c.touchpoint),
      ]),
    ];
    for (const tp of names) {
      const mine = cells.filter((c) => c.touchpoint === tp);
      const measured = mine.filter((c) => c.feedback.mean !== null && !c.feedback.smallSample);
      const order = ['s-bad', 's-mid', 's-good'] as const;
      const bands = measured.map((c) => scoreBand(kind, c.feedback.mean));
      const band = order.find((b) => bands.includes(b)) ?? 's-none';
      const t = counted.find((x) => x.touchpoint === tp && x.stage === stage);
      out.push({
        stage,
        touchpoint: tp,
        cells: mine,
        band,
        answers: mine.reduce((a, c) => a + c.feedback.n, 0),
        people: t?.people ?? null,
        outbound: t?.outbound ?? 0,
        owner: t?.owner ?? mine[0]?.owner ?? null,
      });
    }
  }
  const rank = (c: TouchpointCard) => c.people ?? c.cells.reduce((a, x) => a + x.customers, 0);
  return out.sort((a, b) => map.stages.indexOf(a.stage) - map.stages.indexOf(b.stage) || rank(b) - rank(a));
}

/** The three scores' chips on a card: each coloured by its band when well-measured, grey otherwise. */
function ScoreChips(props: { e: EmotionTouchpoint | undefined }) {
  const e = props.e;
  if (!e) return null;
  const chips = KINDS.map((k) => ({ k, f: e.scores[k] })).filter((x) => x.f.n > 0);
  if (chips.length === 0) return null;
  return (
    <span class="chips-line">
      {chips.map(({ k, f }) => {
        // the same band rule as the cards: the mean answer on the score's own scale (meanBand)
        const band = f.smallSample ? 's-none' : scoreBand(k, f.mean);
        return (
          <span
            key={k}
            class={`score-chip ${band}`}
            title={`${k.toUpperCase()} ${fmtInterval(f.low, f.high, (v) => fmtNumber(v, k === 'ces' ? 2 : 1))}, n = ${fmtCount(f.n)}${f.smallSample ? ' (small sample: not coloured)' : ''}`}
          >
            {k.toUpperCase()} {fmtNumber(f.value, k === 'ces' ? 2 : 0)}
          </span>
        );
      })}
    </span>
  );
}

/**
 * The emotion curve: per stage, the net sentiment of the comments (band = 95 % interval) and the
 * three scores (higher is better on all), drawn under the cards; a stage holding a moment of truth
 * (`journey moments` findings) is marked on the curve. Small samples are hollow and off the line.
 */
function EmotionCurve(props: { e: EmotionResult; moments: readonly StoredFinding[] }) {
  const st = props.e.stages;
  const x = st.map((s) => s.stage);
  const ok = (f: EmotionFigure, v: number | null) => (f.smallSample ? null : v);
  const cesPct = (v: number | null) => (v === null ? null : ((v - 1) / 6) * 100);
  const momentAt = (s: EmotionStage) =>
    props.moments.filter((m) => s.touchpoints.some((t) => t.touchpoint === m.slice.touchpoint));
  const rows = st.map((s) => ({
    stage: s.stage,
    sentiment: s.sentiment.value,
    sentimentLow: s.sentiment.low,
    sentimentHigh: s.sentiment.high,
    comments: s.sentiment.n,
    nps: s.scores.nps.value,
    npsN: s.scores.nps.n,
    csat: s.scores.csat.value,
    csatN: s.scores.csat.n,
    ces: s.scores.ces.value,
    cesN: s.scores.ces.n,
    momentOfTruth: momentAt(s)
      .map((m) => m.slice.touchpoint)
      .join(', '),
  }));
  return (
    <div data-testid="emotion-curve" data-points={st.length}>
      <h3 class="curve-title">Emotion along the journey</h3>
      <p class="muted small">
        Net sentiment of comments (% positive − % negative, shaded: 95 % interval) and NPS on the left axis;
        CSAT (% satisfied) and CES (position on its 1–7 scale) on the right. Higher is better on every line. ◆
        = a moment of truth found by the moments analysis.
        {props.e.analysedComments === 0 &&
          ' No comment has a sentiment yet: run the theme analysis (Voice page).'}
      </p>
      <Chart
        title="Emotion curve"
        height={260}
        rows={rows}
        option={{
          grid: { left: 50, right: 50, top: 30, bottom: 30 },
          legend: { top: 0 },
          tooltip: {
            trigger: 'axis',
            formatter: (ps: { dataIndex: number }[]) => {
              const s = st[ps[0]?.dataIndex ?? 0]!;
              const f = (v: EmotionFigure, d: number) =>
                v.value === null
                  ? '–'
                  : `${fmtNumber(v.value, d)} (${fmtInterval(v.low, v.high, (y) => fmtNumber(y, d))}) n = ${fmtCount(v.n)}${v.smallSample ? ' · small sample' : ''}`;
              const m = momentAt(s).map((x) => x.slice.touchpoint);
              return tipHtml`${s.stage}<br/>Sentiment ${f(s.sentiment, 0)}<br/>NPS ${f(s.scores.nps, 1)}<br/>CSAT ${f(s.scores.csat, 1)} %<br/>CES ${f(s.scores.ces, 2)}${m.length ? `<br/>Moment of truth: ${m.join(', ')}` : ''}`;
            },
          },
          xAxis: { type: 'category', data: x, boundaryGap: true },
          yAxis: [
            { type: 'value', min: -100, max: 100, name: 'sentiment, NPS' },
            { type: 'value', min: 0, max: 100, name: '%', splitLine: { show: false } },
          ],
          series: [
            ...intervalBand(
              st.map((s) => ok(s.sentiment, s.sentiment.low)),
              st.map((s) =>
                ok(
                  s.sentiment,
                  s.sentiment.high !== null && s.sentiment.low !== null
                    ? s.sentiment.high - s.sentiment.low
                    : null,
                ),
              ),
              '#7c3aed',
            ),
            {
              type: 'line',
              name: 'Sentiment',
              data: st.map((s) => ok(s.sentiment, s.sentiment.value)),
              color: '#7c3aed',
              lineStyle: { width: 3 },
              symbolSize: 8,
              connectNulls: true,
              markPoint: {
                symbol: 'diamond',
                symbolSize: 16,
                itemStyle: { color: '#b91c1c' },
                label: { show: false },
                data: st.flatMap((s, i) =>
                  momentAt(s).length > 0 && s.sentiment.value !== null
                    ? [{ coord: [i, s.sentiment.value], name: 'moment of truth' }]
                    : [],
                ),
              },
            },
            {
              type: 'line',
              name: 'NPS',
              data: st.map((s) => ok(s.scores.nps, s.scores.nps.value)),
              color: '#2563eb',
              connectNulls: true,
            },
            {
              type: 'line',
              name: 'CSAT %',
              yAxisIndex: 1,
              data: st.map((s) => ok(s.scores.csat, s.scores.csat.value)),
              color: '#059669',
              connectNulls: true,
            },
            {
              type: 'line',
              name: 'CES',
              yAxisIndex: 1,
              data: st.map((s) => ok(s.scores.ces, cesPct(s.scores.ces.value))),
              color: '#d97706',
              connectNulls: true,
            },
          ],
        }}
      />
    </div>
  );
}

/** Sankey of the most common paths: step i's touchpoint → step i+1's, weighted by people (acyclic by step). */
export function variantSankey(variants: PathsResult['variants']['top'], maxSteps = 6): Sankey {
  const nodes = new Map<string, { name: string; step: number; touchpoint: string }>();
  const links = new Map<string, number>();
  for (const v of variants) {
    const steps = v.path.slice(0, maxSteps);
    steps.forEach((tp, i) => {
      const name = `${i + 1}. ${tp}`;
      nodes.set(name, { name, step: i + 1, touchpoint: tp });
      if (i > 0) {
        const key = `${i}. ${steps[i - 1]}\u0000${name}`;
        links.set(key, (links.get(key) ?? 0) + v.people);
      }
    });
  }
  return {
    nodes: [...nodes.values()],
    links: [...links].map(([k, value]) => {
      const [source, target] = k.split('\u0000') as [string, string];
      return { source, target, value };
    }),
  };
}

function SankeyChart(props: { title: string; sankey: Sankey; height?: number }) {
  const { sankey } = props;
  if (sankey.links.length === 0) return <p class="empty">No paths in this period.</p>;
  return (
    <Chart
      title={props.title}
      height={props.height ?? 380}
      rows={sankey.links.map((l) => ({ from: l.source, to: l.target, people: l.value }))}
      option={{
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'sankey',
            left: 10,
            right: 120,
            nodeGap: 10,
            emphasis: { focus: 'adjacency' },
            data: sankey.nodes.map((n) => ({ name: n.name })),
            links: sankey.links,
            lineStyle: { color: 'gradient', opacity: 0.35 },
            label: { fontSize: 11 },
          },
        ],
      }}
    />
  );
}

const checkOf = (c: CheckResult | undefined, stage: string): StageCheck | undefined =>
  c?.stages.find((x) => x.stage === stage);

/** The assumed-vs-observed check of one stage, drawn in its column head. */
function StageCheckLine(props: { c: StageCheck }) {
  const { c } = props;
  const bad = c.slowerThanAssumed || (c.fitness.value !== null && c.fitness.value < 0.7);
  return (
    <p class={`check${bad ? ' missing' : ''}`}>
      {bad ? '⚠' : '✓'} {fmtPercent(c.fitness.value, 0)} follow the drawing (
      {fmtInterval(c.fitness.low, c.fitness.high, (v) => fmtPercent(v, 0))})
      {c.maxDays !== null && (
        <>
          <br />
          median {fmtNumber(c.medianDays, 1)} days vs {fmtNumber(c.maxDays, 1)} assumed
          {c.slowerThanAssumed ? ' — slower than assumed' : ''}
        </>
      )}
      {c.offChannelShare !== null && c.offChannelShare > 0 && (
        <>
          <br />
          {fmtPercent(c.offChannelShare, 0)} of events on channels not drawn
        </>
      )}
    </p>
  );
}

/** The team's assumed journey (JSON or YAML, kept in this browser), checked against the data. */
function DrawingEditor(props: {
  text: string;
  check: CheckResult | undefined;
  /** Whether the team drew this journey (else the editor holds a starting point derived from the data). */
  drawn: boolean;
  error?: string;
  onSave: (t: string | null) => void;
}) {
  const [text, setText] = useState(props.text);
  const [openEditor, setOpenEditor] = useState(false);
  return (
    <Panel
      title="Assumed vs observed"
      subtitle="The journey as the team draws it, checked against what customers did; the result is drawn on the map above"
      wide
      actions={
        <button
          type="button"
          class="btn small"
          aria-expanded={openEditor}
          onClick={() => setOpenEditor((o) => !o)}
        >
          {openEditor ? 'Hide drawing' : 'Edit drawing'}
        </button>
      }
    >
      {props.error && <p class="error">{props.error}</p>}
      {!props.drawn && (
        <p class="empty" data-testid="no-drawing">
          No assumed journey yet: draw the journey your team believes customers take (Edit drawing) and the
          map shows how many follow it. A starting point derived from the data is in the editor; it is not
          checked against the data it came from.
        </p>
      )}
      {props.check && (
        <DataTable
          title="Assumed vs observed by stage"
          rows={props.check.stages}
          columns={[
            { key: 'stage' },
            { key: 'drawn', label: 'Drawn', value: (c) => c.drawn.join(' → ') },
            { key: 'people', numeric: true },
            {
              key: 'fitness',
              label: 'Follow the drawing',
              numeric: true,
              value: (c) => c.fitness.value,
              render: (c) => rateText(c.fitness),
            },
            {
              key: 'medianDays',
              label: 'Median days',
              numeric: true,
              render: (c) => fmtNumber(c.medianDays, 1),
            },
            {
              key: 'maxDays',
              label: 'Assumed max days',
              numeric: true,
              render: (c) => fmtNumber(c.maxDays, 1),
            },
            { key: 'slower', label: 'Slower than assumed', numeric: true },
            {
              key: 'deviations',
              label: 'Most common other path',
              value: (c) =>
                c.deviations[0]
                  ? `${c.deviations[0].path.join(' → ')} (${fmtCount(c.deviations[0].people)})`
                  : '–',
            },
          ]}
        />
      )}
      {openEditor && (
        <div class="editor">
          <label class="filter" style={{ width: '100%' }}>
            <span>
              Drawing (JSON or YAML: stages with touchpoints in order, optional channels and maxDays)
            </span>
            <textarea
              rows={14}
              spellcheck={false}
              value={text}
              onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <button type="button" class="btn primary" onClick={() => props.onSave(text)}>
            Check this drawing
          </button>{' '}
          <button type="button" class="btn" onClick={() => props.onSave(null)}>
            Reset to the default
          </button>
        </div>
      )}
    </Panel>
  );
}

const BREAKDOWNS = [
  ['channel', 'entry channel'],
  ['segment:segment', 'segment'],
  ['segment:plan', 'plan'],
  ['segment:region', 'region'],
  ['cohort', 'cohort (month joined)'],
  ['persona', 'persona'],
] as const;

/** Stage conversion by a breakdown (`journey funnel --by`), as a heatmap: rows = groups, columns = stages. */
function ConversionBy(props: { by: string; filters: Record<string, string> }) {
  const { ops } = useApp();
  const op = findOp(ops, 'journey', 'funnel');
  const state = useOp('journey.funnel', {
    ...filterParams(op, props.filters),
    by: [props.by],
  });
  return (
    <Panel
      title="Conversion by group"
      subtitle="Share of people moving on from the previous stage, per group (95 % intervals in the data)"
      wide
      actions={
        <label class="filter">
          <span>Break down by</span>
          <select value={props.by} onChange={(e) => setQuery({ by: (e.target as HTMLSelectElement).value })}>
            {BREAKDOWNS.filter(([v]) => v !== 'persona' || havePersonas()).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <Async state={state} what="conversion by group">
        {(f) => {
          const groups = f.groups.slice(0, 25);
          const label = (g: (typeof groups)[number]) =>
            Object.values(g.key)
              .map((v) => v ?? '(none)')
              .join(' · ');
          const stages = f.steps.slice(1);
          const cells = groups.flatMap((g, y) =>
            stages.map((st, x): [number, number, number | null] => {
              const step = g.steps.find((s2) => s2.step === st);
              return [
                x,
                y,
                step?.stepConversion?.value === null || !step?.stepConversion
                  ? null
                  : Math.round(step.stepConversion.value * 1000) / 10,
              ];
            }),
          );
          const rows = groups.flatMap((g) =>
            stages.map((st) => {
              const step = g.steps.find((s2) => s2.step === st);
              return {
                group: label(g),
                stage: st,
                reached: step?.reached ?? null,
                conversion: step?.stepConversion?.value ?? null,
                low: step?.stepConversion?.low ?? null,
                high: step?.stepConversion?.high ?? null,
                n: step?.stepConversion?.n ?? null,
              };
            }),
          );
          if (groups.length === 0) return <p class="empty">No groups for this breakdown.</p>;
          return (
            <Chart
              title={`Stage conversion by ${props.by}`}
              height={80 + groups.length * 26}
              rows={rows}
              option={{
                tooltip: {
                  formatter: (p: { data: [number, number, number | null] }) => {
                    const r = rows[p.data[1] * stages.length + p.data[0]]!;
                    return tipHtml`${r.group} → ${r.stage}<br/>${fmtPercent(r.conversion)} (${fmtInterval(r.low, r.high, (v) => fmtPercent(v))}), n = ${fmtCount(r.n)}`;
                  },
                },
                grid: { left: 160, right: 20, top: 10, bottom: 60 },
                xAxis: {
                  type: 'category',
                  data: stages.map((st, i) => `${f.steps[i]} → ${st}`),
                  axisLabel: { fontSize: 11 },
                },
                yAxis: { type: 'category', data: groups.map(label), inverse: true },
                ...percentHeatmap(cells),
              }}
            />
          );
        }}
      </Async>
    </Panel>
  );
}

/** Everything known about one touchpoint: its figures per channel, findings, and the paths around it. */
function TouchpointEvidence(props: {
  card: TouchpointCard;
  kind: Kind;
  findings: readonly StoredFinding[];
  filters: Record<string, string>;
  onClose: () => void;
}) {
  const { ops } = useApp();
  const { card } = props;
  const pathsOp = findOp(ops, 'journey', 'paths');
  const around = useOp(
    'journey.paths',
    { ...filterParams(pathsOp, props.filters), around: card.touchpoint, top: 5, depth: 2 },
    !!pathsOp,
  );
  const [open, setOpen] = useState<StoredFinding | null>(null);
  const mine = props.findings.filter((f) => f.slice.touchpoint === card.touchpoint);
  // a click on a card brings its evidence into view (it sits below the map)
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
    ref.current?.focus({ preventScroll: true });
  }, [card.touchpoint]);
  return (
    <div ref={ref} tabIndex={-1} class="evidence-anchor" data-testid="touchpoint-evidence">
      <Panel
        title={`Touchpoint: ${card.touchpoint}`}
        subtitle={`Stage ${card.stage} · owner ${card.owner ?? 'not mapped'}${card.people !== null ? ` · ${fmtCount(card.people)} people` : ''}`}
        wide
        actions={
          <button
            type="button"
            class="btn small"
            onClick={props.onClose}
            aria-label="Close touchpoint evidence"
          >
            ✕ Close
          </button>
        }
      >
        <DataTable
          title={`${card.touchpoint} by channel`}
          rows={card.cells}
          columns={[
            { key: 'channel' },
            { key: 'customers', numeric: true },
            {
              key: 'shareOfStage',
              label: 'Share of stage',
              numeric: true,
              render: (c) => fmtPercent(c.shareOfStage),
            },
            {
              key: 'score',
              label: `${props.kind.toUpperCase()} (95 % interval)`,
              numeric: true,
              value: (c) => c.feedback.mean,
              render: (c) =>
                c.feedback.mean === null
                  ? 'no answers'
                  : `${fmtNumber(c.feedback.mean, 2)} (${fmtInterval(c.feedback.low, c.feedback.high, (v) => fmtNumber(v, 2))}) n = ${fmtCount(c.feedback.n)}${c.feedback.smallSample ? ' · small sample' : ''}`,
            },
            {
              key: 'conversion',
              label: 'Conversion to next stage',
              numeric: true,
              value: (c) => c.conversion?.value ?? null,
              render: (c) => rateText(c.conversion),
            },
            {
              key: 'medianHoursToNext',
              label: 'Median time to next',
              numeric: true,
              render: (c) => hours(c.medianHoursToNext),
            },
            {
              key: 'contactRate',
              label: 'Contact rate',
              numeric: true,
              value: (c) => c.contactRate.value,
              render: (c) => rateText(c.contactRate),
            },
            { key: 'owner' },
          ]}
        />
        <h3>Findings at this touchpoint</h3>
        {mine.length === 0 ? (
          <p class="empty">No analysis flags this touchpoint.</p>
        ) : (
          <div class="split">
            <ul class="examples" style={{ flex: 1 }}>
              {mine.map((f) => (
                <li key={f.id}>
                  <button type="button" class="link" onClick={() => setOpen(f)}>
                    {f.title}
                  </button>{' '}
                  <FindingValue f={f} />
                </li>
              ))}
            </ul>
            {open && <FindingDetail f={open} onClose={() => setOpen(null)} />}
          </div>
        )}
        {pathsOp && (
          <Async state={around} what="paths around it">
            {(d) =>
              d.around && (
                <div class="grid">
                  <div>
                    <h3>Paths before {card.touchpoint}</h3>
                    <SankeyChart
                      title={`Paths before ${card.touchpoint}`}
                      sankey={d.around.before}
                      height={360}
                    />
                  </div>
                  <div>
                    <h3>Paths after {card.touchpoint}</h3>
                    <SankeyChart
                      title={`Paths after ${card.touchpoint}`}
                      sankey={d.around.after}
                      height={360}
                    />
                  </div>
                </div>
              )
            }
          </Async>
        )}
      </Panel>
    </div>
  );
}

/**
 * The journey map: stages as columns, touchpoints as cards coloured by score with n, conversion and
 * median time between stages, channels; the worst touchpoints (journey findings) outlined; a Sankey of
 * the most common paths. A card opens its evidence.
 */
export function JourneyPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  const kind = (KINDS as readonly string[]).includes(props.route.query.score ?? '')
    ? (props.route.query.score as Kind)
    : 'csat';
  const mapOp = findOp(ops, 'journey', 'map');
  const funnelOp = findOp(ops, 'journey', 'funnel');
  const pathsOp = findOp(ops, 'journey', 'paths');
  const map = useOp('journey.map', { ...filterParams(mapOp, filters), feedbackKind: kind });
  const funnel = useOp('journey.funnel', filterParams(funnelOp, filters));
  // the map first: secondary pictures are asked for once it is drawn, so they do not slow it down
  const mapReady = map.data !== undefined || map.error !== undefined;
  const paths = useOp('journey.paths', { ...filterParams(pathsOp, filters), top: 15 }, mapReady);
  const all = useOp('findings.list', { limit: 1000 });
  const emotionOp = findOp(ops, 'journey', 'emotion');
  const emotion = useOp('journey.emotion', filterParams(emotionOp, filters), !!emotionOp && mapReady);
  const emotionOf = (tp: string) =>
    emotion.data?.stages.flatMap((x) => x.touchpoints).find((t) => t.touchpoint === tp);
  const moments = useMemo(
    () => (all.data?.findings ?? []).filter((f) => f.analysis === 'journey.moments' && f.slice.touchpoint),
    [all.data],
  );
  const checkOp = findOp(ops, 'journey', 'check');
  const [drawing, setDrawing] = useState<string | null>(() => localStorage.getItem(DRAWING_KEY));
  const effectiveDrawing = drawing ?? (map.data ? defaultDrawing(map.data) : null);
  const check = useOp(
    'journey.check',
    { ...filterParams(checkOp, filters), drawing: effectiveDrawing ?? undefined },
    // a journey nobody drew is not checked: "21 % follow the drawing" of a drawing derived from the
    // data itself would be a figure about nothing
    !!checkOp && drawing !== null && mapReady,
  );
  const checked = drawing !== null ? check.data : undefined;
  const journeyFindings = useMemo(
    () => (all.data?.findings ?? []).filter((f) => f.analysis.startsWith('journey') && f.slice.touchpoint),
    [all.data],
  );
  const worst = useMemo(() => {
    const seen: StoredFinding[] = [];
    for (const f of journeyFindings)
      if (!seen.some((s) => s.slice.touchpoint === f.slice.touchpoint)) seen.push(f);
    return seen.slice(0, 5);
  }, [journeyFindings]);
  const worstSet = new Set(worst.map((f) => f.slice.touchpoint));
  const [selected, setSelected] = useState<string | null>(props.route.query.touchpoint ?? null);
  const open = (tp: string | null) => {
    setSelected(tp);
    setQuery({ touchpoint: tp ?? undefined });
  };

  return (
    <div class="page">
      <PageHead title="Journey map" uses={['journey.*']}>
        <label class="filter">
          <span>Card colour</span>
          <select value={kind} onChange={(e) => setQuery({ score: (e.target as HTMLSelectElement).value })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      </PageHead>
      {mapOp && (
        <Async state={map} what="the journey map">
          {(m) => {
            const cs = cards(m, kind);
            const steps = funnel.data?.overall ?? [];
            const card = cs.find((c) => c.touchpoint === selected);
            return (
              <>
                <Panel
                  primary
                  title={`Journey: ${m.journey}`}
                  subtitle={`${fmtCount(m.people)} people as of ${m.asOf.slice(0, 10)} · cards coloured by ${kind.toUpperCase()} of their weakest well-measured channel · outlined: worst touchpoints found`}
                  wide
                  actions={
                    <button
                      type="button"
                      class="btn small"
                      aria-label="Export the journey map as CSV"
                      onClick={() =>
                        download(
                          exportName(`journey map ${m.journey}`, 'csv'),
                          toCsv(
                            m.cells.map((c) => ({
                              stage: c.stage,
                              touchpoint: c.touchpoint,
                              channel: c.channel,
                              owner: c.owner,
                              customers: c.customers,
                              shareOfStage: c.shareOfStage,
                              conversion: c.conversion?.value ?? null,
                              conversionLow: c.conversion?.low ?? null,
                              conversionHigh: c.conversion?.high ?? null,
                              medianHoursToNext: c.medianHoursToNext,
                              [`${kind}Mean`]: c.feedback.mean,
                              [`${kind}Low`]: c.feedback.low,
                              [`${kind}High`]: c.feedback.high,
                              [`${kind}N`]: c.feedback.n,
                              contactRate: c.contactRate.value,
                              worst: worstSet.has(c.touchpoint),
                            })),
                          ),
                        )
                      }
                    >
                      CSV
                    </button>
                  }
                >
                  <div class="legend" aria-hidden="true">
                    <span>
                      <span class="swatch" style={{ background: '#059669' }} />
                      good
                    </span>
                    <span>
                      <span class="swatch" style={{ background: '#d97706' }} />
                      middling
                    </span>
                    <span>
                      <span class="swatch" style={{ background: '#dc2626' }} />
                      poor
                    </span>
                    <span>
                      <span class="swatch" style={{ background: 'var(--border)' }} />
                      no well-measured score
                    </span>
                  </div>
                  <ul class="journey" aria-label="Journey stages">
                    {m.stages.map((stage, i) => {
                      const step = steps.find((s) => s.step === stage);
                      return (
                        <li class="stage" key={stage}>
                          <div class="stage-head">
                            <h3>{stage}</h3>
                            {step && (
                              <div class="muted small">
                                {fmtCount(step.reached)} reached
                                {i > 0 &&
                                  step.stepConversion &&
                                  ` · ${fmtPercent(step.stepConversion.value)} from ${m.stages[i - 1]}`}
                              </div>
                            )}
                          </div>
                          {checkOf(checked, stage) && <StageCheckLine c={checkOf(checked, stage)!} />}
                          {i > 0 && step && (
                            <p class="between">
                              ↳ conversion {rateText(step.stepConversion)}
                              <br />
                              median {hours(step.medianHoursFromPrevious)} from {m.stages[i - 1]}
                            </p>
                          )}
                          {cs
                            .filter((c) => c.stage === stage)
                            .map((c) => (
                              <button
                                type="button"
                                key={c.touchpoint}
                                class={`tp ${c.band}${worstSet.has(c.touchpoint) ? ' worst' : ''}`}
                                aria-pressed={selected === c.touchpoint}
                                onClick={() => open(selected === c.touchpoint ? null : c.touchpoint)}
                              >
                                <span class="tp-name">
                                  {c.touchpoint}
                                  {worstSet.has(c.touchpoint) && <span class="tag warn">worst</span>}
                                  {checkOf(checked, stage)?.drawn.includes(c.touchpoint) && (
                                    <span class="tag" title="on the assumed journey">
                                      drawn
                                    </span>
                                  )}
                                </span>
                                <span class="tp-meta tp-owner">
                                  {c.owner ? `owner ${c.owner}` : 'no owner'}
                                  {c.people !== null && ` · ${fmtCount(c.people)} people`}
                                  {c.outbound > 0 && c.cells.length === 0 && ' · sent by us'}
                                </span>
                                {c.cells.map((x) => (
                                  <span class="tp-meta" key={x.channel} style={{ display: 'block' }}>
                                    {x.channel}: {fmtCount(x.customers)} people
                                    {x.conversion?.value !== null &&
                                      x.conversion !== null &&
                                      ` · ${fmtPercent(x.conversion.value, 0)} on`}
                                  </span>
                                ))}
                                <ScoreChips e={emotionOf(c.touchpoint)} />
                                {emotionOf(c.touchpoint)?.quote && (
                                  <q class={`tp-quote ${emotionOf(c.touchpoint)!.quote!.sentiment}`}>
                                    {emotionOf(c.touchpoint)!.quote!.text}
                                  </q>
                                )}
                              </button>
                            ))}
                        </li>
                      );
                    })}
                  </ul>
                  {emotion.data && <EmotionCurve e={emotion.data} moments={moments} />}
                  {emotionOp && !emotion.data && emotion.loading && <Loading what="the emotion curve" />}
                  {checked && (checked.missingFromDrawing.length > 0 || checked.unused.length > 0) && (
                    <div class="check-foot">
                      {checked.missingFromDrawing.length > 0 && (
                        <p>
                          <strong>Used but not on the assumed journey:</strong>{' '}
                          {checked.missingFromDrawing.slice(0, 8).map((m) => (
                            <span class="tag ghost" key={m.touchpoint}>
                              {m.touchpoint} · {fmtCount(m.people)} people
                            </span>
                          ))}
                        </p>
                      )}
                      {checked.unused.length > 0 && (
                        <p>
                          <strong>Drawn but nobody used them:</strong>{' '}
                          {checked.unused.map((u) => (
                            <span class="tag ghost" key={u}>
                              {u}
                            </span>
                          ))}
                        </p>
                      )}
                    </div>
                  )}
                </Panel>
                {checkOp && (
                  <DrawingEditor
                    text={effectiveDrawing ?? ''}
                    check={checked}
                    drawn={drawing !== null}
                    error={drawing !== null ? check.error?.message : undefined}
                    onSave={(t) => {
                      if (t === null) localStorage.removeItem(DRAWING_KEY);
                      else localStorage.setItem(DRAWING_KEY, t);
                      setDrawing(t);
                    }}
                  />
                )}
                {card && (
                  <TouchpointEvidence
                    key={card.touchpoint}
                    card={card}
                    kind={kind}
                    findings={all.data?.findings ?? []}
                    filters={filters}
                    onClose={() => open(null)}
                  />
                )}
              </>
            );
          }}
        </Async>
      )}
      <PersonaLanes filters={filters} enabled={mapReady} />
      <StageTrendPanel filters={filters} enabled={mapReady} />
      <div class="grid">
        <LearningPanel touchpoint={selected} />
        <Panel title="Worst touchpoints" subtitle="From the journey analyses' findings, well-measured first">
          <Async state={all} what="findings">
            {() =>
              worst.length === 0 ? (
                <p class="empty">No journey analysis has flagged a touchpoint yet.</p>
              ) : (
                <ol class="worst-list" data-testid="worst-touchpoints">
                  {worst.map((f) => (
                    <li key={f.id} data-touchpoint={f.slice.touchpoint}>
                      <button type="button" class="link" onClick={() => open(f.slice.touchpoint ?? null)}>
                        {f.slice.touchpoint}
                      </button>
                      : {f.title} <FindingValue f={f} />
                    </li>
                  ))}
                </ol>
              )
            }
          </Async>
        </Panel>
        {pathsOp && (
          <Panel
            title="Channel switches"
            subtitle="People changing channel within a day: where one channel fails them"
          >
            <Async state={paths} what="switches">
              {(p) => (
                <DataTable
                  title="Channel switches"
                  rows={p.switches}
                  columns={tableColumns(SWITCH_COLUMNS)}
                />
              )}
            </Async>
          </Panel>
        )}
        {pathsOp && (
          <Panel
            title="Most common paths"
            subtitle="The 15 most common paths through the journey, first six steps"
            wide
          >
            <Async state={paths} what="paths">
              {(p) => (
                <>
                  <SankeyChart
                    title="Most common paths"
                    sankey={variantSankey(p.variants.top)}
                    height={460}
                  />
                  <p class="muted small">
                    The paths shown cover {fmtPercent(p.variants.coveredShare)} of {fmtCount(p.people)}{' '}
                    people; {fmtCount(p.variants.distinct)} distinct paths in all.
                  </p>
                </>
              )}
            </Async>
          </Panel>
        )}
        {funnelOp && (
          <ConversionBy
            by={
              (BREAKDOWNS.map((b) => b[0]) as readonly string[]).includes(props.route.query.by ?? '') &&
              (props.route.query.by !== 'persona' || havePersonas())
                ? props.route.query.by!
                : 'channel'
            }
            filters={filters}
          />
        )}
        <AnalysisPanel
          area="journey"
          verb="pain-points"
          analysis="journey.pain-points"
          title="Journey pain points"
          subtitle="Drop-offs, long waits and channel switches by touchpoint, against the rest of the journey"
          filters={filters}
        />
        <AnalysisPanel
          area="journey"
          verb="moments"
          analysis="journey.moments"
          title="Moments of truth"
          subtitle="Touchpoints where a bad outcome goes with lower retention and NPS later, within comparable customers"
          filters={filters}
        />
        {ops
          .filter((o) => o.area === 'journey' && o.method === 'get' && !KNOWN.includes(o.verb))
          .map((o) => (
            <OperationTables key={o.verb} op={o} filters={filters} />
          ))}
      </div>
    </div>
  );
}
