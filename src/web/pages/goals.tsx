import { useState } from 'preact/hooks';
import type { Metric } from '../../experiments/metrics.js';
import type { GoalStatus, GoalsStatusResult } from '../../goals/status.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { Chart, intervalBand } from '../components/chart.js';
import { Async, Empty, ErrorBox, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtDate } from '../format.js';
import { tipHtml } from '../html.js';
import { useOp } from '../state.js';

type Format = GoalStatus['format'];

/** A metric's value as a leader reads it: 67.1 %, +12.0 (NPS points), 0.65. */
export function fmtGoal(format: Format, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (format === 'proportion') return `${(100 * v).toFixed(1)} %`;
  if (format === 'points') return `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  return v.toFixed(2);
}

/** Calendar months `YYYY-MM` from `a` to `b`, both included. */
export function monthRange(a: string, b: string): string[] {
  const out: string[] = [];
  let [y, m] = a.split('-').map(Number) as [number, number];
  const [by, bm] = b.split('-').map(Number) as [number, number];
  while (y < by || (y === by && m <= bm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

const STATUS: Record<GoalStatus['status'], { label: string; tone: 'good' | 'bad' | '' }> = {
  'on-track': { label: 'On track', tone: 'good' },
  'at-risk': { label: 'At risk', tone: '' },
  'off-track': { label: 'Off track', tone: 'bad' },
};

const sliceText = (g: GoalStatus) =>
  Object.entries(g.slice)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** One goal: status, live figure with its interval, progress from baseline to target, trend and forecast. */
function GoalCard(props: { g: GoalStatus }) {
  const g = props.g;
  const s = STATUS[g.status];
  const scale = g.format === 'proportion' ? 100 : 1;
  const y = (v: number | null) => (v === null ? null : scale * v);
  const months = g.trend.map((t) => t.month);
  const dueMonth = g.due.slice(0, 7);
  // every calendar month from the first measured one to the due month, so distances in time are true
  const x = monthRange(
    months[0] ?? dueMonth,
    g.forecast ? dueMonth : (months[months.length - 1] ?? dueMonth),
  );
  const at = (m: string) => x.indexOf(m);
  const byMonth = new Map(g.trend.map((t) => [t.month, t]));
  const pad = (f: (t: GoalStatus['trend'][number]) => number | null) =>
    x.map((m) => {
      const t = byMonth.get(m);
      return t ? f(t) : null;
    });
  const rows = [
    ...g.trend.map((t) => ({
      month: t.month,
      value: t.value,
      low: t.lo,
      high: t.hi,
      n: t.n,
      kind: 'measured',
    })),
    ...(g.forecast
      ? [
          {
            month: dueMonth,
            value: g.forecast.value,
            low: g.forecast.lo,
            high: g.forecast.hi,
            n: null,
            kind: 'forecast',
          },
        ]
      : []),
  ];
  const ends = [
    ...g.trend.flatMap((t) => [t.lo, t.hi, t.value]),
    g.target,
    g.forecast?.lo ?? null,
    g.forecast?.hi ?? null,
  ]
    .filter((v): v is number => v !== null && Number.isFinite(v))
    .map((v) => scale * v);
  const span = Math.max(...ends) - Math.min(...ends) || 1;
  const nice = (v: number) => Number(v.toPrecision(3));
  const bounds = { min: nice(Math.min(...ends) - 0.05 * span), max: nice(Math.max(...ends) + 0.05 * span) };
  const progress = g.progress === null ? null : Math.max(0, Math.min(1, g.progress));
  return (
    <article class="panel goal" data-testid="goal" data-goal={g.id} data-status={g.status}>
      <header class="panel-head">
        <div>
          <h2 id={`goal-${g.id}`}>{g.name}</h2>
          <p class="muted">
            {g.metricName}
            {sliceText(g) ? ` · ${sliceText(g)}` : ''} · owner {g.owner} · due {fmtDate(g.due)}
          </p>
        </div>
        <span class={`goal-status ${g.status}`}>{s.label}</span>
      </header>
      <div class="stats">
        <Stat
          label="Now (last 90 days)"
          value={fmtGoal(g.format, g.current?.value)}
          detail={
            g.current
              ? `95 % interval ${fmtGoal(g.format, g.current.lo)} … ${fmtGoal(g.format, g.current.hi)}, n = ${g.current.n.toLocaleString('en-US')}`
              : 'no data in the last 90 days'
          }
        />
        <Stat
          label="Target"
          value={fmtGoal(g.format, g.target)}
          detail={`from ${fmtGoal(g.format, g.baseline)} at the start`}
        />
        <Stat
          label="Forecast at due date"
          value={fmtGoal(g.format, g.forecast?.value)}
          detail={
            g.forecast
              ? `95 % prediction interval ${fmtGoal(g.format, g.forecast.lo)} … ${fmtGoal(g.format, g.forecast.hi)}`
              : 'fewer than 3 months with n ≥ 30'
          }
          tone={s.tone}
        />
      </div>
      {progress !== null && (
        <div class="goal-progress">
          <div
            class="goal-bar"
            role="progressbar"
            aria-label={`Progress from baseline to target of ${g.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(100 * progress)}
          >
            <span class="goal-bar-fill" style={{ width: `${100 * progress}%` }} />
          </div>
          <span class="small muted">
            {Math.round(100 * (g.progress ?? 0))} % of the way from baseline to target
          </span>
        </div>
      )}
      <p class="small">{g.reason}.</p>
      {g.trend.length > 0 ? (
        <Chart
          title={`${g.name}: monthly trend and forecast`}
          height={220}
          rows={rows}
          option={{
            grid: { left: 50, right: 20, top: 20, bottom: 30 },
            tooltip: {
              trigger: 'axis',
              formatter: (ps: { dataIndex: number }[]) => {
                const r = rows.find((q) => at(q.month) === (ps[0]?.dataIndex ?? -1));
                if (!r) return '';
                const head = tipHtml`${r.month} (${r.kind})<br/>${fmtGoal(g.format, r.value)} (${fmtGoal(g.format, r.low)} … ${fmtGoal(g.format, r.high)})`;
                return r.n === null ? head : `${head}${tipHtml`<br/>n = ${r.n}`}`;
              },
            },
            xAxis: { type: 'category', data: x, boundaryGap: false },
            // the axis holds the band, the target and the forecast's interval (a markLine does not widen it)
            yAxis: { type: 'value', scale: true, min: bounds.min, max: bounds.max },
            series: [
              ...intervalBand(
                pad((t) => y(t.lo)),
                pad((t) => (t.lo !== null && t.hi !== null ? scale * (t.hi - t.lo) : null)),
                '#2563eb',
              ),
              {
                type: 'line',
                name: 'measured',
                data: pad((t) => y(t.value)),
                color: '#2563eb',
                symbolSize: 4,
                markLine: {
                  symbol: 'none',
                  silent: true,
                  label: { formatter: `target ${fmtGoal(g.format, g.target)}`, position: 'insideEndTop' },
                  lineStyle: { type: 'dashed', color: '#d97706' },
                  data: [{ yAxis: scale * g.target }],
                },
              },
              ...(g.forecast
                ? [
                    {
                      // the straight-line forecast from the last measured month to the due month, its 95 %
                      // prediction interval as a vertical bar at the due month
                      type: 'line',
                      name: 'forecast',
                      color: '#7c3aed',
                      lineStyle: { type: 'dashed' },
                      symbol: 'diamond',
                      symbolSize: 9,
                      connectNulls: true,
                      data: x.map((m) =>
                        m === dueMonth
                          ? y(g.forecast!.value)
                          : m === months[months.length - 1]
                            ? y(g.trend[g.trend.length - 1]!.value)
                            : null,
                      ),
                      markLine: {
                        symbol: 'none',
                        silent: true,
                        label: { show: false },
                        lineStyle: { type: 'solid', color: '#7c3aed', width: 2 },
                        data: [
                          [
                            { xAxis: at(dueMonth), yAxis: y(g.forecast.lo) },
                            { xAxis: at(dueMonth), yAxis: y(g.forecast.hi) },
                          ],
                        ],
                      },
                    },
                  ]
                : []),
            ],
          }}
        />
      ) : (
        <Empty>No monthly figures yet.</Empty>
      )}
      {(g.links.experiments.length > 0 || g.links.findings.length > 0) && (
        <p class="small muted">
          Linked:{' '}
          {[
            ...g.links.experiments.map((e) => `experiment ${e}`),
            ...g.links.findings.map((f) => `finding ${f}`),
          ].join(', ')}
        </p>
      )}
    </article>
  );
}

/** Setting a goal: a registry metric, an optional touchpoint, the target, the due date and the owner. */
function SetGoal(props: { metrics: readonly Metric[]; onDone: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const metric = props.metrics.find((m) => m.id === f.get('metric'));
    const raw = Number(f.get('target'));
    setBusy(true);
    setError(null);
    try {
      await postOp('goals', 'set', {
        metric: metric?.id,
        target: metric?.format === 'proportion' ? raw / 100 : raw,
        due: f.get('due'),
        owner: f.get('owner'),
        ...(f.get('touchpoint') ? { touchpoint: f.get('touchpoint') } : {}),
      });
      (e.target as HTMLFormElement).reset();
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label="Set a goal">
      <label class="filter">
        <span>Metric</span>
        <select name="metric" required>
          {props.metrics.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label class="filter">
        <span>Touchpoint (optional)</span>
        <input name="touchpoint" type="text" />
      </label>
      <label class="filter">
        <span>Target (% for shares)</span>
        <input name="target" type="number" step="any" required />
      </label>
      <label class="filter">
        <span>Due</span>
        <input name="due" type="date" required />
      </label>
      <label class="filter">
        <span>Owner</span>
        <input name="owner" type="text" required />
      </label>
      <button type="submit" class="btn primary" disabled={busy}>
        Set goal
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

/** Program goals: each target over a registry metric, tracked against its live figure. */
export function GoalsPage(_props: PageProps) {
  const state = useOp<GoalsStatusResult>('goals', 'status', {});
  const metrics = useOp<{ metrics: Metric[] }>('experiments', 'metrics', {});
  return (
    <div class="page">
      <PageHead title="Goals" uses={[]} />
      <Panel
        primary
        wide
        title="Program goals"
        subtitle="Each goal against its live figure (last 90 days, 95 % interval). On track: the trend's forecast at the due date meets the target; at risk: only its favourable end does; off track: not even that. Without 3 months of trend, the figure is held against the straight path from baseline to target."
      >
        <Async state={state} what="goals">
          {(d) =>
            d.goals.length === 0 ? (
              <Empty>No goals yet. Set one below, or with `touchpoint goals set`.</Empty>
            ) : (
              <>
                <p class="small muted">Figures as of {fmtDate(d.asOf)}.</p>
                <div class="grid">
                  {d.goals.map((g) => (
                    <GoalCard key={g.id} g={g} />
                  ))}
                </div>
              </>
            )
          }
        </Async>
      </Panel>
      {metrics.data && (
        <Panel
          title="Set a goal"
          subtitle="A target over a metric of the registry (experiments metrics); a share as a percentage."
        >
          <SetGoal metrics={metrics.data.metrics} onDone={state.reload} />
        </Panel>
      )}
    </div>
  );
}
