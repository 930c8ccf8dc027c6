import type { Policy } from '../../policies/catalogue.js';
import type { ImpactResult } from '../../policies/impact.js';
import type { PageProps } from '../app.js';
import { AnalysisPanel } from '../components/analysis.js';
import { DataTable } from '../components/table.js';
import { Async, PageHead, Panel } from '../components/ui.js';
import { useOp } from '../state.js';

/** Policies: the catalogue and each policy's before/after at its effective date, flagged when its theme is negative. */
export function PoliciesPage(_props: PageProps) {
  const list = useOp<{ policies: Policy[] }>('policies', 'list', {});
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
              columns={[
                { key: 'name', label: 'Policy' },
                { key: 'effectiveAt', label: 'Effective', value: (p) => p.effectiveAt.slice(0, 10) },
                { key: 'touchpoints', label: 'Touchpoints', value: (p) => p.touchpoints.join(', ') },
                { key: 'themes', label: 'Linked themes', value: (p) => p.themes.join(', ') },
                { key: 'owner', label: 'Owner' },
              ]}
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
                  columns={[
                    { key: 'measure', label: 'Measure' },
                    { key: 'before', label: 'Before', numeric: true },
                    { key: 'after', label: 'After', numeric: true },
                    {
                      key: 'change',
                      label: 'Change (95% interval)',
                      numeric: true,
                      render: (c) => (c.change === null ? '—' : `${c.change} (${c.low} to ${c.high})`),
                    },
                    { key: 'verdict', label: 'Verdict' },
                  ]}
                />
              </section>
            ))}
          </div>
        )}
      </AnalysisPanel>
    </div>
  );
}
