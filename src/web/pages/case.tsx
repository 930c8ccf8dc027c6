import type { CaseTimelineResult } from '../../cases/case-timeline.js';
import type { PageProps } from '../app.js';
import { CustomerLink } from '../components/links.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, PageHead, Panel, Primary, Stat } from '../components/ui.js';
import { fmtDate, fmtDuration, fmtNumber } from '../format.js';
import { useOp } from '../state.js';

/** Back where the reader came from; a page opened from a shared link goes to the overview. */
const back = () => (history.length > 1 ? history.back() : location.assign('#/overview'));

const hours = (h: number | null) => fmtDuration(h === null ? null : h * 3600);
const fmtTime = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '–');

/** The case's team stints as one bar: each team's share of the case's life, in order. */
function StintBar(props: { t: CaseTimelineResult }) {
  const total = props.t.stints.reduce((s, x) => s + x.hours, 0);
  if (props.t.stints.length === 0 || total <= 0) return null;
  const palette = ['#1d4ed8', '#b45309', '#047857', '#6d28d9', '#be185d', '#0e7490'];
  const teams = [...new Set(props.t.stints.map((s) => s.team))];
  return (
    <div
      class="stint-bar"
      role="img"
      aria-label={`Time with each team: ${props.t.stints.map((s) => `${s.teamName ?? s.team} ${fmtNumber(s.hours, 1)} h`).join(', ')}`}
    >
      {props.t.stints.map((s, i) => (
        <div
          key={`${s.team}-${i}`}
          class="stint"
          style={{
            flexGrow: Math.max(s.hours, total / 100),
            background: palette[teams.indexOf(s.team) % palette.length],
          }}
          title={`${s.teamName ?? s.team}: ${fmtNumber(s.hours, 1)} h`}
        >
          <span>{s.teamName ?? s.team}</span>
        </div>
      ))}
    </div>
  );
}

/** One case from opening to now: who held it, every handoff, every update and its wait, the CSAT. */
export function CasePage(props: PageProps) {
  const id = props.route.query.id ?? '';
  const state = useOp('cases.timeline', { case: id }, id !== '');
  if (!id)
    return (
      <div class="page">
        <PageHead title="Case" uses={[]} />
        <Empty>No case chosen: open one from the Cases page, a finding or a customer.</Empty>
      </div>
    );
  return (
    <div class="page">
      <PageHead title={`Case ${id}`} uses={[]}>
        <button type="button" class="btn small" onClick={back}>
          ← Back
        </button>
      </PageHead>
      <Async state={state} what="the case's timeline">
        {(t) => {
          const m = t.metrics;
          const team = new Map(t.stints.map((s) => [s.team, s.teamName ?? s.team]));
          const late = t.updates.filter((u) => u.overPromise).length + (t.waiting?.overPromise ? 1 : 0);
          return (
            <>
              <Primary>
                <p class="case-line" data-testid="case-facts">
                  {t.case.reason ?? 'no reason recorded'} · {t.case.channel ?? '–'}
                  {t.case.product ? ` · ${t.case.product}` : ''}
                  {t.case.priority ? ` · priority ${t.case.priority}` : ''} · customer{' '}
                  <CustomerLink id={t.case.customerId} /> · <strong>{t.case.status}</strong> · opened{' '}
                  {fmtTime(t.case.openedAt)}
                  {t.case.closedAt ? ` · closed ${fmtTime(t.case.closedAt)}` : ''} (UTC)
                </p>
                <div class="stats">
                  <Stat
                    label="First reply"
                    value={hours(m.firstReplyHours)}
                    detail={
                      m.firstReplyHours === null
                        ? 'no update or closure yet'
                        : 'opening to the first update or closure'
                    }
                  />
                  <Stat
                    label="Resolution"
                    value={hours(m.resolutionHours)}
                    detail={m.resolutionHours === null ? 'still open' : 'opening to the final closure'}
                  />
                  <Stat
                    label="Team handoffs"
                    value={String(m.teamHandoffs)}
                    detail={`${m.returns} back to a team it had left · ${m.agentReassignments} agent reassignments`}
                    tone={m.returns > 0 ? 'bad' : ''}
                  />
                  <Stat
                    label="Updates"
                    value={`${t.updates.filter((u) => u.kind === 'update_sent').length} sent`}
                    detail={`${late} wait${late === 1 ? '' : 's'} over the ${fmtNumber(t.promiseHours, 0)} h promise${m.reopens ? ` · reopened ${m.reopens}×` : ''}`}
                    tone={late > 0 ? 'bad' : ''}
                  />
                  <Stat
                    label="CSAT"
                    value={t.csat ? `${t.csat.score}/5` : '–'}
                    detail={
                      t.csat
                        ? `${fmtDate(t.csat.at)}${t.csat.source === 'customer-window' ? ' · the customer’s first answer after closing' : ''}`
                        : 'no answer linked to this case'
                    }
                    tone={t.csat ? (t.csat.score >= 4 ? 'good' : t.csat.score <= 2 ? 'bad' : '') : ''}
                  />
                </div>
                {t.csat?.comment && <blockquote class="quote">{t.csat.comment}</blockquote>}
              </Primary>
              <div class="grid">
                <Panel title="Who held the case" subtitle="Each team stint, its agents and its length" wide>
                  <StintBar t={t} />
                  <DataTable
                    title={`Team stints of case ${t.case.id}`}
                    rows={t.stints}
                    columns={[
                      { key: 'team', value: (s) => s.teamName ?? s.team },
                      {
                        key: 'agents',
                        value: (s) => (s.agents.length ? s.agents.join(' → ') : 'in the queue'),
                      },
                      { key: 'from', render: (s) => fmtTime(s.from) },
                      {
                        key: 'to',
                        render: (s) => (s.current ? 'now (still with this team)' : fmtTime(s.to)),
                      },
                      { key: 'hours', label: 'Time', numeric: true, render: (s) => hours(s.hours) },
                    ]}
                  />
                </Panel>
                <Panel
                  title="Handoffs"
                  subtitle="Transfers between teams; a return goes back to a team the case had left"
                  wide
                >
                  <DataTable
                    title={`Handoffs of case ${t.case.id}`}
                    rows={t.handoffs}
                    empty="Never handed to another team."
                    columns={[
                      { key: 'at', render: (x) => fmtTime(x.at) },
                      { key: 'from', value: (x) => team.get(x.from) ?? x.from },
                      { key: 'to', value: (x) => team.get(x.to) ?? x.to },
                      { key: 'agent' },
                      { key: 'transferReason', label: 'Reason' },
                      {
                        key: 'isReturn',
                        label: 'Return',
                        render: (x) => (x.isReturn ? <span class="tag warn">return</span> : 'no'),
                      },
                      {
                        key: 'hoursToNextEvent',
                        label: 'Until someone acted',
                        numeric: true,
                        render: (x) => (x.hoursToNextEvent === null ? 'waiting' : hours(x.hoursToNextEvent)),
                      },
                    ]}
                  />
                </Panel>
                <Panel
                  title="Keeping the customer informed"
                  subtitle={`Each update (and the closure) with the wait before it, against the ${fmtNumber(t.promiseHours, 0)} h promise`}
                  wide
                >
                  <DataTable
                    title={`Updates of case ${t.case.id}`}
                    rows={[
                      ...t.updates.map((u) => ({ ...u, waiting: false })),
                      ...(t.waiting
                        ? [
                            {
                              at: t.asOf,
                              kind: 'waiting' as const,
                              channel: null,
                              gapHours: t.waiting.hours,
                              overPromise: t.waiting.overPromise,
                              waiting: true,
                            },
                          ]
                        : []),
                    ]}
                    empty="No update sent yet."
                    columns={[
                      {
                        key: 'at',
                        render: (u) => (u.waiting ? `waiting (as of ${fmtTime(u.at)})` : fmtTime(u.at)),
                      },
                      {
                        key: 'kind',
                        value: (u) =>
                          u.kind === 'update_sent'
                            ? 'update'
                            : u.kind === 'closed'
                              ? 'closure'
                              : 'no news yet',
                      },
                      { key: 'channel' },
                      {
                        key: 'gapHours',
                        label: 'Wait before',
                        numeric: true,
                        render: (u) => hours(u.gapHours),
                      },
                      {
                        key: 'overPromise',
                        label: 'Promise',
                        render: (u) =>
                          u.overPromise ? <span class="tag warn">over the promise</span> : 'kept',
                      },
                    ]}
                  />
                  {t.promises.length > 0 && (
                    <>
                      <h3>Dates promised to the customer</h3>
                      <DataTable
                        title={`Promises of case ${t.case.id}`}
                        rows={t.promises}
                        columns={[
                          { key: 'madeAt', label: 'Made', render: (p) => fmtTime(p.madeAt) },
                          { key: 'promisedAt', label: 'Promised for', render: (p) => fmtTime(p.promisedAt) },
                          { key: 'keptAt', label: 'Kept at', render: (p) => fmtTime(p.keptAt) },
                          { key: 'status' },
                        ]}
                      />
                    </>
                  )}
                </Panel>
                <Panel title="Every event" subtitle="The case's history as recorded, in order" wide>
                  <DataTable
                    title={`Events of case ${t.case.id}`}
                    rows={t.events}
                    limit={50}
                    columns={[
                      { key: 'ts', label: 'When', render: (e) => fmtTime(e.ts) },
                      { key: 'type' },
                      { key: 'team' },
                      { key: 'agent' },
                      {
                        key: 'detail',
                        value: (e) =>
                          [
                            e.status,
                            e.channel,
                            e.transferReason,
                            e.promisedAt && `promised ${fmtTime(e.promisedAt)}`,
                            e.note,
                          ]
                            .filter(Boolean)
                            .join(' · '),
                      },
                    ]}
                  />
                </Panel>
              </div>
            </>
          );
        }}
      </Async>
    </div>
  );
}
