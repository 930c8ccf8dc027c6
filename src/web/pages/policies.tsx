import type { ImpactResult } from '../../policies/impact.js';
import type { PageProps } from '../app.js';
import { POLICY_CHANGE_COLUMNS, POLICY_COLUMNS, tableColumns } from '../columns.js';
import { AnalysisPanel } from '../components/analysis.js';
import { DataTable } from '../components/table.js';
import { Async, PageHead, Panel } from '../components/ui.js';
import { useOp } from '../state.js';

/** Policies: the catalogue and each policy's before/after at its effective date, flagged when its theme is negative. */
export function PoliciesPage(_props: PageProps) {
  const list = useOp('policies.list');
  return (
    <div class="page">
      <PageHead title="Policies" uses={[]} />
      <Panel
        primary
        title="Catalogue"
        subtitle="Import with touchpoint policies import --file policies.csv (name, effective, touchpoints, themes, owner)."
        wide
      >
        <Async state={list} what="policies">
          {(d) => (
            <DataTable
              title="Policy catalogue"
              rows={d.policies}
              empty="No policy catalogued yet."
              columns={tableColumns(POLICY_COLUMNS)}
            />
          )}
        </Async>
      </Panel>
      <AnalysisPanel<ImpactResult>
        area="policies"
        verb="impact"
        analysis="policies.impact"
        title="Before and after"
        subtitle="90 days each side of the effective date, with 95% intervals. Not a controlled comparison: a season moves these figures too."
        filters={{}}
      >
        {(r) => (
          <div>
            {r.policies.map((pi) => (
              <section key={pi.policy.id} data-policy={pi.policy.id} data-flagged={pi.flagged ? 'yes' : 'no'}>
                <h3>
                  {pi.flagged && <span class="tag warn">review</span>} {pi.policy.name}
                </h3>
                <DataTable
                  title={`Before and after: ${pi.policy.name}`}
                  rows={pi.changes}
                  columns={tableColumns(POLICY_CHANGE_COLUMNS)}
                />
              </section>
            ))}
          </div>
        )}
      </AnalysisPanel>
    </div>
  );
}
