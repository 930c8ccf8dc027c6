import type { PageProps } from '../app.js';
import { FindingDetail, findingColumns, P_LABELS } from '../components/findings.js';
import { DataTable } from '../components/table.js';
import { Async, PageHead, Panel } from '../components/ui.js';
import { setQuery } from '../route.js';
import { useOp } from '../state.js';

/** Pain points: every analysis's ranked findings with evidence and owner, filterable by the 4 P's. */
export function FindingsPage(props: PageProps) {
  const q = props.route.query;
  const state = useOp('findings.list', {
    p: q.p,
    kind: q.kind,
    owner: q.owner,
    analysis: q.analysis,
    limit: 500,
  });
  // the choices come from every finding, so picking one never hides the others from the menu
  const everything = useOp('findings.list', { limit: 2000 });
  const analyses = [...new Set((everything.data?.findings ?? []).map((f) => f.analysis))].sort();
  const owners = [
    ...new Set((everything.data?.findings ?? []).map((f) => f.ownerTeam).filter((o) => o !== null)),
  ].sort();
  const select = (key: 'analysis' | 'owner', label: string, values: readonly string[]) => (
    <label class="filter">
      <span>{label}</span>
      <select
        value={q[key] ?? ''}
        onChange={(e) => setQuery({ [key]: (e.target as HTMLSelectElement).value || undefined })}
      >
        <option value="">all</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
  // the open finding lives in the URL (?finding=id): a customer or case opened from its evidence comes back to it
  const open =
    (q.finding &&
      (state.data?.findings.find((f) => f.id === q.finding) ??
        everything.data?.findings.find((f) => f.id === q.finding))) ||
    null;
  return (
    <div class="page">
      <PageHead title="Pain points" uses={[]}>
        {select('analysis', 'Analysis', analyses)}
        {select('owner', 'Owner', owners as string[])}
      </PageHead>
      <fieldset class="chips">
        <legend class="sr-only">Filter by the 4 P's</legend>
        <button type="button" class="chip" aria-pressed={!q.p} onClick={() => setQuery({ p: undefined })}>
          All
        </button>
        {(Object.keys(P_LABELS) as (keyof typeof P_LABELS)[]).map((p) => (
          <button key={p} type="button" class="chip" aria-pressed={q.p === p} onClick={() => setQuery({ p })}>
            {P_LABELS[p]}
          </button>
        ))}
      </fieldset>
      <div class="split">
        <Panel
          primary
          title="Ranked findings"
          subtitle="Well-measured findings first; small samples (n < 30 or interval wider than ±10 points) after them. Open one for its evidence."
          wide
        >
          <Async state={state} what="findings">
            {(d) => (
              <DataTable
                title="Findings"
                rows={d.findings}
                columns={findingColumns}
                onOpen={(f) => setQuery({ finding: f.id })}
                empty="No findings yet. Run an analysis (journeys, feedback, cases) to fill this list."
              />
            )}
          </Async>
        </Panel>
        {open && <FindingDetail f={open} onClose={() => setQuery({ finding: undefined })} />}
      </div>
    </div>
  );
}
