import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, postJson } from '../api.js';
import type { PageProps } from '../app.js';
import { Chart } from '../components/chart.js';
import { OperationTables } from '../components/generic.js';
import { DataTable } from '../components/table.js';
import { Async, ErrorBox, Loading, PageHead, Panel } from '../components/ui.js';
import { humanize } from '../format.js';
import { buildHash, filterQuery } from '../route.js';
import { findOp, useApp, useOp } from '../state.js';
import { JourneyModelPanel, SentimentModelPanel, SurveysPanel, TaxonomyPanel } from './settings-model.js';

/** Rows per table of the workspace (moved here from the Overview: a data-keeper's figure, not a CX one). */
function WorkspaceRows() {
  const summary = useOp('overview.summary', {});
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
  const keys = useJson<unknown>('/api/v1/accounts/keys-list', true);
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await postJson<Record<string, unknown>>('/api/v1/accounts/keys-create', {
        name,
        scopes: [scope],
      });
      setSecret(String(r.secret ?? r.key ?? r.token ?? ''));
      setName('');
      keys.reload();
    } catch (x) {
      setError(x as ApiError);
    }
  };
  const revoke = async (id: string) => {
    try {
      await postJson('/api/v1/accounts/keys-revoke', { keyId: id });
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

interface UserRow {
  readonly username: string;
  readonly role: string;
  readonly workspaces: readonly string[] | '*';
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

/** What happened to an account, shown in the panel (a password made by the server is shown once). */
type Outcome = { readonly text: string; readonly secret?: string };

function Users() {
  const { session } = useApp();
  const users = useJson<{ users: UserRow[] }>('/api/v1/accounts/users-list', true);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const [error, setError] = useState<ApiError | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirmReset, setConfirmReset] = useState<string | null>(null);
  const act = async (run: () => Promise<Outcome>) => {
    setError(null);
    setOutcome(null);
    try {
      setOutcome(await run());
      users.reload();
    } catch (x) {
      setError(x as ApiError);
    }
  };
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const create = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const r = await postJson<{ user: UserRow; password?: string }>('/api/v1/accounts/users-create', {
        username: form.username,
        role: form.role,
        workspaces: '*',
        ...(form.password ? { password: form.password } : {}),
      });
      setForm({ username: '', password: '', role: 'viewer' });
      return r.password
        ? {
            text: `Added ${r.user.username}. Their password (copy it now, it is not shown again):`,
            secret: r.password,
          }
        : { text: `Added ${r.user.username}.` };
    });
  };
  const disable = (username: string) =>
    act(async () => {
      const r = await postJson<{ sessionsEnded: number }>('/api/v1/accounts/users-disable', { username });
      return {
        text: `${username} is disabled and cannot sign in (${plural(r.sessionsEnded, 'session')} ended).`,
      };
    });
  const enable = (username: string) =>
    act(async () => {
      await postJson('/api/v1/accounts/users-enable', { username });
      return { text: `${username} may sign in again.` };
    });
  const reset = (username: string) =>
    act(async () => {
      setConfirmReset(null);
      const r = await postJson<{ password: string; sessionsEnded: number }>(
        '/api/v1/accounts/users-reset-password',
        { username },
      );
      return {
        text: `New password for ${username} (${plural(r.sessionsEnded, 'session')} ended). Copy it now, it is not shown again:`,
        secret: r.password,
      };
    });
  const endSessions = (username: string) =>
    act(async () => {
      const r = await postJson<{ ended: number }>('/api/v1/accounts/sessions-end', { username });
      return { text: `${plural(r.ended, 'session')} of ${username} ended; they must sign in again.` };
    });
  const purge = () =>
    act(async () => {
      const r = await postJson<{ purged: number }>('/api/v1/accounts/sessions-purge', {});
      return { text: `${plural(r.purged, 'expired session')} deleted.` };
    });
  const rows = users.data?.users ?? [];
  return (
    <Panel
      title="Users"
      subtitle="People who sign in, and their role: admin, analyst, agent or viewer. Every change here is in the audit log."
      wide
    >
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
            type="password"
            autoComplete="new-password"
            minLength={12}
            placeholder="empty: generate one"
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
        <button type="button" class="btn" onClick={() => void purge()}>
          Purge expired sessions
        </button>
      </form>
      {outcome && (
        <p class="notice" role="status" data-testid="account-outcome">
          {outcome.text} {outcome.secret && <code data-testid="account-secret">{outcome.secret}</code>}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {users.error ? (
        <ErrorBox error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading what="users" />
      ) : (
        <DataTable
          title="Users"
          empty="No user accounts yet (on this machine, touchpoint start signs you in as local admin)."
          rows={rows}
          columns={[
            { key: 'username', label: 'Username' },
            { key: 'role', label: 'Role' },
            {
              key: 'workspaces',
              label: 'Workspaces',
              value: (u: UserRow) => (u.workspaces === '*' ? 'all' : u.workspaces.join(', ')),
            },
            { key: 'createdAt', label: 'Created' },
            {
              key: 'status',
              label: 'Status',
              value: (u: UserRow) => (u.disabledAt ? `disabled ${u.disabledAt.slice(0, 16)}` : 'active'),
            },
            {
              key: 'actions',
              label: 'Actions',
              render: (u: UserRow) =>
                session?.type === 'user' && session.user === u.username ? (
                  <span class="muted">you (change your password under My account)</span>
                ) : (
                  <span class="row-actions" data-user={u.username}>
                    {u.disabledAt ? (
                      <button type="button" class="btn small" onClick={() => void enable(u.username)}>
                        Enable
                      </button>
                    ) : (
                      <button type="button" class="btn small" onClick={() => void disable(u.username)}>
                        Disable
                      </button>
                    )}{' '}
                    {confirmReset === u.username ? (
                      <button type="button" class="btn small primary" onClick={() => void reset(u.username)}>
                        Confirm reset
                      </button>
                    ) : (
                      <button type="button" class="btn small" onClick={() => setConfirmReset(u.username)}>
                        Reset password
                      </button>
                    )}{' '}
                    <button type="button" class="btn small" onClick={() => void endSessions(u.username)}>
                      End sessions
                    </button>
                  </span>
                ),
            },
          ]}
        />
      )}
    </Panel>
  );
}

/** The audit log of the workspace (and, for an admin of every workspace, of users and sign-in). */
function AuditLogPanel() {
  const audit = useJson<{ entries: Record<string, unknown>[] }>(
    '/api/v1/accounts/audit-list?limit=200',
    true,
  );
  return (
    <Panel
      title="Audit log"
      subtitle="Who changed accounts, keys and data, newest first (the last 200)."
      wide
    >
      {audit.error ? (
        <ErrorBox error={audit.error} retry={audit.reload} />
      ) : !audit.data ? (
        <Loading what="the audit log" />
      ) : (
        <DataTable
          title="Audit log"
          empty="Nothing recorded yet."
          rows={audit.data.entries}
          columns={[
            { key: 'ts', label: 'When' },
            { key: 'actor', label: 'Who' },
            { key: 'action', label: 'Action' },
            { key: 'target', label: 'Target' },
            { key: 'workspace', label: 'Workspace' },
            { key: 'ip', label: 'From' },
          ]}
        />
      )}
    </Panel>
  );
}

/** A signed-in user changes their own password; the old one is required, their other sessions end. */
function MyAccount() {
  const { session } = useApp();
  const [form, setForm] = useState({ oldPassword: '', newPassword: '' });
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await postJson('/api/v1/auth/password', form);
      setForm({ oldPassword: '', newPassword: '' });
      setDone(true);
    } catch (x) {
      setError(x as ApiError);
    }
  };
  return (
    <Panel title="My account" subtitle={`Signed in as ${session?.user ?? '?'} (${session?.role ?? '?'}).`}>
      <form class="inline-form" onSubmit={submit}>
        <label>
          <span>Current password</span>
          <input
            required
            type="password"
            autoComplete="current-password"
            value={form.oldPassword}
            onInput={(e) => setForm({ ...form, oldPassword: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          <span>New password</span>
          <input
            required
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={form.newPassword}
            onInput={(e) => setForm({ ...form, newPassword: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit" class="btn primary">
          Change password
        </button>
      </form>
      {done && (
        <p class="notice" role="status">
          Password changed. Your other sessions were signed out.
        </p>
      )}
      {error && <ErrorBox error={error} />}
    </Panel>
  );
}

/**
 * Settings: journey stages and mapping, owners, taxonomy (capability operations); users with their
 * lifecycle, API keys and the audit log (admin only, the accounts operations); my own password.
 */
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
    { id: 'audit', label: 'Audit log', adminOnly: true },
    ...(session?.type === 'user' ? [{ id: 'account', label: 'My account', adminOnly: false }] : []),
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
      ) : wanted.id === 'audit' ? (
        <AuditLogPanel />
      ) : wanted.id === 'account' ? (
        <MyAccount />
      ) : (
        <>
          {findOp(ops, 'journey', 'map') && <JourneyModelPanel />}
          {findOp(ops, 'feedback', 'taxonomy') && <TaxonomyPanel />}
          {findOp(ops, 'feedback', 'sentiment-model') && <SentimentModelPanel />}
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
