import { useMemo } from 'preact/hooks';
import type { TimelineItem } from '../../customers/timeline.js';
import type { PageProps } from '../app.js';
import { Chart } from '../components/chart.js';
import { CaseLink } from '../components/links.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, PageHead, Panel, Primary, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtMoney, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { setQuery } from '../route.js';
import { useOp } from '../state.js';

/** Back where the reader came from; a page opened from a shared link goes to the overview. */
const back = () => (history.length > 1 ? history.back() : location.assign('#/overview'));

const KINDS = [
  ['', 'Everything'],
  ['event', 'Interactions'],
  ['answer', 'Answers'],
  ['case', 'Cases'],
] as const;

const KIND_LABEL: Record<TimelineItem['kind'], string> = {
  event: 'interaction',
  answer: 'answer',
  'case-opened': 'case opened',
  handoff: 'transfer',
  'case-closed': 'case closed',
  'case-reopened': 'case reopened',
};

/** `2026-06-07 06:39` (UTC, the time every record is stored in). */
const fmtTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

function scoreTone(a: NonNullable<TimelineItem['answer']>): string {
  if (a.score === null) return '';
  const bad =
    a.kind === 'nps'
      ? a.score <= 6
      : a.kind === 'csat'
        ? a.score <= 2
        : a.kind === 'ces'
          ? a.score <= 3
          : false;
  const good =
    a.kind === 'nps'
      ? a.score >= 9
      : a.kind === 'csat'
        ? a.score >= 4
        : a.kind === 'ces'
          ? a.score >= 5
          : false;
  return bad ? 'bad' : good ? 'good' : '';
}

/** Every item on one channel lane over time: what the customer did where, at a glance. */
function ChannelLanes(props: { items: readonly TimelineItem[] }) {
  const items = props.items.filter((i) => i.channel);
  const channels = [...new Set(items.map((i) => i.channel!))].sort();
  if (items.length === 0) return null;
  // colours readable on the light and the dark background
  const colour = { event: '#3b82f6', answer: '#16a34a', 'case-opened': '#e11d48' } as const;
  const series = (['event', 'answer', 'case-opened'] as const).map((k) => ({
    name: k === 'event' ? 'Interactions' : k === 'answer' ? 'Answers' : 'Cases',
    type: 'scatter',
    itemStyle: { color: colour[k] },
    symbol: k === 'event' ? 'circle' : k === 'answer' ? 'diamond' : 'rect',
    symbolSize: k === 'event' ? 8 : 12,
    data: items
      .filter((i) => i.kind === k)
      .map((i) => ({
        value: [i.ts, i.channel],
        tip: tipHtml`${fmtTime(i.ts)} · ${i.channel ?? ''}<br/>${i.title}`,
      })),
  }));
  return (
    <Chart
      title="Interactions, answers and cases by channel over time"
      height={Math.max(160, 60 + channels.length * 32)}
      rows={items.map((i) => ({ time: i.ts, channel: i.channel, kind: i.kind, what: i.title }))}
      option={{
        tooltip: { formatter: (p: { data?: { tip?: string } }) => p.data?.tip ?? '' },
        legend: { top: 0 },
        grid: { left: 80, right: 20, top: 30, bottom: 30 },
        xAxis: { type: 'time' },
        yAxis: { type: 'category', data: channels },
        series,
      }}
    />
  );
}

function Timeline(props: { items: readonly TimelineItem[] }) {
  if (props.items.length === 0) return <Empty>Nothing recorded for this customer.</Empty>;
  let day = '';
  return (
    <ol class="timeline" data-testid="customer-timeline">
      {props.items.map((i) => {
        const newDay = i.ts.slice(0, 10) !== day;
        day = i.ts.slice(0, 10);
        const head = `Case ${i.caseId}`;
        const rest =
          i.caseId && i.kind !== 'answer' && i.title.startsWith(head) ? i.title.slice(head.length) : null;
        return (
          <li key={`${i.kind}-${i.id}`} class={`tl-item tl-${i.kind}`} data-kind={i.kind}>
            {newDay && <div class="tl-day">{fmtDate(i.ts)}</div>}
            <div class="tl-row">
              <time dateTime={i.ts} class="tl-time">
                {i.ts.slice(11, 16)}
              </time>
              <span class="tag">{KIND_LABEL[i.kind]}</span>
              {i.channel && <span class="tag ghost">{i.channel}</span>}
              <span class="tl-title">
                {rest !== null ? (
                  <>
                    <CaseLink id={i.caseId} label={`Case ${i.caseId}`} />
                    {rest}
                  </>
                ) : i.answer ? (
                  <span class={`score ${scoreTone(i.answer)}`}>{i.title}</span>
                ) : (
                  i.title
                )}
                {i.outcome && <span class="muted"> · {i.outcome}</span>}
                {i.stage && <span class="muted"> · {i.stage}</span>}
              </span>
            </div>
            {i.answer && (
              <div class="tl-said">
                {i.caseId && (
                  <span class="muted">
                    about <CaseLink id={i.caseId} />
                  </span>
                )}
                {i.answer.comment && <blockquote>{i.answer.comment}</blockquote>}
                {(i.answer.sentiment || i.answer.theme) && (
                  <span class="muted small">
                    {i.answer.sentiment ?? ''}
                    {i.answer.theme ? ` · theme ${i.answer.theme}` : ''}
                  </span>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** One customer: who they are (persona, segment, value, risk) and everything that happened, in order. */
export function CustomerPage(props: PageProps) {
  const id = props.route.query.id ?? '';
  const show = props.route.query.show ?? '';
  const state = useOp('customers.timeline', { customer: id }, id !== '');
  const filtered = useMemo(() => {
    const items = state.data?.items ?? [];
    if (!show) return items;
    return items.filter((i) =>
      show === 'case' ? i.kind.startsWith('case') || i.kind === 'handoff' : i.kind === show,
    );
  }, [state.data, show]);
  if (!id)
    return (
      <div class="page">
        <PageHead title="Customer" uses={[]} />
        <Empty>No customer chosen: open one from a finding, a case or a comment.</Empty>
      </div>
    );
  return (
    <div class="page">
      <PageHead title={`Customer ${id}`} uses={[]}>
        <button type="button" class="btn small" onClick={back}>
          ← Back
        </button>
      </PageHead>
      <Async state={state} what="the customer's timeline">
        {(d) => {
          const c = d.customer;
          return (
            <>
              <Primary>
                <div class="stats" data-testid="customer-facts">
                  <Stat
                    label="Segment"
                    value={c.segment ?? '–'}
                    detail={
                      [c.plan && `plan ${c.plan}`, c.region, c.country].filter(Boolean).join(' · ') ||
                      undefined
                    }
                  />
                  <Stat
                    label="Persona"
                    value={c.persona?.name ?? '–'}
                    detail={c.persona ? undefined : 'no personas computed yet'}
                  />
                  <Stat
                    label="Value"
                    value={c.monthlyValue === null ? '–' : `${fmtMoney(c.monthlyValue)}/month`}
                    detail={c.createdAt ? `customer since ${fmtDate(c.createdAt)}` : undefined}
                  />
                  <Stat
                    label="Churn risk"
                    value={c.churnRisk ? fmtPercent(c.churnRisk.value, 0) : c.churnedAt ? 'churned' : '–'}
                    detail={
                      c.churnedAt
                        ? `left on ${fmtDate(c.churnedAt)}`
                        : c.churnRisk
                          ? `from the ${c.churnRisk.source}`
                          : 'no churn risk recorded for this customer'
                    }
                    tone={c.churnedAt ? 'bad' : ''}
                  />
                  <Stat
                    label="History"
                    value={`${fmtCount(d.summary.events)} interactions`}
                    detail={`${fmtCount(d.summary.answers)} answers · ${fmtCount(d.summary.cases)} cases · ${d.summary.channels.join(', ') || 'no channel'}`}
                  />
                </div>
              </Primary>
              <div class="grid">
                <Panel
                  title="Across channels"
                  subtitle="Each mark is one thing that happened, on its channel"
                  wide
                >
                  <ChannelLanes items={d.items} />
                </Panel>
                {d.cases.length > 0 && (
                  <Panel
                    title="Cases"
                    subtitle="Each support case, the teams it went through and its CSAT"
                    wide
                  >
                    <DataTable
                      title={`Cases of customer ${c.id}`}
                      rows={d.cases}
                      columns={[
                        { key: 'id', label: 'Case', render: (x) => <CaseLink id={x.id} /> },
                        { key: 'reason' },
                        { key: 'channel' },
                        { key: 'status' },
                        { key: 'openedAt', label: 'Opened' },
                        { key: 'teams', value: (x) => x.teams.join(' → ') },
                        { key: 'teamHandoffs', label: 'Handoffs', numeric: true },
                        { key: 'returns', label: 'Returns', numeric: true },
                        { key: 'reopens', label: 'Reopens', numeric: true },
                        {
                          key: 'csat',
                          label: 'CSAT',
                          numeric: true,
                          render: (x) => (x.csat === null ? '–' : `${x.csat}/5`),
                        },
                      ]}
                    />
                  </Panel>
                )}
                <Panel
                  title="Timeline"
                  subtitle={`Everything in time order (UTC)${d.truncated ? ` · the ${fmtCount(d.truncated)} oldest items are left out` : ''}`}
                  wide
                  actions={
                    <fieldset class="chips">
                      <legend class="sr-only">Show</legend>
                      {KINDS.map(([k, label]) => (
                        <button
                          key={k}
                          type="button"
                          class="chip"
                          aria-pressed={show === k}
                          onClick={() => setQuery({ show: k || undefined })}
                        >
                          {label}
                        </button>
                      ))}
                    </fieldset>
                  }
                >
                  <Timeline items={filtered} />
                </Panel>
              </div>
            </>
          );
        }}
      </Async>
    </div>
  );
}
