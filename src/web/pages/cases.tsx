import type { PageProps } from '../app.js';
import { OperationTables } from '../components/generic.js';
import { filterQuery } from '../route.js';
import { useApp } from '../state.js';

export function CasesPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  return (
    <div class="page">
      <h1>Cases</h1>
      {ops
        .filter((o) => o.area === 'cases' && o.method === 'get')
        .map((o) => (
          <OperationTables key={o.verb} op={o} filters={filters} />
        ))}
    </div>
  );
}
