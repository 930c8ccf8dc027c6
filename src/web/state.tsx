/**
 * What every page needs: the operations the server offers (pages appear only for analyses that
 * exist), who is signed in, the colour scheme, and `useOp`, a typed call with loading and error state.
 */
import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getOp, type OperationInfo, type Params } from './api.js';
import { type OpKey, type OpResult, splitOpKey } from './op-types.js';
import { periodDays, periodSpan } from './periods.js';

export interface Session {
  readonly user: string;
  readonly role: 'admin' | 'analyst' | 'agent' | 'viewer' | string;
  /** user (signed in), key, or local (this machine, `touchpoint start`). */
  readonly type: string;
}

export interface AppState {
  readonly ops: readonly OperationInfo[];
  readonly session: Session | null;
  readonly dark: boolean;
  readonly toggleDark: () => void;
}

export const AppContext = createContext<AppState>({
  ops: [],
  session: null,
  dark: false,
  toggleDark: () => {},
});

export function AppProvider(props: { value: AppState; children: ComponentChildren }) {
  return <AppContext.Provider value={props.value}>{props.children}</AppContext.Provider>;
}

export const useApp = (): AppState => useContext(AppContext);

/** The operation if the server offers it. */
export function findOp(ops: readonly OperationInfo[], area: string, verb: string): OperationInfo | undefined {
  return ops.find((o) => o.area === area && o.verb === verb);
}

/** Keeps only the parameters an operation accepts (the shared filters go where they apply). */
export function paramsFor(op: OperationInfo | undefined, params: Params): Params {
  if (!op) return {};
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) if (op.fields.includes(k)) out[k] = v;
  return out;
}

let latestData: string | null = null;
let firstData: string | null = null;
/** The workspace's latest data time (`overview data-range`), set once when the cockpit starts. */
export function setLatestData(iso: string | null, first: string | null = null): void {
  latestData = iso;
  firstData = first;
}
export const getLatestData = (): string | null => latestData;
/** The workspace's first data time (trends leave out the period it starts inside). */
export const getFirstData = (): string | null => firstData;

let personasExist = false;
/** Whether the workspace has personas (`personas list` answered with a run), set once at start. */
export function setPersonasExist(v: boolean): void {
  personasExist = v;
}
export const havePersonas = (): boolean => personasExist;

const FILTER_LABELS: Readonly<Record<string, string>> = {
  persona: 'persona',
  segment: 'segment',
  channel: 'channel',
  period: 'period',
};

/**
 * The filters set in the URL that an operation does not take (so the panel drawing it must say it
 * leaves them alone): the period counts as taken when the operation has `period`, `days`,
 * `periodDays` or `from`.
 */
export function unappliedFilters(
  op: OperationInfo | undefined,
  filters: Readonly<Record<string, string>>,
): string[] {
  const out: string[] = [];
  for (const k of ['persona', 'segment', 'channel', 'period'] as const) {
    if (!filters[k]) continue;
    const takes =
      k === 'period'
        ? !!op && ['period', 'days', 'periodDays', 'from'].some((f) => op.fields.includes(f))
        : !!op && op.fields.includes(k);
    if (!takes) out.push(FILTER_LABELS[k]!);
  }
  return out;
}

/**
 * Turns the URL's filters into an operation's parameters (period → from / days as the operation
 * takes). A relative period counts back from the workspace's latest data, not from today, so a
 * historical import is not empty ("last 90 days" = the 90 days up to its last event); today only when
 * the workspace has no data range.
 */
export function filterParams(
  op: OperationInfo | undefined,
  filters: Readonly<Record<string, string>>,
  latest: string | null = latestData,
): Params {
  const p: Params = {};
  for (const k of ['persona', 'segment', 'channel'] as const) if (filters[k]) p[k] = filters[k];
  const period = filters.period;
  if (period && op) {
    const n = periodDays(period);
    if (op.fields.includes('period')) p.period = period;
    else if (n !== null) {
      if (op.fields.includes('days')) p.days = n;
      else if (op.fields.includes('periodDays')) p.periodDays = n;
      else if (op.fields.includes('from')) {
        // the same span as every figure of the cockpit: the n days up to the latest data's day
        const span = periodSpan(period, latest);
        p.from = span.from;
        if (op.fields.includes('to')) p.to = span.to;
      }
    }
  }
  return paramsFor(op, p);
}

export interface OpState<R> {
  readonly data: R | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * Calls a read operation when it exists; re-runs when its parameters change. Named as one string,
 * `useOp('journey.map', params)`, the result type follows from the operation table (op-types.ts);
 * `useOp<R>('journey', 'map', params)` is the same call with the type given by hand.
 */
export function useOp<K extends OpKey>(op: K, params?: Params, enabled?: boolean): OpState<OpResult<K>>;
export function useOp<R>(area: string, verb: string, params?: Params, enabled?: boolean): OpState<R>;
export function useOp<R>(
  first: string,
  second?: string | Params,
  third?: Params | boolean,
  fourth?: boolean,
): OpState<R> {
  const [area, verb, params, enabled] =
    typeof second === 'string'
      ? [first, second, (third as Params | undefined) ?? {}, fourth ?? true]
      : [...splitOpKey(first), second ?? {}, (third as boolean | undefined) ?? true];
  return useOpCall<R>(area, verb, params, enabled);
}

function useOpCall<R>(area: string, verb: string, params: Params, enabled: boolean): OpState<R> {
  const { ops } = useApp();
  const op = findOp(ops, area, verb);
  const key = JSON.stringify(paramsFor(op, params));
  const [state, setState] = useState<{ data?: R; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (!op || !enabled) {
      setState({ loading: false });
      return;
    }
    const mine = ++seq.current;
    setState((s) => ({ data: s.data, loading: true }));
    getOp<R>(area, verb, JSON.parse(key) as Params).then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: unknown) =>
        mine === seq.current &&
        setState({
          error: error instanceof ApiError ? error : new ApiError(0, 'error', String(error)),
          loading: false,
        }),
    );
  }, [area, verb, key, tick, op?.area, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
