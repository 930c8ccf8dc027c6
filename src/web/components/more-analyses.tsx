import type { OperationInfo } from '../api.js';
import type { Route } from '../route.js';
import { buildHash, filterQuery } from '../route.js';
import { OperationTables } from './generic.js';
import { PageHead } from './ui.js';

/**
 * The analyses this server offers that no page of the cockpit draws yet (a capability added with
 * its folder and one line, before anyone wrote its page): each listed with its summary, one at a
 * time drawn as tables (`OperationTables`). Analyses that need an input first are named, with
 * where to run them.
 */
export function MoreAnalyses(props: { route: Route; analyses: readonly OperationInfo[] }) {
  const runnable = props.analyses.filter((o) => (o.required ?? []).length === 0);
  const needInput = props.analyses.filter((o) => (o.required ?? []).length > 0);
  const chosen = runnable.find((o) => `${o.area}.${o.verb}` === props.route.query.op) ?? runnable[0];
  const keep = filterQuery(props.route.query);
  return (
    <div class="page">
      <PageHead title="More analyses" uses={[]} />
      <p class="muted">Analyses on this server without a page of their own yet, drawn as tables.</p>
      <nav class="tabs" aria-label="Analyses" data-primary="">
        {runnable.map((o) => (
          <a
            key={`${o.area}.${o.verb}`}
            href={buildHash('more', { ...keep, op: `${o.area}.${o.verb}` })}
            aria-current={o === chosen ? 'page' : undefined}
            title={o.summary}
          >
            {o.area} {o.verb}
          </a>
        ))}
      </nav>
      {chosen && <OperationTables key={`${chosen.area}.${chosen.verb}`} op={chosen} filters={{}} />}
      {needInput.length > 0 && (
        <p class="muted" data-testid="need-input">
          Need an input first (run them with <code>touchpoint &lt;area&gt; &lt;verb&gt;</code> or through the
          API, <a href="/docs">/docs</a>):{' '}
          {needInput.map((o) => `${o.area} ${o.verb} (${(o.required ?? []).join(', ')})`).join('; ')}.
        </p>
      )}
    </div>
  );
}
