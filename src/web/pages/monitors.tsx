import { useMemo, useState } from 'preact/hooks';
import type { Alert } from '../../monitors/alerts.js';
import type { SimulateResult } from '../../monitors/history.js';
import type { Monitor } from '../../monitors/stored.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { canWrite } from '../components/analysis.js';
import { Chart, intervalBand } from '../components/chart.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, ErrorBox, PageHead, Panel } from '../components/ui.js';
import { fmtDate, fmtNumber } from '../format.js';
import { tipHtml } from '../html.js';
import { useApp, useOp } from '../state.js';

const fmtValue = (v: number | null, metric: string | null) =>
  v === null
    ? '—'
    : metric === 'csat'
      ? `${(100 * v).toFixed(1)} %`
      : fmtNumber(v, Math.abs(v) >= 100 ? 0 : 1);

const signed = (v: number, metric: string | null) => `${v > 0 ? '+' : ''}${fmtValue(v, metric)}`;

const sliceText = (s: Record<string, string | undefined>) =>
  Object.entries(s)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'everything';

/** A button that posts one write and reports its error in place. */
function useWrite(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (area: string, verb: string, body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await postOp(area, verb, body);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** One monitor's series over its history: the value, the baseline band it may move in, and its firings. */
function MonitorSeries(props: { monitor: Monitor }) {
  const m = props.monitor;
  const sim = useOp<SimulateResult>('monitors', 'simulate', { monitor: m.id });
  return (
    <Async state={sim} what="the monitor's history">
      {(r) => {
        const s = r.series;
        const x = s.map((p) => fmtDate(p.at));
        const fired = s.map((p) => (p.signals.length > 0 ? p.value : null));
        const shown = (v: number | null) => (v === null ? null : m.metric === 'csat' ? 100 * v : v);
        return (
          <div data-monitor={m.id}>
            <p class="small muted">
              {r.rows} {m.cadence === 'daily' ? 'days' : 'hours'} from {fmtDate(r.from)} to {fmtDate(r.to)},{' '}
              {r.tested} tested; {r.changes.length} change{r.changes.length === 1 ? '' : 's'} at{' '}
              {m.method === 'detector' ? `a false-alarm level of ${m.alpha} per week` : 'its thresholds'} (
              {r.alarmsPerWeek.toFixed(3)} alarmed points per week).{' '}
              {m.metric === 'csat' ? `Days with fewer than ${m.minN} answers are not tested.` : ''}
            </p>
            <Chart
              title={`${m.name}: series and baseline band`}
              height={260}
              rows={s.map((p) => ({ ...p, signals: p.signals.join(' ') }))}
              option={{
                grid: { left: 55, right: 20, top: 20, bottom: 30 },
                tooltip: {
                  trigger: 'axis',
                  formatter: (ps: { dataIndex: number }[]) => {
                    const p = s[ps[0]?.dataIndex ?? 0]!;
                    return tipHtml`${fmtDate(p.at)}<br/>${fmtValue(p.value, m.metric)}${p.n !== null ? ` (n = ${p.n})` : ''}<br/>expected ${fmtValue(p.expected, m.metric)}, band ${fmtValue(p.low, m.metric)} – ${fmtValue(p.high, m.metric)}${p.signals.length ? `<br/>fired: ${p.signals.join(', ')}` : ''}`;
                  },
                },
                xAxis: { type: 'category', data: x, boundaryGap: false },
                yAxis: { type: 'value', scale: true },
                series: [
                  ...intervalBand(
                    s.map((p) => shown(p.low)),
                    s.map((p) => (p.low === null || p.high === null ? null : shown(p.high)! - shown(p.low)!)),
                    '#6366f1',
                    0.18,
                  ),
                  {
                    type: 'line',
                    name: 'expected',
                    data: s.map((p) => shown(p.expected)),
                    color: '#6366f1',
                    lineStyle: { type: 'dashed', width: 1 },
                    symbol: 'none',
                  },
                  {
                    type: 'line',
                    name: m.name,
                    data: s.map((p) => shown(p.value)),
                    color: '#0f766e',
                    symbolSize: 3,
                  },
                  {
                    type: 'scatter',
                    name: 'fired',
                    data: fired.map(shown),
                    itemStyle: { color: '#dc2626' },
                    symbolSize: 9,
                  },
                ],
              }}
            />
            <DataTable
              title={`Changes: ${m.name}`}
              rows={r.changes}
              empty="No change over this history."
              columns={[
                { key: 'start', label: 'From', value: (c) => fmtDate(c.start) },
                { key: 'end', label: 'To', value: (c) => fmtDate(c.end) },
                { key: 'direction', label: 'Direction' },
                { key: 'signals', label: 'Signals', value: (c) => c.signals.join(', ') },
                {
                  key: 'value',
                  label: 'Worst value',
                  numeric: true,
                  value: (c) => fmtValue(c.peak.value, m.metric),
                },
                {
                  key: 'expected',
                  label: 'Expected',
                  numeric: true,
                  value: (c) => fmtValue(c.peak.expected, m.metric),
                },
              ]}
            />
          </div>
        );
      }}
    </Async>
  );
}

/** Monitors: each stored monitor, its series with the baseline band, and its firings. */
export function MonitorsPage(_props: PageProps) {
  const { session } = useApp();
  const list = useOp<{ monitors: Monitor[] }>('monitors', 'list', {});
  const alerts = useOp<{ alerts: Alert[] }>('alerts', 'list', { state: 'all', limit: 10_000 });
  const [chosen, setChosen] = useState<string | null>(null);
  const write = useWrite(() => {
    list.reload();
    alerts.reload();
  });
  const writer = canWrite(session?.role);
  const firings = useMemo(() => {
    const by = new Map<string, number>();
    for (const a of alerts.data?.alerts ?? []) by.set(a.monitor, (by.get(a.monitor) ?? 0) + 1);
    return by;
  }, [alerts.data]);
  return (
    <div class="page">
      <PageHead title="Monitors" uses={[]} />
      <Panel
        primary
        wide
        title="Monitors"
        subtitle="Each watches one figure of one slice every day (or hour) against its own weekday history, and fires on a change beyond the band its history allows at the chosen false-alarm level."
      >
        <Async state={list} what="monitors">
          {(d) =>
            d.monitors.length === 0 ? (
              <div>
                <Empty>
                  No monitors yet: accept the proposed ones (each journey touchpoint's volume, each team's
                  CSAT and contacts, each contact reason's volume).
                </Empty>
                {writer && (
                  <button
                    type="button"
                    class="btn primary"
                    disabled={write.busy}
                    onClick={() => write.run('monitors', 'accept', { all: true })}
                  >
                    Accept the proposed monitors
                  </button>
                )}
                {write.error && <ErrorBox error={write.error} />}
              </div>
            ) : (
              <>
                {writer && (
                  <p>
                    <button
                      type="button"
                      class="btn"
                      disabled={write.busy}
                      onClick={() => write.run('monitors', 'run', {})}
                    >
                      Run due periods now
                    </button>
                  </p>
                )}
                {write.error && <ErrorBox error={write.error} />}
                <DataTable
                  title="Monitors"
                  rows={d.monitors}
                  onOpen={(m) => setChosen(m.id)}
                  columns={[
                    { key: 'name', label: 'Monitor' },
                    { key: 'slice', label: 'Slice', value: (m) => sliceText(m.slice) },
                    {
                      key: 'method',
                      label: 'Method',
                      value: (m) => (m.method === 'detector' ? `detector, ${m.alpha}/week` : 'thresholds'),
                    },
                    { key: 'ownerTeam', label: 'Owner', value: (m) => m.ownerTeam ?? '—' },
                    { key: 'firings', label: 'Firings', numeric: true, value: (m) => firings.get(m.id) ?? 0 },
                    {
                      key: 'lastPeriod',
                      label: 'Last judged',
                      value: (m) => (m.lastPeriod ? fmtDate(m.lastPeriod) : 'never'),
                    },
                  ]}
                />
              </>
            )
          }
        </Async>
      </Panel>
      {list.data && list.data.monitors.length > 0 && (
        <Panel
          wide
          title="Series, baseline band and firings"
          subtitle="Shaded: the band a point can reach without firing; dashed: the seasonal baseline; red: points that fired."
        >
          {(() => {
            const ms = list.data.monitors;
            const id =
              chosen ?? [...ms].sort((a, b) => (firings.get(b.id) ?? 0) - (firings.get(a.id) ?? 0))[0]!.id;
            const m = ms.find((x) => x.id === id)!;
            return (
              <>
                <label class="filter">
                  <span>Monitor</span>
                  <select
                    value={id}
                    onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}
                    aria-label="Monitor"
                  >
                    {ms.map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.name}
                      </option>
                    ))}
                  </select>
                </label>
                <MonitorSeries key={m.id} monitor={m} />
              </>
            );
          })()}
        </Panel>
      )}
    </div>
  );
}

const STATES = ['unresolved', 'open', 'acknowledged', 'snoozed', 'resolved', 'all'] as const;

/** Alerts: the inbox of firings, grouped by day and direction, with acknowledge, snooze and resolve. */
export function AlertsPage(_props: PageProps) {
  const { session } = useApp();
  const [state, setState] = useState<(typeof STATES)[number]>('unresolved');
  const list = useOp<{ alerts: Alert[] }>('alerts', 'list', { state, limit: 1000 });
  const write = useWrite(() => list.reload());
  const writer = canWrite(session?.role);
  const act = (verb: 'ack' | 'snooze' | 'resolve', body: Record<string, unknown>) =>
    write.run('alerts', verb, body);
  return (
    <div class="page">
      <PageHead title="Alerts" uses={[]} />
      <Panel
        primary
        wide
        title="Alert inbox"
        subtitle="Each firing of a monitor: the figure, what its history expected, the change (in brackets: the figure less the top and the bottom of the band its history allowed), the customers behind it and the owner. A bad day over many slices is one group."
      >
        <label class="filter">
          <span>State</span>
          <select
            value={state}
            onChange={(e) => setState((e.target as HTMLSelectElement).value as (typeof STATES)[number])}
            aria-label="State"
          >
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {write.error && <ErrorBox error={write.error} />}
        <Async state={list} what="alerts">
          {(d) => {
            if (d.alerts.length === 0) return <Empty>No {state === 'all' ? '' : `${state} `}alerts.</Empty>;
            const groups = [...new Set(d.alerts.map((a) => a.groupKey))];
            return (
              <>
                {groups.map((g) => {
                  const rows = d.alerts.filter((a) => a.groupKey === g);
                  const [day, direction] = g.split(':');
                  const open = rows.filter((a) => a.state !== 'resolved');
                  return (
                    <section key={g} data-group={g} class="alert-group">
                      <h3>
                        {fmtDate(day!)}: {rows.length} monitor{rows.length === 1 ? '' : 's'} went {direction}
                        {writer && open.length > 1 && (
                          <>
                            {' '}
                            <button
                              type="button"
                              class="btn small"
                              disabled={write.busy}
                              onClick={() => act('ack', { group: g })}
                            >
                              Acknowledge all
                            </button>{' '}
                            <button
                              type="button"
                              class="btn small"
                              disabled={write.busy}
                              onClick={() => act('resolve', { group: g })}
                            >
                              Resolve all
                            </button>
                          </>
                        )}
                      </h3>
                      <DataTable
                        title={`Alerts of ${g}`}
                        rows={rows}
                        columns={[
                          { key: 'monitorName', label: 'Monitor', value: (a) => a.monitorName ?? a.monitor },
                          {
                            key: 'value',
                            label: 'Figure',
                            numeric: true,
                            value: (a) => fmtValue(a.value, a.metric),
                          },
                          {
                            key: 'expected',
                            label: 'Expected',
                            numeric: true,
                            value: (a) => fmtValue(a.expected, a.metric),
                          },
                          {
                            key: 'change',
                            label: 'Change (band)',
                            numeric: true,
                            value: (a) =>
                              a.change.value === null
                                ? '—'
                                : `${signed(a.change.value, a.metric)}${a.change.low === null || a.change.high === null ? '' : ` (${signed(a.change.low, a.metric)} to ${signed(a.change.high, a.metric)})`}`,
                          },
                          { key: 'n', label: 'n', numeric: true, value: (a) => a.n ?? '—' },
                          {
                            key: 'customersAffected',
                            label: 'Customers',
                            numeric: true,
                            value: (a) => a.customersAffected ?? '—',
                          },
                          { key: 'ownerTeam', label: 'Owner', value: (a) => a.ownerTeam ?? '—' },
                          {
                            key: 'state',
                            label: 'State',
                            value: (a) =>
                              a.state === 'snoozed' && a.snoozedUntil
                                ? `snoozed until ${fmtDate(a.snoozedUntil)}`
                                : a.state,
                          },
                          {
                            key: 'actions',
                            label: 'Actions',
                            value: () => '',
                            render: (a) =>
                              writer && a.state !== 'resolved' ? (
                                <span class="actions">
                                  {a.state !== 'acknowledged' && (
                                    <button
                                      type="button"
                                      class="btn small"
                                      disabled={write.busy}
                                      onClick={() => act('ack', { ids: [a.id] })}
                                    >
                                      Ack
                                    </button>
                                  )}{' '}
                                  <button
                                    type="button"
                                    class="btn small"
                                    disabled={write.busy}
                                    onClick={() => act('snooze', { ids: [a.id] })}
                                  >
                                    Snooze 24 h
                                  </button>{' '}
                                  <button
                                    type="button"
                                    class="btn small"
                                    disabled={write.busy}
                                    onClick={() => act('resolve', { ids: [a.id] })}
                                  >
                                    Resolve
                                  </button>
                                </span>
                              ) : null,
                          },
                        ]}
                      />
                    </section>
                  );
                })}
              </>
            );
          }}
        </Async>
      </Panel>
    </div>
  );
}
