import type { PageProps } from '../app.js';
import { OperationTables } from '../components/generic.js';
import { PageHead } from '../components/ui.js';
import { filterQuery } from '../route.js';
import { useApp } from '../state.js';

export function JourneyPage(props: PageProps) {
  const { ops } = useApp();
  const filters = filterQuery(props.route.query);
  return (
    <div class="page">
      <PageHead title="Journey map" />
      {ops
        .filter((o) => (o.area === 'journeys' || o.area === 'journey') && o.method === 'get')
        .map((o) => (
          <OperationTables key={o.verb} op={o} filters={filters} />
        ))}
    </div>
  );
}
