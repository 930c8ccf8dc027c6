import { changeDirection, SCORE_SCALES } from '../../core/score-scales.js';
import type { ScoresResult } from '../../feedback/scores.js';
import type { StoredFinding } from '../../findings/index.js';
import type { Score, SummaryResult } from '../../overview/index.js';
import type { PageProps } from '../app.js';
import { Chart } from '../components/chart.js';
import { findingColumns } from '../components/findings.js';
import { DataTable } from '../components/table.js';
import { Async, Loading, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtInterval, fmtMoney, fmtNumber, humanize } from '../format.js';
import { buildHash, filterQuery } from '../route.js';
import { filterParams, findOp, getLatestData, useApp, useOp } from '../state.js';
import { TrendSection, useTrend } from './trend.js';

/** Tiles: each unit and direction text comes from the one scale definition (higher is better). */
export const SCORES = [
  ['nps', 'NPS', (v: number) => fmtNumber(v, 1), 'points, −100 to 100, higher is better'],
  [
    'csat',
    'CSAT',
    (v: number) => `${fmtNumber(v, 1)} %`,
    `share of ${SCORE_SCALES.csat.goodAtLeast}–${SCORE_SCALES.csat.max} answers, higher is better`,
  ],
  ['ces', 'CES', (v: number) => fmtNumber(v, 2), `mean answer, ${SCORE_SCALES.ces.direction}`],
] as const;

function ScoreStat(props: { label: string; s: Score | undefined; fmt: (v: number) => string; unit: string }) {
  const s = props.s;
  if (!s || s.value === null) return <Stat label={props.label} value="–" detail="no answers yet" />;
  return (
    <Stat
      label={props.label}
      value={props.fmt(s.value)}
      detail={`95 % interval ${fmtInterval(s.low, s.high, props.fmt)} · n = ${fmtCount(s.n)} · ${props.unit}${s.smallSample ? ' · small sample' : ''}`}
    />
  );
}

const addDays = (iso: string, d: number) =>
  new Date(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);

/**
 * The latest week (Monday, `YYYY-MM-DD`) that the data covers completely: its end (Monday + 7 days)
 * is at or before the latest data time, so the week of the last answer, still running, is never
 * compared with a full one. Without a latest time, the week before the last one seen.
 */
export function lastCompleteWeek(weeks: readonly string[], latest: string | null): string | undefined {
  const sorted = [...weeks].sort();
  if (!latest) return sorted.at(-2);
  const end = Date.parse(latest);
  return sorted.filter((w) => Date.parse(`${addDays(w, 7)}T00:00:00Z`) <= end).at(-1);
}

/**
 * What changed since last week: each score in the latest week of data against the week before, with
 * the difference's 95 % interval and whether it is significant (the feedback capability's own test).
 */
function WeekOverWeek(props: { week: string; filters: Record<string, string> }) {
  const { ops } = useApp();
  const op = findOp(ops, 'feedback', 'scores');
  const base = {
    ...filterParams(op, props.filters),
    from: props.week,
    to: addDays(props.week, 7),
    compareFrom: addDays(props.week, -7),
    compareTo: props.week,
  };
  const states = [
    useOp<ScoresResult>('feedback', 'scores', { ...base, kind: 'nps' }),
    useOp<ScoresResult>('feedback', 'scores', { ...base, kind: 'csat' }),
    useOp<ScoresResult>('feedback', 'scores', { ...base, kind: 'ces' }),
  ];
  const rows = states.flatMap((s) =>
    s.data
      ? s.data.rows.map((r) => ({
          kind: s.data!.kind,
          score: SCORE_SCALES[s.data!.kind].label,
          thisWeek: r.value,
          weekBefore: r.change?.previous.value ?? null,
          change: r.change?.difference ?? null,
          interval: fmtInterval(r.change?.low, r.change?.high),
          significant: r.change?.significant ?? false,
          n: r.n,
        }))
      : [],
  );
  return (
    <Panel
      title="What changed since last week"
      subtitle={`Week of ${fmtDate(props.week)} (the latest complete week of data) against the week before; 95 % interval of the change`}
    >
      {states.some((s) => s.loading) && rows.length === 0 ? (
        <Loading what="changes" />
      ) : (
        <DataTable
          title="What changed since last week"
          rows={rows}
          columns={[
            { key: 'score' },
            { key: 'thisWeek', label: 'Last week', numeric: true, render: (r) => fmtNumber(r.thisWeek, 1) },
            {
              key: 'weekBefore',
              label: 'Week before',
              numeric: true,
              render: (r) => fmtNumber(r.weekBefore, 1),
            },
            {
              key: 'change',
              numeric: true,
              render: (r) =>
                r.change === null ? (
                  '–'
                ) : (
                  <span class={r.significant ? (changeDirection(r.kind, r.change) >= 0 ? 'up' : 'down') : ''}>
                    {Math.abs(r.change) < 0.05 ? '± ' : r.change >= 0 ? '▲ +' : '▼ '}
                    {fmtNumber(r.change, 1)}
                  </span>
                ),
            },
            { key: 'interval', label: '95 % interval' },
            {
              key: 'significant',
              label: 'Significant',
              render: (r) => (r.significant ? 'yes' : 'no (noise)'),
            },
            { key: 'n', label: 'n last week', numeric: true },
          ]}
        />
      )}
    </Panel>
  );
}

/** The first screen: scores with intervals, the five worst findings, data volumes, what changed. */
export function OverviewPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  const summary = useOp<SummaryResult>(
    'overview',
    'summary',
    filterParams(findOp(ops, 'overview', 'summary'), filters),
  );
  const findings = useOp<{ findings: StoredFinding[] }>('findings', 'list', { limit: 5 });
  // scores first: the trend and week-over-week calls wait until the headline figures are drawn
  const headline =
    !findOp(ops, 'overview', 'summary') || summary.data !== undefined || summary.error !== undefined;
  const trend = useTrend(ops, filters, 'week', headline);
  const hasSummary = !!findOp(ops, 'overview', 'summary');
  const weeks = [...new Set((trend?.data ?? []).map((p) => p.period))].sort();
  const lastWeek = lastCompleteWeek(weeks, getLatestData());
  return (
    <div class="page">
      <PageHead title="Overview" uses={['overview.summary', 'feedback.scores']} />
      {hasSummary && (
        <Async state={summary} what="scores">
          {(s) => (
            <div class="stats" data-primary="">
              {SCORES.map(([k, label, fmt, unit]) => (
                <ScoreStat
                  key={k}
                  label={label}
                  s={s[k].find((x) => x.channel === 'all')}
                  fmt={fmt}
                  unit={unit}
                />
              ))}
              <Stat
                label="Cases"
                value={fmtCount(s.cases)}
                detail={`${fmtNumber(s.handoffsPerCase, 2)} team handoffs per case`}
              />
            </div>
          )}
        </Async>
      )}
      <div class="grid">
        {trend && <TrendSection trend={trend} title="NPS, CSAT and CES over time" />}
        <Panel
          title="The five worst findings"
          subtitle="Across every analysis, well-measured first"
          actions={<a href={buildHash('findings', filters)}>All pain points →</a>}
          wide
        >
          <Async state={findings} what="findings">
            {(d) => (
              <DataTable
                title="Five worst findings"
                rows={d.findings}
                columns={[
                  ...findingColumns.filter((c) =>
                    ['title', 'value', 'customersAffected', 'ownerTeam'].includes(c.key),
                  ),
                  // revenue at risk once the business case has filled it in; never invented before
                  ...(d.findings.some((f) => f.revenueAtRisk !== null && f.revenueAtRisk !== undefined)
                    ? [
                        {
                          key: 'revenueAtRisk',
                          label: 'Revenue at risk',
                          numeric: true,
                          render: (f: StoredFinding) => fmtMoney(f.revenueAtRisk),
                        },
                      ]
                    : []),
                ]}
                empty="No findings yet: run the journey, feedback or cases analyses."
              />
            )}
          </Async>
        </Panel>
        {lastWeek && <WeekOverWeek week={lastWeek} filters={filters} />}
        {hasSummary && (
          <Async state={summary} what="counts">
            {(s) => (
              <>
                <Panel title="Scores by channel" subtitle="95 % intervals; small samples flagged">
                  <DataTable
                    title="Scores by channel"
                    rows={SCORES.flatMap(([k, label, fmt]) =>
                      s[k].map((x) => ({
                        score: label,
                        channel: x.channel === 'all' ? 'All channels' : x.channel,
                        value: x.value === null ? '–' : fmt(x.value),
                        interval: fmtInterval(x.low, x.high, fmt),
                        n: x.n,
                        flag: x.smallSample ? 'small sample' : '',
                      })),
                    )}
                    columns={[
                      { key: 'score' },
                      { key: 'channel' },
                      { key: 'value', numeric: true },
                      { key: 'interval', label: '95 % interval', numeric: true },
                      { key: 'n', numeric: true },
                      { key: 'flag', label: 'Note' },
                    ]}
                  />
                </Panel>
                <Panel title="Data in this workspace" subtitle="Rows per table">
                  <Chart
                    title="Rows per table"
                    height={240}
                    rows={Object.entries(s.counts).map(([table, rows]) => ({ table, rows }))}
                    option={{
                      grid: { left: 100, right: 30, top: 10, bottom: 30 },
                      tooltip: { trigger: 'axis' },
                      xAxis: { type: 'log', name: 'rows' },
                      yAxis: { type: 'category', data: Object.keys(s.counts).map(humanize) },
                      series: [
                        {
                          type: 'bar',
                          data: Object.values(s.counts).map((v) => Math.max(v, 1)),
                          color: '#3b82f6',
                        },
                      ],
                    }}
                  />
                </Panel>
                {s.topReasons.length > 0 && (
                  <Panel title="Top contact reasons" subtitle="Cases by reason">
                    <DataTable title="Top contact reasons" rows={s.topReasons} />
                  </Panel>
                )}
              </>
            )}
          </Async>
        )}
      </div>
    </div>
  );
}
