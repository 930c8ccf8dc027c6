import { useEffect, useState } from 'preact/hooks';
import type { SummaryResult } from '../../overview/index.js';
import { ApiError, getJson, postJson } from '../api.js';
import type { PageProps } from '../app.js';
import { Chart } from '../components/chart.js';
import { OperationTables } from '../components/generic.js';
import { DataTable } from '../components/table.js';
import { Async, ErrorBox, Loading, PageHead, Panel } from '../components/ui.js';
import { humanize } from '../format.js';
import { buildHash, filterQuery } from '../route.js';
import { findOp, useApp, useOp } from '../state.js';
import { JourneyModelPanel, SurveysPanel, TaxonomyPanel } from './settings-model.js';

/** Rows per table of the workspace (moved here from the Overview: a data-keeper's figure, not a CX one). */
function WorkspaceRows() {
  const summary = useOp<SummaryResult>('overview', 'summary', {});
  return (
    <Panel title="Data in this workspace" subtitle="Rows per table">
      <Async state={summary} what="rows per table">
        {(s) => (
          <Chart
            title="Rows per table"
            height={240}
            rows={Object.entries(s.counts).map(([table, rows]) => ({ table, rows }))}
            option={{
              grid: { left: 100, right: 30, top: 10, bottom: 30 },
              tooltip: { trigger: 'axis' },
              xAxis: { type: 'log', name: 'rows' },
              yAxis: { type: 'category', data: Object.keys(s.counts).map(humanize) },
              series: [
                { type: 'bar', data: Object.values(s.counts).map((v) => Math.max(v, 1)), color: '#3b82f6' },
              ],
            }}
          />
        )}
      </Async>
    </Panel>
  );
}

interface Tab {
  readonly id: string;
  readonly label: string;
  readonly adminOnly: boolean;
}

/** Settings areas that are operations of a capability (journey stages, owners, taxonomy) match these verbs. */
const CONFIG_VERB = /(stages|mapping|owners|taxonomy|themes-config|config|surveys)/;

function useJson<R>(url: string, enabled: boolean) {
  const [state, setState] = useState<{ data?: R; error?: ApiError; tick: number }>({ tick: 0 });
  const reload = () => setState((s) => ({ tick: s.tick + 1 }));
  useEffect(() => {
    if (!enabled) return;
    getJson<R>(url).then(
      (data) => setState((s) => ({ data, tick: s.tick })),
      (e: unknown) =>
        setState((s) => ({
          error: e instanceof ApiError ? e : new ApiError(0, 'error', String(e)),
          tick: s.tick,
        })),
    );
  }, [url, enabled, state.tick]);
  return { ...state, reload };
}

const listOf = (d: unknown, key: string): Record<string, unknown>[] =>
  Array.isArray(d)
    ? d
    : Array.isArray((d as Record<string, unknown>)?.[key])
      ? ((d as Record<string, unknown>)[key] as Record<string, unknown>[])
      : [];

function ApiKeys() {
  const keys = useJson<unknown>('/api/v1/admin/keys', true);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await postJson<Record<string, unknown>>('/api/v1/admin/keys', { name, scopes: [scope] });
      setSecret(String(r.secret ?? r.key ?? r.token ?? ''));
      setName('');
      keys.reload();
    } catch (x) {
      setError(x as ApiError);
    }
  };
  const revoke = async (id: string) => {
    try {
      await postJson('/api/v1/admin/keys/revoke', { keyId: id });
      keys.reload();
    } catch (x) {
      setError(x as ApiError);
    }
  };
  const rows = listOf(keys.data, 'keys');
  return (
    <Panel
      title="API keys"
      subtitle="Keys are bound to this workspace and shown once; revoke any you no longer trust."
      wide
    >
      <form class="inline-form" onSubmit={create}>
        <label>
          <span>Name</span>
          <input required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <span>Scope</span>
          <select value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value)}>
            <option value="read">read</option>
            <option value="ingest">ingest</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" class="btn primary">
          Create key
        </button>
      </form>
      {secret && (
        <p class="notice" role="status">
          New key (copy it now, it is not shown again): <code>{secret}</code>
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {keys.error ? (
        <ErrorBox error={keys.error} retry={keys.reload} />
      ) : !keys.data ? (
        <Loading what="keys" />
      ) : (
        <DataTable
          title="API keys"
          rows={rows}
          empty="No API keys yet."
          columns={[
            ...Object.keys(rows[0] ?? {})
              .filter((k) => !/hash|secret/i.test(k))
              .map((key) => ({ key })),
            {
              key: 'actions',
              label: 'Actions',
              render: (r: Record<string, unknown>) =>
                r.revokedAt || r.revoked_at || r.revoked ? (
                  'revoked'
                ) : (
                  <button type="button" class="btn small" onClick={() => revoke(String(r.keyId ?? r.id))}>
                    Revoke
                  </button>
                ),
            },
          ]}
        />
      )}
    </Panel>
  );
}

function Users() {
  const users = useJson<unknown>('/api/v1/admin/users', true);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const [error, setError] = useState<ApiError | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await postJson('/api/v1/admin/users', { ...form, workspaces: '*' });
      setForm({ username: '', password: '', role: 'viewer' });
      users.reload();
    } catch (x) {
      setError(x as ApiError);
    }
  };
  return (
    <Panel title="Users" subtitle="People who sign in, and their role: admin, analyst, agent or viewer." wide>
      <form class="inline-form" onSubmit={create}>
        <label>
          <span>Username</span>
          <input
            required
            autoComplete="off"
            value={form.username}
            onInput={(e) => setForm({ ...form, username: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          <span>Password</span>
          <input
            required
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          <span>Role</span>
          <select
            value={form.role}
            onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}
          >
            {['viewer', 'agent', 'analyst', 'admin'].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn primary">
          Add user
        </button>
      </form>
      {error && <ErrorBox error={error} />}
      {users.error ? (
        <ErrorBox error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading what="users" />
      ) : (
        <DataTable
          title="Users"
          empty="No user accounts yet (on this machine, touchpoint start signs you in as local admin)."
          rows={listOf(users.data, 'users').map(({ passwordHash: _, password_hash: __, ...r }) => r)}
        />
      )}
    </Panel>
  );
}

/** Settings: journey stages and mapping, owners, taxonomy (capability operations), users and API keys (admin only). */
export function SettingsPage(props: PageProps) {
  const { ops, session } = useApp();
  const admin = session?.role === 'admin';
  const configOps = ops.filter((o) => o.method === 'get' && CONFIG_VERB.test(o.verb));
  const tabs: Tab[] = [
    ...(configOps.length > 0 || findOp(ops, 'journey', 'map')
      ? [{ id: 'model', label: 'Journeys, surveys and taxonomy', adminOnly: false }]
      : []),
    { id: 'users', label: 'Users', adminOnly: true },
    { id: 'keys', label: 'API keys', adminOnly: true },
  ];
  const visible = tabs.filter((t) => admin || !t.adminOnly);
  const wanted = tabs.find((t) => t.id === props.route.query.tab) ?? visible[0];
  const filters = filterQuery(props.route.query);
  return (
    <div class="page">
      <PageHead title="Settings" uses={[]} />
      <nav class="tabs" aria-label="Settings sections" data-primary="">
        {visible.map((t) => (
          <a
            key={t.id}
            href={buildHash('settings', { ...filters, tab: t.id })}
            aria-current={t.id === wanted?.id ? 'page' : undefined}
          >
            {t.label}
          </a>
        ))}
      </nav>
      {!wanted ? (
        <p class="empty">Nothing to configure with your role.</p>
      ) : wanted.adminOnly && !admin ? (
        <div class="error" role="alert" data-testid="forbidden">
          <strong>Only admins can open {wanted.label}.</strong> You are signed in as{' '}
          {session?.role ?? 'a guest'}.
        </div>
      ) : wanted.id === 'keys' ? (
        <ApiKeys />
      ) : wanted.id === 'users' ? (
        <Users />
      ) : (
        <>
          {findOp(ops, 'journey', 'map') && <JourneyModelPanel />}
          {findOp(ops, 'feedback', 'taxonomy') && <TaxonomyPanel />}
          {findOp(ops, 'feedback', 'surveys') && <SurveysPanel />}
          {findOp(ops, 'overview', 'summary') && <WorkspaceRows />}
          {configOps
            .filter((o) => !(o.area === 'feedback' && (o.verb === 'taxonomy' || o.verb === 'surveys')))
            .map((o) => (
              <OperationTables key={`${o.area}.${o.verb}`} op={o} filters={{}} />
            ))}
        </>
      )}
    </div>
  );
}
