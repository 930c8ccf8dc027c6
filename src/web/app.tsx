import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  ApiError,
  getJson,
  loadOperations,
  type OperationInfo,
  onInFlight,
  postJson,
  setCsrfToken,
} from './api.js';
import { MoreAnalyses } from './components/more-analyses.js';
import { ErrorBox, Loading } from './components/ui.js';
import { Login } from './login.js';
import { AuditPage } from './pages/audit.js';
import { AutomationsPage } from './pages/automations.js';
import { CasePage } from './pages/case.js';
import { CasesPage } from './pages/cases.js';
import { CustomerPage } from './pages/customer.js';
import { ExperimentsPage } from './pages/experiments.js';
import { FindingsPage } from './pages/findings.js';
import { GoalsPage } from './pages/goals.js';
import { HealthPage } from './pages/health.js';
import { JourneyPage } from './pages/journey.js';
import { AlertsPage, MonitorsPage } from './pages/monitors.js';
import { OverviewPage } from './pages/overview.js';
import { PeoplePage } from './pages/people.js';
import { PersonasPage } from './pages/personas.js';
import { PoliciesPage } from './pages/policies.js';
import { SettingsPage } from './pages/settings.js';
import { VoicePage } from './pages/voice.js';
import { buildHash, filterQuery, type Route, useRoute } from './route.js';
import { AppProvider, type Session, setLatestData, setPersonasExist, useApp } from './state.js';

export interface PageProps {
  readonly route: Route;
}

interface PageDef {
  readonly id: string;
  readonly label: string;
  /** A page is in the navigation only when the analysis behind it exists on this server. */
  readonly available: (ops: readonly OperationInfo[], session: Session | null) => boolean;
  readonly component: ComponentType<PageProps>;
  /** A drill-down page reached by links (a customer, a case), not listed in the navigation. */
  readonly hidden?: boolean;
}

const hasArea = (ops: readonly OperationInfo[], ...areas: string[]) =>
  ops.some((o) => areas.includes(o.area));

export const PAGES: readonly PageDef[] = [
  {
    id: 'overview',
    label: 'Overview',
    available: (ops) => hasArea(ops, 'overview', 'findings'),
    component: OverviewPage,
  },
  {
    id: 'journey',
    label: 'Journey map',
    available: (ops) => ops.some((o) => o.area === 'journey' && o.verb === 'map'),
    component: JourneyPage,
  },
  {
    id: 'personas',
    label: 'Personas',
    available: (ops) => ops.some((o) => o.area === 'personas' && o.verb === 'board'),
    component: PersonasPage,
  },
  {
    id: 'findings',
    label: 'Pain points',
    available: (ops) => hasArea(ops, 'findings'),
    component: FindingsPage,
  },
  {
    id: 'voice',
    label: 'Voice of the customer',
    available: (ops) => hasArea(ops, 'feedback', 'voice'),
    component: VoicePage,
  },
  { id: 'cases', label: 'Cases', available: (ops) => hasArea(ops, 'cases'), component: CasesPage },
  {
    id: 'health',
    label: 'Health',
    available: (ops) => ops.some((o) => o.area === 'health' && o.verb === 'lifecycle'),
    component: HealthPage,
  },
  {
    id: 'experiments',
    label: 'Experiments',
    available: (ops) => ops.some((o) => o.area === 'experiments' && o.verb === 'list'),
    component: ExperimentsPage,
  },
  { id: 'goals', label: 'Goals', available: (ops) => hasArea(ops, 'goals'), component: GoalsPage },
  {
    id: 'monitors',
    label: 'Monitors',
    available: (ops) => ops.some((o) => o.area === 'monitors' && o.verb === 'list'),
    component: MonitorsPage,
  },
  { id: 'alerts', label: 'Alerts', available: (ops) => hasArea(ops, 'alerts'), component: AlertsPage },
  { id: 'people', label: 'People', available: (ops) => hasArea(ops, 'people'), component: PeoplePage },
  {
    id: 'policies',
    label: 'Policies',
    available: (ops) => hasArea(ops, 'policies'),
    component: PoliciesPage,
  },
  { id: 'audit', label: 'Audit', available: (ops) => hasArea(ops, 'audit'), component: AuditPage },
  {
    id: 'automations',
    label: 'Automations',
    // the page also draws notify's outbox and destinations
    available: (ops) => hasArea(ops, 'automations', 'notify'),
    component: AutomationsPage,
  },
  {
    id: 'more',
    label: 'More analyses',
    available: (ops, session) => unpagedAnalyses(ops, session).length > 0,
    component: MorePage,
  },
  { id: 'settings', label: 'Settings', available: () => true, component: SettingsPage },
  {
    id: 'customer',
    label: 'Customer',
    available: (ops) => ops.some((o) => o.area === 'customers' && o.verb === 'timeline'),
    component: CustomerPage,
    hidden: true,
  },
  {
    id: 'case',
    label: 'Case',
    available: (ops) => ops.some((o) => o.area === 'cases' && o.verb === 'timeline'),
    component: CasePage,
    hidden: true,
  },
];

/**
 * Read analyses of areas no other page draws: an area is drawn when a page is available on that
 * area's operations alone (so a new page claims its area by its own `available`, no list to keep).
 */
export function unpagedAnalyses(ops: readonly OperationInfo[], session: Session | null): OperationInfo[] {
  const drawn = (area: string) => {
    const mine = ops.filter((o) => o.area === area);
    return PAGES.some((p) => p.id !== 'more' && p.id !== 'settings' && p.available(mine, session));
  };
  const areas = new Map<string, boolean>();
  return ops.filter((o) => {
    if (o.method !== 'get' || (o.permission !== undefined && o.permission !== 'read')) return false;
    if (!areas.has(o.area)) areas.set(o.area, drawn(o.area));
    return !areas.get(o.area);
  });
}

function MorePage(props: PageProps) {
  const { ops, session } = useApp();
  return <MoreAnalyses route={props.route} analyses={unpagedAnalyses(ops, session)} />;
}

interface MeAnswer {
  role?: string;
  name?: string;
  user?: string | { name?: string; role?: string };
  principal?: { name?: string; role?: string; type?: string };
  csrf?: string;
  csrfToken?: string;
}

function toSession(me: MeAnswer & { type?: string }): Session {
  const user = typeof me.user === 'object' ? me.user : undefined;
  const role = me.role ?? me.principal?.role ?? user?.role ?? 'viewer';
  const name = me.principal?.name ?? user?.name ?? (typeof me.user === 'string' ? me.user : me.name) ?? 'you';
  return { user: name, role, type: me.type ?? 'user' };
}

function prefersDark(): boolean {
  const saved = localStorage.getItem('tp-theme');
  if (saved) return saved === 'dark';
  return matchMedia('(prefers-color-scheme: dark)').matches;
}

export function App() {
  const route = useRoute();
  const [ops, setOps] = useState<OperationInfo[] | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [dark, setDark] = useState(prefersDark);
  const [busy, setBusy] = useState(0);
  const [needLogin, setNeedLogin] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => onInFlight(setBusy), []);
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  useEffect(() => {
    // relative periods count back from the data's latest time (one small query, before any page),
    // asked for at once beside the operations, not after them: a server without it answers 404
    const range = getJson<{ first: string | null; latest: string | null; personas?: number }>(
      '/api/v1/overview/data-range',
    ).then(
      (r) => r,
      () => null,
    );
    Promise.all([
      Promise.all([loadOperations(), range]).then(([o, r]) => {
        const offered = o.some((x) => x.area === 'overview' && x.verb === 'data-range');
        setLatestData(offered && r ? r.latest : null, offered && r ? r.first : null);
        // the persona filter appears once personas exist (absent, not an error, before)
        setPersonasExist(offered && (r?.personas ?? 0) > 0);
        return o;
      }),
      getJson<MeAnswer>('/api/v1/auth/me').catch((e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }),
    ]).then(
      ([o, me]) => {
        if (me) {
          setCsrfToken(me.csrf ?? me.csrfToken);
          setSession(toSession(me));
        }
        setNeedLogin(!me);
        setOps(o);
      },
      (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))),
    );
  }, [attempt]);

  const state = useMemo(
    () => ({
      ops: ops ?? [],
      session,
      dark,
      toggleDark: () =>
        setDark((d) => {
          localStorage.setItem('tp-theme', d ? 'light' : 'dark');
          return !d;
        }),
    }),
    [ops, session, dark],
  );
  const pages = PAGES.filter((p) => ops && p.available(ops, session));
  const current = pages.find((p) => p.id === route.page) ?? pages[0];
  const keep = filterQuery(route.query);
  if (needLogin) return <Login onDone={() => setAttempt((a) => a + 1)} />;

  useEffect(() => {
    if (current) document.title = `${current.label} · Touchpoint`;
  }, [current]);

  return (
    <AppProvider value={state}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div
        class={`progress${busy > 0 ? ' on' : ''}`}
        role="progressbar"
        aria-label="Loading"
        aria-hidden={busy === 0}
      />
      <header class="top">
        <a class="brand" href={buildHash('overview', keep)}>
          <span class="logo" aria-hidden="true">
            ◉
          </span>{' '}
          Touchpoint
        </a>
        <nav aria-label="Pages">
          <ul>
            {pages
              .filter((p) => !p.hidden)
              .map((p) => (
                <li key={p.id}>
                  <a href={buildHash(p.id, keep)} aria-current={p.id === current?.id ? 'page' : undefined}>
                    {p.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div class="top-right">
          {session && (
            <span class="who" title="Signed in">
              {session.user} · {session.role}
            </span>
          )}
          {session?.type === 'user' && (
            <button
              type="button"
              class="btn small"
              onClick={() => void postJson('/api/v1/auth/logout', {}).finally(() => location.reload())}
            >
              Sign out
            </button>
          )}
          <button
            type="button"
            class="btn small"
            onClick={state.toggleDark}
            aria-label={dark ? 'Switch to light mode' : 'Switch to dark mode'}
          >
            {dark ? '☀ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {error ? (
          <ErrorBox error={error} retry={() => location.reload()} />
        ) : !ops ? (
          <Loading what="the cockpit" />
        ) : !current ? (
          <p class="empty">This server offers no analyses yet.</p>
        ) : (
          <current.component route={route} />
        )}
      </main>
    </AppProvider>
  );
}
