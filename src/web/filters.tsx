import { setQuery, useRoute } from './route.js';
import { getLatestData, havePersonas, useApp } from './state.js';

const PERIODS = [
  ['', 'All time'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['12m', 'Last 12 months'],
] as const;

/**
 * Persona, segment, channel and period, kept in the URL so a link can be shared. A filter is shown
 * only when an operation the page calls (`uses`) accepts it; each call receives only the filters it takes.
 */
export function FilterBar(props: { uses: readonly string[] }) {
  const all = useApp().ops;
  const ops = all.filter(
    (o) => props.uses.includes(`${o.area}.${o.verb}`) || props.uses.includes(`${o.area}.*`),
  );
  const route = useRoute();
  // persona only once personas exist: before, every call taking it would refuse it ("no personas yet")
  const accepts = (f: string) => (f !== 'persona' || havePersonas()) && ops.some((o) => o.fields.includes(f));
  const q = route.query;
  const text = (key: 'persona' | 'segment' | 'channel', label: string) =>
    accepts(key) && (
      <label class="filter">
        <span>{label}</span>
        <input
          type="search"
          value={q[key] ?? ''}
          placeholder="any"
          onChange={(e) => setQuery({ [key]: (e.target as HTMLInputElement).value.trim() || undefined })}
        />
      </label>
    );
  const showPeriod = accepts('period') || accepts('days') || accepts('from');
  if (!showPeriod && !accepts('persona') && !accepts('segment') && !accepts('channel')) return null;
  return (
    <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {text('persona', 'Persona')}
      {text('segment', 'Segment')}
      {text('channel', 'Channel')}
      {showPeriod && (
        <label class="filter">
          <span>Period</span>
          <select
            value={q.period ?? ''}
            onChange={(e) => setQuery({ period: (e.target as HTMLSelectElement).value || undefined })}
          >
            {PERIODS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
          {q.period && getLatestData() && (
            <small class="muted" data-testid="period-anchor">
              up to the latest data, {getLatestData()!.slice(0, 10)}
            </small>
          )}
        </label>
      )}
    </form>
  );
}
