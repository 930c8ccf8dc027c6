import { useEffect, useState } from 'preact/hooks';
import { changeDirection, SCORE_SCALES, type ScoreKind } from '../../core/score-scales.js';
import type { PageProps } from '../app.js';
import { FindingValue } from '../components/findings.js';
import { DataTable } from '../components/table.js';
import { Async, Loading, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtInterval, fmtMoney, fmtNumber } from '../format.js';
import { addDays, comparisonSpans, periodSpan } from '../periods.js';
import { buildHash, filterQuery } from '../route.js';
import { filterParams, findOp, getLatestData, unappliedFilters, useApp, useOp } from '../state.js';
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

/** A program goal as `goals status` answers (feature-detected: absent = no target on the tiles). */
export interface GoalStatus {
  readonly id: string;
  readonly metric: string;
  readonly target: number;
  readonly due: string | null;
  readonly owner: string | null;
  readonly status: 'on-track' | 'at-risk' | 'off-track';
  readonly current: { value: number; lo: number | null; hi: number | null; n: number } | null;
}

const GOAL_TEXT = { 'on-track': 'on track', 'at-risk': 'at risk', 'off-track': 'off track' } as const;

/**
 * One headline tile: the score over the selected period with its interval and n, its change against
 * the previous complete period with the change's interval (coloured by the score's direction only when
 * the change is significant), and the program goal's target and owner when goals exist.
 */
function KpiTile(props: {
  kind: ScoreKind;
  label: string;
  fmt: (v: number) => string;
  unit: string;
  filters: Record<string, string>;
  goal: GoalStatus | undefined;
  ready: boolean;
}) {
  const { ops } = useApp();
  const op = findOp(ops, 'feedback', 'scores');
  const k = props.kind;
  const { period, ...population } = props.filters;
  const base = { ...filterParams(op, population), kind: k };
  const cmp = comparisonSpans(period, getLatestData());
  const span = periodSpan(period, getLatestData());
  // a relative period is itself the compared span (one call); all time adds its latest complete month
  const sameSpan = !!cmp && cmp.current.from === span.from;
  const compare = cmp ? { compareFrom: cmp.previous.from, compareTo: cmp.previous.to } : {};
  const value = useOp('feedback.scores', { ...base, ...span, ...(sameSpan ? compare : {}) }, props.ready);
  const month = useOp(
    'feedback.scores',
    cmp ? { ...base, from: cmp.current.from, to: cmp.current.to, ...compare } : base,
    props.ready && !!cmp && !sameSpan,
  );
  const row = value.data?.rows[0];
  const changedRow = sameSpan ? row : month.data?.rows[0];
  const ch = changedRow?.change;
  const g = props.goal;
  if (value.error) return <Stat label={props.label} value="–" detail={value.error.message} />;
  if (!row)
    return (
      <div class="stat kpi" data-kpi={k}>
        <div class="stat-label">{props.label}</div>
        {value.loading || !props.ready ? <Loading what={props.label} /> : <div class="stat-value">–</div>}
      </div>
    );
  const dir = ch && ch.difference !== null && ch.significant ? changeDirection(k, ch.difference) : 0;
  return (
    <div class="stat kpi" data-kpi={k}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{row.value === null ? '–' : props.fmt(row.value)}</div>
      <div class="stat-detail">
        95 % interval {fmtInterval(row.low, row.high, props.fmt)} · n = {fmtCount(row.n)}
        {row.smallSample ? ' · small sample' : ''}
      </div>
      {cmp && (
        <div
          class={`kpi-change ${dir > 0 ? 'up' : dir < 0 ? 'down' : ''}`}
          data-testid="kpi-change"
          title="Change against the previous complete period, with its 95 % interval"
        >
          <span class="small">{cmp.label}: </span>
          {!ch || ch.difference === null ? (
            month.loading ? (
              '…'
            ) : (
              'no change measurable'
            )
          ) : (
            <>
              {Math.abs(ch.difference) < 0.05 ? '± ' : ch.difference > 0 ? '▲ +' : '▼ '}
              {fmtNumber(ch.difference, k === 'ces' ? 2 : 1)}{' '}
              <span class="small">
                ({fmtInterval(ch.low, ch.high, (v) => fmtNumber(v, k === 'ces' ? 2 : 1))})
                {ch.significant ? (dir > 0 ? ' better' : ' worse') : ' not significant'}
                {sameSpan || changedRow?.value === null || changedRow?.value === undefined
                  ? ''
                  : ` · ${props.fmt(changedRow.value)} vs ${ch.previous.value === null ? '–' : props.fmt(ch.previous.value)}`}
              </span>
            </>
          )}
        </div>
      )}
      {g && (
        <div class={`kpi-goal goal-${g.status}`} data-testid="kpi-goal">
          Target {props.fmt(g.target)}
          {g.due ? ` by ${fmtDate(g.due)}` : ''} · {GOAL_TEXT[g.status] ?? g.status}
          {g.owner ? ` · owner ${g.owner}` : ''}
        </div>
      )}
      <div class="stat-detail">{props.unit}</div>
    </div>
  );
}

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

/** The latest complete ISO week (its Monday) of data ending at `latest`; none without data. */
export function lastCompleteWeekOf(latest: string | null): string | undefined {
  if (!latest) return undefined;
  const d = new Date(Date.parse(`${latest.slice(0, 10)}T00:00:00Z`));
  const monday = addDays(latest, -((d.getUTCDay() + 6) % 7));
  return lastCompleteWeek([addDays(monday, -7), monday], latest);
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
    useOp('feedback.scores', { ...base, kind: 'nps' }),
    useOp('feedback.scores', { ...base, kind: 'csat' }),
    useOp('feedback.scores', { ...base, kind: 'ces' }),
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

/**
 * "Where it breaks": the worst findings as sentences, each with the customers it affects, the money at
 * risk once the business case has filled it in (never invented before), its owner, and a link to its
 * evidence on the Pain points page.
 */
function WhereItBreaks(props: { filters: Record<string, string> }) {
  const { ops } = useApp();
  const findings = useOp('findings.list', { limit: 5 });
  return (
    <Panel
      title="Where it breaks"
      subtitle="The worst findings across every analysis, well-measured first"
      actions={<a href={buildHash('findings', props.filters)}>All pain points →</a>}
      ignores={unappliedFilters(findOp(ops, 'findings', 'list'), props.filters)}
      ignoresWhy="findings of each analysis's latest run, over the period that run covered"
      wide
      primary
    >
      <Async state={findings} what="findings">
        {(d) =>
          d.findings.length === 0 ? (
            <p class="empty">No findings yet: run the journey, feedback or cases analyses.</p>
          ) : (
            <ol class="breaks" data-testid="where-it-breaks">
              {d.findings.map((f) => (
                <li key={f.id}>
                  <span class="break-title">{f.title}</span>
                  {f.smallSample && <span class="tag warn">small sample</span>}
                  <span class="break-facts">
                    {f.customersAffected !== null && (
                      <>
                        <strong>{fmtCount(f.customersAffected)}</strong> customers affected
                      </>
                    )}
                    {f.revenueAtRisk !== null && f.revenueAtRisk !== undefined && (
                      <>
                        {' · '}
                        <strong>{fmtMoney(f.revenueAtRisk)}</strong> at risk
                      </>
                    )}
                    {' · '}
                    <FindingValue f={f} /> (n = {fmtCount(f.n)}){f.ownerTeam ? ` · owner ${f.ownerTeam}` : ''}
                    {' · '}
                    <a href={buildHash('findings', { ...props.filters, finding: f.id })}>Evidence →</a>
                  </span>
                </li>
              ))}
            </ol>
          )
        }
      </Async>
    </Panel>
  );
}

/**
 * Scores by channel from `feedback scores --by channel` with the page's filters: one row per channel,
 * NPS, CSAT and CES side by side, each with its interval and n (small samples greyed).
 */
function ScoresByChannel(props: { filters: Record<string, string>; ready: boolean }) {
  const { ops } = useApp();
  const op = findOp(ops, 'feedback', 'scores');
  const base = { ...filterParams(op, props.filters), by: 'channel' };
  const states = SCORES.map(([k]) => useOp('feedback.scores', { ...base, kind: k }, props.ready));
  if (!op) return null;
  const channels = [...new Set(states.flatMap((s) => s.data?.rows.map((r) => r.group) ?? []))];
  const cell = (i: number, ch: string) => states[i]!.data?.rows.find((r) => r.group === ch);
  const rows = channels.map((ch) => {
    const out: Record<string, unknown> = { channel: ch };
    SCORES.forEach(([k, , fmt], i) => {
      const r = cell(i, ch);
      out[k] = r?.value ?? null;
      out[`${k}Text`] =
        r && r.value !== null && r.n > 0
          ? `${fmt(r.value)} (${fmtInterval(r.low, r.high, fmt)}) · ${fmtCount(r.n)}`
          : '–';
      out[`${k}N`] = r?.n ?? 0;
      out[`${k}Small`] = r?.smallSample ?? true;
    });
    return out;
  });
  return (
    <Panel
      title="Scores by channel"
      subtitle="95 % intervals; greyed: small sample (n < 30 or too wide to read)"
      wide
    >
      {states.some((s) => s.loading) && rows.length === 0 ? (
        <Loading what="scores by channel" />
      ) : (
        <DataTable
          title="Scores by channel"
          rows={rows}
          columns={[
            { key: 'channel' },
            ...SCORES.map(([k, label]) => ({
              key: k,
              label: `${label} (95 % interval) · n`,
              numeric: true,
              value: (r: Record<string, unknown>) => r[k] as number | null,
              render: (r: Record<string, unknown>) => (
                <span
                  class={r[`${k}Small`] ? 'muted' : ''}
                  title={r[`${k}Small`] ? 'small sample' : undefined}
                >
                  {r[`${k}Text`] as string}
                </span>
              ),
            })),
          ]}
        />
      )}
    </Panel>
  );
}

/**
 * The first screen, read in ten seconds: the three scores with interval, n, change against the
 * previous complete period and target; where the experience breaks; then trends and detail.
 */
export function OverviewPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  const goalsOp = findOp(ops, 'goals', 'status');
  const goals = useOp('goals.status', {}, !!goalsOp);
  const summaryOp = findOp(ops, 'overview', 'summary');
  const summary = useOp('overview.summary', filterParams(summaryOp, filters), !!summaryOp);
  const hasScores = !!findOp(ops, 'feedback', 'scores');
  // the tiles and findings first; trends and tables once the headline is drawn (two cores serve it all)
  const [headline, setHeadline] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setHeadline(true), 0);
    return () => clearTimeout(t);
  }, []);
  // by month: a week holds ~250 NPS answers (±13 points), too few to read week by week
  const trend = useTrend(ops, filters, 'month', headline);
  const lastWeek = lastCompleteWeekOf(getLatestData());
  const goalFor = (k: string) => goals.data?.goals.find((g) => g.metric === k);
  return (
    <div class="page">
      <PageHead title="Overview" uses={['feedback.scores']} />
      {hasScores && (
        <div class="stats" data-primary="">
          {SCORES.map(([k, label, fmt, unit]) => (
            <KpiTile
              key={k}
              kind={k}
              label={label}
              fmt={fmt}
              unit={unit}
              filters={filters}
              goal={goalFor(k)}
              ready
            />
          ))}
          {summary.data && (
            <Stat
              label="Cases"
              value={fmtCount(summary.data.cases)}
              detail={`${fmtNumber(summary.data.handoffsPerCase, 2)} team handoffs per case · all time, all customers`}
            />
          )}
        </div>
      )}
      <div class="grid">
        <WhereItBreaks filters={filters} />
        {trend && <TrendSection trend={trend} title="NPS, CSAT and CES by month" />}
        {lastWeek && <WeekOverWeek week={lastWeek} filters={filters} />}
        {hasScores && <ScoresByChannel filters={filters} ready={headline} />}
        {summary.data && summary.data.topReasons.length > 0 && (
          <Panel
            title="Top contact reasons"
            subtitle="Cases by reason"
            ignores={unappliedFilters(summaryOp, filters)}
            ignoresWhy="all cases in the workspace"
          >
            <DataTable title="Top contact reasons" rows={summary.data.topReasons} />
          </Panel>
        )}
      </div>
    </div>
  );
}
