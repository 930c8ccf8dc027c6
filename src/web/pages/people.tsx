import type { LinkResult } from '../../people/link.js';
import type { PageProps } from '../app.js';
import { AnalysisPanel } from '../components/analysis.js';
import { DataTable } from '../components/table.js';
import { Async, PageHead, Panel } from '../components/ui.js';
import { setQuery } from '../route.js';
import { useOp } from '../state.js';

const QUESTIONS = ['enps', 'training', 'tools', 'empowerment', 'leadership', 'information'] as const;

/** A figure or why it is not shown: "fewer than 5" (the group is too small) or "withheld". */
function Cell(props: { value: number | null; low: number | null; high: number | null; status: string }) {
  if (props.value === null) {
    return (
      <span class="muted small" data-status={props.status}>
        {props.status}
      </span>
    );
  }
  return (
    <span data-status="published">
      {props.value}
      {props.low !== null && (
        <span class="muted small">
          {' '}
          ({props.low} to {props.high})
        </span>
      )}
    </span>
  );
}

/**
 * People: employee pulse per team and month under the anonymity rules (a group under the minimum
 * shows as "fewer than 5"; "withheld" protects a smaller group from subtraction), eNPS per team, the
 * comments of large enough groups, and the people findings (pulse beside customer outcomes).
 */
export function PeoplePage(props: PageProps) {
  const q = props.route.query;
  const question = (QUESTIONS as readonly string[]).includes(q.question ?? '') ? q.question! : 'enps';
  const pulse = useOp('people.pulse', { question, level: 'quarter' });
  const enps = useOp('people.enps', {});
  return (
    <div class="page">
      <PageHead title="People" uses={[]}>
        <label class="filter">
          <span>Question</span>
          <select
            value={question}
            onChange={(e) => setQuery({ question: (e.target as HTMLSelectElement).value })}
          >
            {QUESTIONS.map((x) => (
              <option key={x} value={x}>
                {x === 'enps' ? 'eNPS' : x}
              </option>
            ))}
          </select>
        </label>
      </PageHead>
      <Panel
        primary
        title="Employee NPS per team"
        subtitle="All pulse data, 95% interval clustered by respondent. No figure for a group of fewer than the minimum respondents; “withheld” keeps a smaller group from being subtracted out."
        wide
      >
        <Async state={enps} what="eNPS">
          {(d) => (
            <DataTable
              title="eNPS per team"
              rows={d.teams}
              limit={30}
              columns={[
                { key: 'teamName', label: 'Team' },
                {
                  key: 'enps',
                  label: 'eNPS',
                  numeric: true,
                  value: (t) => t.overall.value,
                  render: (t) => <Cell {...t.overall} />,
                },
                {
                  key: 'respondents',
                  label: 'Respondents',
                  numeric: true,
                  value: (t) => t.overall.respondents,
                },
                ...(d.teams[0]?.quarters ?? []).map((qq, i) => ({
                  key: qq.period,
                  label: qq.period,
                  value: (t: (typeof d.teams)[number]) => t.quarters[i]?.value ?? null,
                  render: (t: (typeof d.teams)[number]) =>
                    t.quarters[i] ? <Cell {...t.quarters[i]} /> : null,
                })),
              ]}
            />
          )}
        </Async>
      </Panel>
      <Panel
        title={`Pulse by team and quarter: ${question === 'enps' ? 'eNPS' : question}`}
        subtitle={pulse.data ? pulse.data.scale : undefined}
        wide
      >
        <Async state={pulse} what="pulse">
          {(d) => (
            <DataTable
              title="Pulse by team and quarter"
              rows={d.cells}
              limit={40}
              columns={[
                { key: 'teamName', label: 'Team' },
                { key: 'period', label: 'Quarter' },
                { key: 'value', label: 'Figure', numeric: true, render: (c) => <Cell {...c} /> },
                { key: 'respondents', label: 'Respondents', numeric: true },
              ]}
            />
          )}
        </Async>
      </Panel>
      <Panel
        title="Comments"
        subtitle={`Only for a team and quarter with at least ${pulse.data?.settings.minComments ?? 8} respondents; never with an author or a date.`}
        wide
      >
        <Async state={pulse} what="comments">
          {(d) => {
            const shown = d.comments.filter((c) => c.comments.length > 0);
            return shown.length === 0 ? (
              <p class="empty">No group is large enough to show its comments.</p>
            ) : (
              <ul class="comments" data-testid="pulse-comments">
                {shown.slice(0, 12).map((c) => (
                  <li key={`${c.team}-${c.quarter}`}>
                    <strong>
                      {c.teamName}, {c.quarter}
                    </strong>
                    <ul>
                      {c.comments.slice(0, 5).map((t, i) => (
                        <li key={i}>{t}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            );
          }}
        </Async>
      </Panel>
      <AnalysisPanel<LinkResult>
        area="people"
        verb="link"
        analysis="people.link"
        title="Pulse beside customer outcomes"
        subtitle="Teams whose pulse is low and whose customers fare worse; associations measured on cases with the team as the cluster — never a cause."
        filters={{}}
      >
        {(r) => (
          <DataTable
            title="Pulse and outcomes per team"
            rows={r.teams}
            limit={20}
            columns={[
              { key: 'teamName', label: 'Team' },
              { key: 'enps', label: 'eNPS', value: (t) => t.enps.value, render: (t) => <Cell {...t.enps} /> },
              { key: 'casesHandled', label: 'Cases held', numeric: true },
              { key: 'caseCsat', label: 'Case CSAT', numeric: true, value: (t) => t.caseCsat.value },
              { key: 'reopen', label: 'Reopened', numeric: true, value: (t) => t.reopenRate.value },
              { key: 'handoffs', label: 'Handed off', numeric: true, value: (t) => t.handoffsCaused.value },
            ]}
          />
        )}
      </AnalysisPanel>
    </div>
  );
}
