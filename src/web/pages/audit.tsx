import type { AuditItem } from '../../audit/audit.js';
import type { PageProps } from '../app.js';
import { P_LABELS } from '../components/findings.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, Loading, PageHead, Panel, Stat } from '../components/ui.js';
import { useOp } from '../state.js';

const columns = [
  { key: 'title', label: 'Finding' },
  { key: 'value', label: 'Figure', numeric: true },
  { key: 'customersAffected', label: 'Customers', numeric: true },
  {
    key: 'revenueAtRisk',
    label: 'Revenue at risk',
    numeric: true,
    render: (i: AuditItem) =>
      i.revenueAtRisk === null ? <span class="muted small">no business case</span> : i.revenueAtRisk,
  },
  { key: 'ownerTeam', label: 'Owner' },
  { key: 'trend', label: 'Since last audit' },
];

/** Audit: the latest stored 4 P's audit, its findings per P with trend, and the list of audits. */
export function AuditPage(_props: PageProps) {
  const list = useOp('audit.list', {});
  // `audit show` answers 404 before the first audit: ask only once the list says there is one
  const any = (list.data?.audits.length ?? 0) > 0;
  const latest = useOp('audit.show', {}, any);
  return (
    <div class="page">
      <PageHead title="4 P's audit" uses={[]} />
      <Panel
        primary
        title="Latest audit"
        subtitle="Run with touchpoint audit run (stored, so “since the last audit” compares stored figures); the report: touchpoint report audit --out report.pdf"
        wide
      >
        {list.data && !any ? (
          <Empty>No audit yet. Run one with touchpoint audit run (or POST /api/v1/audit/run).</Empty>
        ) : !list.error && latest.data === undefined && !latest.error ? (
          // the list is loading, or the latest audit is about to be asked for
          <Loading what="the latest audit" />
        ) : (
          <Async state={latest} what="the latest audit">
            {(a) => (
              <div>
                <div class="stats">
                  <Stat
                    label="Findings"
                    value={String(a.summary.findings)}
                    detail={a.createdAt.slice(0, 10)}
                  />
                  {(Object.keys(P_LABELS) as (keyof typeof P_LABELS)[]).map((p) => (
                    <Stat key={p} label={P_LABELS[p]} value={String(a.summary.byP[p])} />
                  ))}
                  <Stat label="New" value={String(a.summary.trends.new)} />
                  <Stat
                    label="Worse"
                    value={String(a.summary.trends.worse)}
                    tone={a.summary.trends.worse ? 'bad' : ''}
                  />
                  <Stat
                    label="Resolved"
                    value={String(a.summary.trends.resolved)}
                    tone={a.summary.trends.resolved ? 'good' : ''}
                  />
                </div>
                {(Object.keys(P_LABELS) as (keyof typeof P_LABELS)[]).map((p) => (
                  <section key={p} data-p={p}>
                    <h3>{P_LABELS[p]}</h3>
                    <DataTable
                      title={`Audit ${P_LABELS[p]}`}
                      rows={a.items.filter((i) => i.p === p)}
                      columns={columns}
                      empty="No finding."
                    />
                  </section>
                ))}
              </div>
            )}
          </Async>
        )}
      </Panel>
      <Panel title="Audits" wide>
        <Async state={list} what="audits">
          {(d) => (
            <DataTable
              title="Audits"
              rows={d.audits.map((a) => ({
                audit: a.id,
                date: a.createdAt.slice(0, 16).replace('T', ' '),
                findings: a.summary.findings,
                new: a.summary.trends.new,
                worse: a.summary.trends.worse,
                resolved: a.summary.trends.resolved,
              }))}
              empty="No audit yet."
            />
          )}
        </Async>
      </Panel>
    </div>
  );
}
