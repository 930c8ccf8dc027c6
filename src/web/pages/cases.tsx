import type { CommunicationResult } from '../../cases/communication.js';
import type { FlowResult } from '../../cases/flow.js';
import type { HandoffGroup } from '../../cases/handoffs.js';
import type { InflowResult } from '../../cases/inflow.js';
import type { LeversResult } from '../../cases/levers.js';
import type { PingPongResult } from '../../cases/ping-pong.js';
import type { CsatFigure, SlaFigure } from '../../cases/support.js';
import type { PageProps } from '../app.js';
import { AnalysisPanel } from '../components/analysis.js';
import { Chart } from '../components/chart.js';
import { OperationTables } from '../components/generic.js';
import { DataTable } from '../components/table.js';
import { Async, PageHead, Panel, Primary, Stat } from '../components/ui.js';
import { fmtCount, fmtDuration, fmtInterval, fmtNumber, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { filterQuery, setQuery } from '../route.js';
import { filterParams, findOp, useApp, useOp } from '../state.js';

const BY = ['reason', 'team', 'channel', 'product', 'month'] as const;
/** Verbs drawn above; `export` is a file export, not a picture. */
const KNOWN = [
  'handoffs',
  'ping-pong',
  'levers',
  'overdue-updates',
  'flow',
  'inflow',
  'export',
  'communication',
  // one case's page (#/case?id=…), not a panel
  'timeline',
  'support',
];

type RateLike = { value: number | null; low: number | null; high: number | null; smallSample?: boolean };
const rateText = (r: RateLike) =>
  `${fmtPercent(r.value)} (${fmtInterval(r.low, r.high, (v) => fmtPercent(v))})${r.smallSample ? ' · small sample' : ''}`;

function Totals(props: { t: HandoffGroup }) {
  const t = props.t;
  return (
    <div class="stats">
      <Stat
        label="Cases"
        value={fmtCount(t.cases)}
        detail={`${fmtCount(t.openCases)} open · ${fmtCount(t.customers)} customers`}
      />
      <Stat label="Transferred" value={fmtPercent(t.transferred.value)} detail={rateText(t.transferred)} />
      <Stat
        label="Ping-pong"
        value={fmtPercent(t.pingPong.value)}
        detail={`returned to a team it had left · ${rateText(t.pingPong)}`}
      />
      <Stat label="First-contact resolution" value={fmtPercent(t.fcr.value)} detail={rateText(t.fcr)} />
      <Stat
        label="Time lost per transfer"
        value={fmtDuration(t.hoursLostPerTransfer === null ? null : t.hoursLostPerTransfer * 3600)}
        detail={`${fmtNumber(t.teamHandoffsPerCase, 2)} team handoffs per case · reopened ${fmtPercent(t.reopen.value)}`}
      />
    </div>
  );
}

/** Team-to-team transfers: nodes are teams (size by cases), arrows by transfers (width), returns in the tooltip. */
function TransferGraph(props: { flow: FlowResult }) {
  const { nodes, links } = props.flow;
  if (links.length === 0) return <p class="empty">No transfers between teams in this period.</p>;
  const maxT = Math.max(...links.map((l) => l.transfers));
  const maxC = Math.max(...nodes.map((n) => n.cases), 1);
  const name = new Map(nodes.map((n) => [n.id, n.name]));
  return (
    <Chart
      title="Team transfer graph"
      height={420}
      rows={links.map((l) => ({
        from: name.get(l.source) ?? l.source,
        to: name.get(l.target) ?? l.target,
        transfers: l.transfers,
        cases: l.cases,
        returns: l.returns,
        medianHours: l.medianHours,
      }))}
      option={{
        tooltip: {
          formatter: (p: { dataType?: string; data?: { tip?: string } }) => p.data?.tip ?? '',
        },
        series: [
          {
            type: 'graph',
            layout: 'circular',
            circular: { rotateLabel: false },
            roam: true,
            label: { show: true, position: 'right', fontSize: 11 },
            edgeSymbol: ['none', 'arrow'],
            edgeSymbolSize: 7,
            data: nodes.map((n) => ({
              id: n.id,
              name: n.name,
              symbolSize: 8 + (22 * n.cases) / maxC,
              tip: tipHtml`${n.name}${n.tier ? ` (tier ${n.tier})` : ''}<br/>${fmtCount(n.cases)} cases · ${fmtCount(n.transfersIn)} in · ${fmtCount(n.transfersOut)} out`,
            })),
            links: links.map((l) => ({
              source: l.source,
              target: l.target,
              tip: tipHtml`${name.get(l.source) ?? l.source} → ${name.get(l.target) ?? l.target}<br/>${fmtCount(l.transfers)} transfers · ${fmtCount(l.returns)} returns · median ${fmtDuration(l.medianHours === null ? null : l.medianHours * 3600)}`,
              lineStyle: { width: 0.5 + (6 * l.transfers) / maxT, curveness: 0.2, opacity: 0.6 },
            })),
          },
        ],
      }}
    />
  );
}

const fmtHours = (h: number | null) => fmtDuration(h === null ? null : h * 3600);
const slaText = (f: SlaFigure) =>
  f.n === 0
    ? '–'
    : `${rateText(f.withinSla)} · n ${fmtCount(f.n)}${f.pending ? ` · ${fmtCount(f.pending)} pending` : ''}`;
const medianText = (f: SlaFigure) =>
  f.medianHours === null
    ? '–'
    : `${fmtHours(f.medianHours)} (${fmtInterval(f.medianLow, f.medianHigh, fmtHours)}) · p90 ${fmtHours(f.p90Hours)} · n ${fmtCount(f.completed)}`;
const csatText = (c: CsatFigure, min: number) =>
  c.suppressed ? (
    <span class="small-group">fewer than {min} answers</span>
  ) : c.mean === null ? (
    '–'
  ) : (
    `${fmtNumber(c.mean, 2)} (${fmtInterval(c.low, c.high, (v) => fmtNumber(v, 2))}) · ${fmtPercent(c.satisfied?.value ?? null)} satisfied · n ${fmtCount(c.answers)}`
  );

/** The support lead's basics: backlog over time, SLA by team or channel, reopen rate, CSAT per team and agent. */
function SupportBasics(props: {
  filters: Record<string, string>;
  query: Readonly<Record<string, string>>;
  /** Asked once the page's main content is drawn (two cores serve the queries). */
  ready: boolean;
}) {
  const { ops } = useApp();
  const op = findOp(ops, 'cases', 'support');
  const q = props.query;
  const interval = q.backlog === 'day' ? 'day' : 'week';
  const by = q.slaBy === 'channel' ? 'channel' : 'team';
  const num = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d);
  const firstReplyHours = num(q.firstReply, 24);
  const resolutionHours = num(q.resolution, 72);
  const state = useOp(
    'cases.support',
    { ...filterParams(op, props.filters), interval, by, firstReplyHours, resolutionHours },
    !!op && props.ready,
  );
  if (!op) return null;
  const hoursInput = (key: 'firstReply' | 'resolution', label: string, value: number) => (
    <label class="filter">
      <span>{label}</span>
      <input
        type="number"
        min="1"
        step="1"
        value={value}
        onChange={(e) => setQuery({ [key]: (e.target as HTMLInputElement).value || undefined })}
      />
    </label>
  );
  return (
    <>
      <Panel
        title="Backlog"
        subtitle="Open cases at the end of each period (UTC), with the cases opened and closed in it"
        wide
        actions={
          <label class="filter">
            <span>Per</span>
            <select
              value={interval}
              onChange={(e) => setQuery({ backlog: (e.target as HTMLSelectElement).value })}
            >
              <option value="week">week</option>
              <option value="day">day</option>
            </select>
          </label>
        }
      >
        <Async state={state} what="the backlog">
          {(d) => (
            <Chart
              title={`Backlog per ${d.interval}`}
              height={280}
              rows={d.backlog}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 50, right: 20, top: 30, bottom: 30 },
                xAxis: { type: 'category', data: d.backlog.map((b) => b.period) },
                yAxis: { type: 'value', name: 'cases' },
                series: [
                  { name: 'Opened', type: 'bar', data: d.backlog.map((b) => b.opened) },
                  { name: 'Closed', type: 'bar', data: d.backlog.map((b) => b.closed) },
                  {
                    name: 'Open at the end',
                    type: 'line',
                    data: d.backlog.map((b) => b.open),
                    showSymbol: false,
                  },
                ],
              }}
            />
          )}
        </Async>
      </Panel>
      <Panel
        title="Service levels"
        subtitle="First reply (first update or closure) for the team that received the case; resolution, reopens and CSAT for the team that held it last. Open cases count as breaches once past the SLA."
        wide
        actions={
          <>
            <label class="filter">
              <span>By</span>
              <select value={by} onChange={(e) => setQuery({ slaBy: (e.target as HTMLSelectElement).value })}>
                <option value="team">team</option>
                <option value="channel">channel</option>
              </select>
            </label>
            {hoursInput('firstReply', 'First reply SLA (h)', firstReplyHours)}
            {hoursInput('resolution', 'Resolution SLA (h)', resolutionHours)}
          </>
        }
      >
        <Async state={state} what="service levels">
          {(d) => (
            <>
              <div class="stats" data-testid="support-totals">
                <Stat
                  label={`First reply within ${fmtNumber(d.sla.firstReplyHours, 0)} h`}
                  value={fmtPercent(d.totals.firstReply.withinSla.value)}
                  detail={`${slaText(d.totals.firstReply)} · median ${medianText(d.totals.firstReply)}`}
                />
                <Stat
                  label={`Resolved within ${fmtNumber(d.sla.resolutionHours, 0)} h`}
                  value={fmtPercent(d.totals.resolution.withinSla.value)}
                  detail={`${slaText(d.totals.resolution)} · median ${medianText(d.totals.resolution)}`}
                />
                <Stat
                  label="Reopened"
                  value={fmtPercent(d.totals.reopen.value)}
                  detail={`${rateText(d.totals.reopen)} · n ${fmtCount(d.totals.reopen.n)} resolved`}
                />
                <Stat
                  label="CSAT"
                  value={d.totals.csat.mean === null ? '–' : fmtNumber(d.totals.csat.mean, 2)}
                  detail={
                    d.totals.csat.mean === null
                      ? d.totals.csat.suppressed
                        ? `fewer than ${d.minAnswers} answers`
                        : 'no CSAT answer linked to these cases'
                      : `${fmtInterval(d.totals.csat.low, d.totals.csat.high, (v) => fmtNumber(v, 2))} · n ${fmtCount(d.totals.csat.answers)}`
                  }
                />
              </div>
              <DataTable
                title={`Service levels by ${d.by}`}
                rows={d.groups}
                columns={[
                  { key: 'key', label: d.by },
                  {
                    key: 'firstReply',
                    label: `First reply ≤ ${fmtNumber(d.sla.firstReplyHours, 0)} h`,
                    numeric: true,
                    value: (g) => g.firstReply.withinSla.value,
                    render: (g) => slaText(g.firstReply),
                  },
                  {
                    key: 'firstReplyMedian',
                    label: 'Median first reply (95 % interval)',
                    numeric: true,
                    value: (g) => g.firstReply.medianHours,
                    render: (g) => medianText(g.firstReply),
                  },
                  {
                    key: 'resolution',
                    label: `Resolved ≤ ${fmtNumber(d.sla.resolutionHours, 0)} h`,
                    numeric: true,
                    value: (g) => g.resolution.withinSla.value,
                    render: (g) => slaText(g.resolution),
                  },
                  {
                    key: 'resolutionMedian',
                    label: 'Median resolution (95 % interval)',
                    numeric: true,
                    value: (g) => g.resolution.medianHours,
                    render: (g) => medianText(g.resolution),
                  },
                  {
                    key: 'reopen',
                    label: 'Reopened',
                    numeric: true,
                    value: (g) => g.reopen.value,
                    render: (g) => `${rateText(g.reopen)} · n ${fmtCount(g.reopen.n)}`,
                  },
                  {
                    key: 'csat',
                    label: 'CSAT (95 % interval)',
                    numeric: true,
                    value: (g) => g.csat.mean,
                    render: (g) => csatText(g.csat, d.minAnswers),
                  },
                ]}
              />
              <h3>CSAT by agent</h3>
              <p class="muted small">
                The last agent named on each case; no figure for an agent with fewer than {d.minAnswers}{' '}
                answers.
              </p>
              <DataTable
                title="CSAT by agent"
                rows={d.agents}
                empty="No CSAT answer is linked to a case with an agent."
                columns={[
                  { key: 'agent' },
                  { key: 'team' },
                  { key: 'answers', numeric: true },
                  {
                    key: 'mean',
                    label: 'CSAT (95 % interval)',
                    numeric: true,
                    value: (a) => a.mean,
                    render: (a) => csatText(a, d.minAnswers),
                  },
                ]}
              />
            </>
          )}
        </Async>
      </Panel>
    </>
  );
}

/** Cases: handoffs and their cost, the ping-pong list, levers, the overdue-update queue and inflow. */
export function CasesPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  const by = (BY as readonly string[]).includes(props.route.query.by ?? '')
    ? props.route.query.by!
    : 'reason';
  const hop = findOp(ops, 'cases', 'handoffs');
  const handoffs = useOp('cases.handoffs', {
    ...filterParams(hop, filters),
    by,
    limit: 50,
  });
  const overdueOp = findOp(ops, 'cases', 'overdue-updates');
  const overdue = useOp('cases.overdue-updates', {
    ...filterParams(overdueOp, filters),
    limit: 200,
  });
  const flowOp = findOp(ops, 'cases', 'flow');
  const first = handoffs.data !== undefined || handoffs.error !== undefined || !hop;
  const flow = useOp('cases.flow', { ...filterParams(flowOp, filters), paths: 10 }, first);
  return (
    <div class="page">
      <PageHead title="Cases" uses={['cases.*']} />
      {hop && (
        <Async state={handoffs} what="handoffs">
          {(d) => (
            <Primary>
              <Totals t={d.totals} />
            </Primary>
          )}
        </Async>
      )}
      <div class="grid">
        {hop && (
          <Panel
            title="Handoffs"
            subtitle="Transfers between teams and what they cost, by group"
            wide
            actions={
              <label class="filter">
                <span>Group by</span>
                <select value={by} onChange={(e) => setQuery({ by: (e.target as HTMLSelectElement).value })}>
                  {BY.map((b) => (
                    <option key={b}>{b}</option>
                  ))}
                </select>
              </label>
            }
          >
            <Async state={handoffs} what="handoffs">
              {(d) => (
                <>
                  <Chart
                    title={`Transferred and ping-pong by ${by}`}
                    height={Math.max(220, d.groups.length * 22)}
                    rows={d.groups.map((g) => ({
                      [by]: g.key,
                      cases: g.cases,
                      transferred: g.transferred.value,
                      pingPong: g.pingPong.value,
                    }))}
                    option={{
                      tooltip: { trigger: 'axis' },
                      legend: { top: 0 },
                      grid: { left: 150, right: 30, top: 30, bottom: 30 },
                      xAxis: {
                        type: 'value',
                        axisLabel: { formatter: (v: number) => `${Math.round(v * 100)} %` },
                      },
                      yAxis: { type: 'category', data: d.groups.map((g) => g.key), inverse: true },
                      series: [
                        { name: 'Transferred', type: 'bar', data: d.groups.map((g) => g.transferred.value) },
                        { name: 'Ping-pong', type: 'bar', data: d.groups.map((g) => g.pingPong.value) },
                      ],
                    }}
                  />
                  <DataTable
                    title={`Handoffs by ${by}`}
                    rows={d.groups}
                    columns={[
                      { key: 'key', label: by },
                      { key: 'cases', numeric: true },
                      {
                        key: 'transferred',
                        label: 'Transferred',
                        numeric: true,
                        value: (g) => g.transferred.value,
                        render: (g) => rateText(g.transferred),
                      },
                      {
                        key: 'pingPong',
                        label: 'Ping-pong',
                        numeric: true,
                        value: (g) => g.pingPong.value,
                        render: (g) => rateText(g.pingPong),
                      },
                      { key: 'teamHandoffsPerCase', label: 'Handoffs / case', numeric: true },
                      {
                        key: 'hoursLost',
                        label: 'Time lost',
                        numeric: true,
                        render: (g) => fmtDuration(g.hoursLost * 3600),
                      },
                      {
                        key: 'fcr',
                        label: 'FCR',
                        numeric: true,
                        value: (g) => g.fcr.value,
                        render: (g) => fmtPercent(g.fcr.value),
                      },
                      {
                        key: 'reopen',
                        label: 'Reopened',
                        numeric: true,
                        value: (g) => g.reopen.value,
                        render: (g) => fmtPercent(g.reopen.value),
                      },
                    ]}
                  />
                </>
              )}
            </Async>
          </Panel>
        )}
        <SupportBasics filters={filters} query={props.route.query} ready={first} />
        {flowOp && (
          <Panel
            title="Transfer graph"
            subtitle="Where cases travel between teams; the thicker the arrow, the more transfers"
            wide
          >
            <Async state={flow} what="transfers">
              {(d) => (
                <>
                  <TransferGraph flow={d} />
                  <h3>Most common case paths</h3>
                  <DataTable
                    title="Most common case paths"
                    rows={d.paths}
                    columns={[
                      { key: 'path', value: (p) => p.path.join(' → ') },
                      { key: 'cases', numeric: true },
                      { key: 'share', numeric: true, render: (p) => fmtPercent(p.share) },
                      {
                        key: 'medianResolutionHours',
                        label: 'Median resolution',
                        numeric: true,
                        render: (p) =>
                          fmtDuration(
                            p.medianResolutionHours === null ? null : p.medianResolutionHours * 3600,
                          ),
                      },
                      {
                        key: 'reopenRate',
                        label: 'Reopened',
                        numeric: true,
                        render: (p) => fmtPercent(p.reopenRate),
                      },
                    ]}
                  />
                </>
              )}
            </Async>
          </Panel>
        )}
        <AnalysisPanel<PingPongResult>
          area="cases"
          verb="ping-pong"
          analysis="cases.ping-pong"
          title="Ping-pong by contact reason"
          subtitle="Cases that returned to a team they had left, against every other reason"
          filters={filters}
        >
          {(r) => (
            <DataTable
              title="Ping-pong by contact reason"
              rows={r.pingPong}
              columns={[
                { key: 'reason' },
                {
                  key: 'value',
                  label: 'Ping-pong rate (95 % interval)',
                  numeric: true,
                  render: (x) => rateText(x),
                },
                {
                  key: 'baseline',
                  label: 'Other reasons',
                  numeric: true,
                  render: (x) => fmtPercent(x.baseline),
                },
                { key: 'cases', numeric: true },
                { key: 'customers', numeric: true },
                {
                  key: 'pair',
                  label: 'Most frequent return',
                  value: (x) => (x.pair ? `${x.pair.from} → ${x.pair.to} (${x.pair.returns})` : '–'),
                },
              ]}
            />
          )}
        </AnalysisPanel>
        <AnalysisPanel<LeversResult>
          area="cases"
          verb="levers"
          analysis="cases.levers"
          title="Levers"
          subtitle="Empower, train, automate, give access, own it: which lever removes most excess cases per reason"
          filters={filters}
        >
          {(r) => (
            <DataTable
              title="Levers"
              rows={r.recommendations}
              columns={[
                { key: 'lever' },
                { key: 'reason' },
                { key: 'metric' },
                { key: 'value', numeric: true, render: (x) => rateText(x) },
                { key: 'baseline', numeric: true, render: (x) => fmtPercent(x.baseline) },
                { key: 'excessCases', label: 'Excess cases', numeric: true },
                { key: 'owner' },
                { key: 'detail' },
              ]}
            />
          )}
        </AnalysisPanel>
        <AnalysisPanel<InflowResult>
          area="cases"
          verb="inflow"
          analysis="cases.inflow"
          title="Inflow reduction"
          subtitle="Contact reasons, the touchpoint that precedes them more than others, and the contacts prevention there would remove"
          filters={filters}
        >
          {(r) => (
            <DataTable
              title="Inflow reduction"
              rows={r.reasons}
              columns={[
                { key: 'reason' },
                { key: 'cases', numeric: true },
                { key: 'share', numeric: true, render: (x) => fmtPercent(x.share) },
                {
                  key: 'repeats',
                  label: 'Repeat contacts',
                  numeric: true,
                  value: (x) => x.repeats.value,
                  render: (x) => rateText(x.repeats),
                },
                {
                  key: 'precededBy',
                  label: 'Preceded by',
                  value: (x) =>
                    x.precededBy
                      ? `${x.precededBy.touchpoint}${x.precededBy.stage ? ` (${x.precededBy.stage})` : ''}`
                      : '–',
                },
                {
                  key: 'precededShare',
                  label: 'Share (vs others)',
                  numeric: true,
                  value: (x) => x.precededBy?.share.value ?? null,
                  render: (x) =>
                    x.precededBy
                      ? `${fmtPercent(x.precededBy.share.value)} vs ${fmtPercent(x.precededBy.baseline)}`
                      : '–',
                },
                {
                  key: 'excessContacts',
                  label: 'Preventable contacts',
                  numeric: true,
                  value: (x) => x.precededBy?.excessContacts ?? null,
                },
              ]}
            />
          )}
        </AnalysisPanel>
        <AnalysisPanel<CommunicationResult>
          area="cases"
          verb="communication"
          analysis="cases.communication"
          title="Keeping customers informed"
          subtitle={`Gaps between updates against the update promise, promises kept, and CSAT of cases updated late vs on time (an association, stratified by reason)`}
          filters={filters}
        >
          {(r) => (
            <>
              <div class="stats">
                <Stat
                  label="Gaps over the promise"
                  value={fmtPercent(r.gaps.overPromise.value)}
                  detail={`${rateText(r.gaps.overPromise)} · median gap ${fmtDuration(r.gaps.medianHours === null ? null : r.gaps.medianHours * 3600)} · promise ${fmtNumber(r.promiseHours, 0)} h`}
                />
                <Stat
                  label="Open cases past the promise"
                  value={fmtCount(r.openPastPromise)}
                  detail={`of ${fmtCount(r.openCases)} open`}
                />
                <Stat
                  label="Promises kept"
                  value={fmtPercent(r.promises.kept.value)}
                  detail={`${rateText(r.promises.kept)} · ${fmtCount(r.promises.made)} made`}
                />
                <Stat
                  label="CSAT: late vs on time"
                  value={
                    r.csat.difference.value === null
                      ? '–'
                      : `${fmtNumber(r.csat.difference.value * 100, 1)} pts`
                  }
                  detail={`${fmtInterval(r.csat.difference.low === null ? null : r.csat.difference.low * 100, r.csat.difference.high === null ? null : r.csat.difference.high * 100)} pts · ${r.csat.note}`}
                />
              </div>
              <DataTable
                title="CSAT by longest gap"
                rows={r.csat.byMaxGap}
                columns={[
                  { key: 'band', label: 'Longest gap' },
                  { key: 'cases', numeric: true },
                  {
                    key: 'satisfied',
                    label: 'Satisfied (95 % interval)',
                    numeric: true,
                    value: (g) => g.satisfied.value,
                    render: (g) => rateText(g.satisfied),
                  },
                  { key: 'mean', label: 'Mean CSAT', numeric: true, render: (g) => fmtNumber(g.mean, 2) },
                ]}
              />
            </>
          )}
        </AnalysisPanel>
        {overdueOp && (
          <Panel
            title="Overdue-update queue"
            subtitle="Open cases whose customer has waited longer than the update promise"
            wide
          >
            <Async state={overdue} what="overdue cases">
              {(d) => (
                <>
                  <p class="muted">
                    {fmtCount(d.total)} cases past the {fmtNumber(d.promiseHours, 0)} h promise as of{' '}
                    {d.asOf.slice(0, 10)}
                  </p>
                  <DataTable
                    title="Overdue-update queue"
                    rows={d.cases}
                    empty="No case is waiting for an update. Good."
                    columns={[
                      { key: 'caseId', label: 'Case' },
                      { key: 'customerId', label: 'Customer' },
                      { key: 'reason' },
                      { key: 'team' },
                      { key: 'agent' },
                      { key: 'openedAt', label: 'Opened' },
                      { key: 'lastUpdateAt', label: 'Last update' },
                      {
                        key: 'hoursOverdue',
                        label: 'Overdue by',
                        numeric: true,
                        render: (c) => fmtDuration(c.hoursOverdue * 3600),
                      },
                      { key: 'brokenPromiseAt', label: 'Broken promise' },
                    ]}
                  />
                </>
              )}
            </Async>
          </Panel>
        )}
        {ops
          .filter((o) => o.area === 'cases' && o.method === 'get' && !KNOWN.includes(o.verb))
          .map((o) => (
            <OperationTables key={o.verb} op={o} filters={filters} />
          ))}
      </div>
    </div>
  );
}
