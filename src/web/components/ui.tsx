import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';
import { FilterBar } from '../filters.js';
import type { OpState } from '../state.js';

export function Panel(props: {
  title: string;
  subtitle?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  wide?: boolean;
  /** The page's main content: its appearance is the page's first meaningful paint (bench, tests). */
  primary?: boolean;
  /** Filters set on the page that this panel leaves alone (`unappliedFilters`), said on the panel. */
  ignores?: readonly string[];
  /** Why it leaves them alone, e.g. "findings of each analysis's latest run". */
  ignoresWhy?: string;
}) {
  const id = `p-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section
      class={`panel${props.wide ? ' wide' : ''}`}
      aria-labelledby={id}
      data-primary={props.primary ? '' : undefined}
    >
      <header class="panel-head">
        <div>
          <h2 id={id}>{props.title}</h2>
          {props.subtitle && <p class="muted">{props.subtitle}</p>}
          {props.ignores && props.ignores.length > 0 && (
            <p class="scope-note" data-testid="filter-scope">
              Not filtered by {props.ignores.join(', ')}
              {props.ignoresWhy ? `: ${props.ignoresWhy}` : ''}.
            </p>
          )}
        </div>
        {props.actions && <div class="panel-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {props.what ?? ''}…
    </div>
  );
}

export function ErrorBox(props: { error: ApiError; retry?: () => void }) {
  const hint =
    props.error.status === 0
      ? 'Check that `touchpoint start` is still running.'
      : props.error.status === 403 || props.error.status === 401
        ? 'Your role does not allow this. Ask an admin.'
        : props.error.code === 'unavailable'
          ? 'This analysis has nothing to show yet.'
          : '';
  return (
    <div class="error" role="alert">
      <strong>Could not load this.</strong> {props.error.message} {hint}
      {props.retry && (
        <button type="button" class="link" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A page's title with the shared filters beside it. */
export function PageHead(props: { title: string; uses: readonly string[]; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1>{props.title}</h1>
      {props.children}
      <FilterBar uses={props.uses} />
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** Draws an operation's state: progress while it runs, a friendly error, or its content. */
export function Async<R>(props: {
  state: OpState<R>;
  what?: string;
  children: (data: R) => ComponentChildren;
}) {
  const { data, error, loading, reload } = props.state;
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (data === undefined) return loading ? <Loading what={props.what} /> : <Empty>Nothing to show.</Empty>;
  return <>{props.children(data)}</>;
}

/** Marks its children as the page's main content (see Panel `primary`). */
export function Primary(props: { children: ComponentChildren }) {
  return <div data-primary="">{props.children}</div>;
}

export function Stat(props: { label: string; value: string; detail?: string; tone?: 'good' | 'bad' | '' }) {
  return (
    <div class={`stat ${props.tone ?? ''}`}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      {props.detail && <div class="stat-detail">{props.detail}</div>}
    </div>
  );
}
