import { useState } from 'preact/hooks';
import type { Automation, AutomationRun, DryRunResult } from '../../automations/index.js';
import type { Destination, OutboxResult } from '../../notify/index.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, ErrorBox, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtDate } from '../format.js';
import { useOp } from '../state.js';

const when = (iso: string | null | undefined) => (iso ? `${fmtDate(iso)} ${iso.slice(11, 16)}` : '—');
/** A rule's settings in one short line: key=value, long texts cut. */
const settingsText = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => {
      const t = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${t.length > 24 ? `${t.slice(0, 23)}…` : t}`;
    })
    .join(' · ') || '—';
const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));

/** A new rule: its kind, a name and its settings as JSON; created off (dry-run it first). */
function CreateRule(props: { rules: readonly { rule: string; summary: string }[]; onDone: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await postOp('automations', 'create', {
        name: f.get('name'),
        rule: f.get('rule'),
        params: String(f.get('params') || '{}'),
      });
      (e.target as HTMLFormElement).reset();
      props.onDone();
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label="Create a rule">
      <label class="filter">
        <span>Rule</span>
        <select name="rule" required>
          {props.rules.map((r) => (
            <option key={r.rule} value={r.rule} title={r.summary}>
              {r.rule}
            </option>
          ))}
        </select>
      </label>
      <label class="filter">
        <span>Name</span>
        <input name="name" type="text" required />
      </label>
      <label class="filter">
        <span>Settings (JSON)</span>
        <input name="params" type="text" placeholder='{"promiseHours":24}' />
      </label>
      <button type="submit" class="btn primary" disabled={busy}>
        Create (off)
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

/** What a rule would have done over the last N days, from the dry-run verb (nothing is kept). */
function DryRun(props: { automation: Automation; onRan: () => void }) {
  const [days, setDays] = useState(30);
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(
        await postOp<DryRunResult>('automations', 'dry-run', { automation: props.automation.id, days }),
      );
      props.onRan();
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="dry-run" data-automation={props.automation.name}>
      <div class="inline-form">
        <label class="filter">
          <span>Replay the last … days</span>
          <input
            type="number"
            min={1}
            max={366}
            value={days}
            onInput={(e) => setDays(Number((e.target as HTMLInputElement).value) || 30)}
          />
        </label>
        <button type="button" class="btn primary" onClick={run} disabled={busy}>
          {busy ? 'Replaying…' : `Dry run ${props.automation.name}`}
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {result && (
        <>
          <div class="stats" data-testid="dry-run-summary" data-actions={result.actions.length}>
            <Stat
              label="Actions"
              value={String(result.actions.length)}
              detail={`${when(result.from)} → ${when(result.to)}`}
            />
            {Object.entries(result.byDid).map(([did, n]) => (
              <Stat key={did} label={did} value={String(n)} />
            ))}
          </div>
          <DataTable
            title={`Dry run of ${result.automation ?? result.rule}: by target`}
            rows={result.byTarget}
            columns={[
              { key: 'target', label: 'Team / recipient' },
              { key: 'n', label: 'Actions', numeric: true },
            ]}
            limit={8}
          />
          <DataTable
            title={`Dry run of ${result.automation ?? result.rule}`}
            rows={result.actions}
            empty="The rule would have done nothing in this period."
            columns={[
              { key: 'at', label: 'When', value: (a) => when(a.at) },
              { key: 'did', label: 'Would do' },
              { key: 'target', label: 'Team / recipient', value: (a) => a.target ?? '—' },
              { key: 'summary', label: 'What' },
              { key: 'alreadyDone', label: 'Live', value: (a) => (a.alreadyDone ? 'already done' : '') },
            ]}
            limit={15}
          />
        </>
      )}
    </div>
  );
}

/** Automations: rules when → then, their dry run and run log; and the notification outbox. */
export function AutomationsPage(_props: PageProps) {
  const list = useOp<{ automations: Automation[]; rules: { rule: string; summary: string }[] }>(
    'automations',
    'list',
    {},
  );
  const runs = useOp<{ runs: AutomationRun[] }>('automations', 'runs', { limit: 50 });
  const outbox = useOp<OutboxResult>('notify', 'outbox', { limit: 100 });
  const destinations = useOp<{ destinations: Destination[] }>('notify', 'destinations', {});
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = async (a: Automation) => {
    setError(null);
    try {
      await postOp('automations', a.enabled ? 'disable' : 'enable', { automation: a.id });
      list.reload();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <div class="page">
      <PageHead title="Automations" uses={[]} />
      <Panel
        primary
        wide
        title="Rules"
        subtitle="When → then, through the capability that owns the action. A rule is created off: dry-run it over past days, then switch it on — it acts on what happens from then on."
      >
        <Async state={list} what="automations">
          {(d) => (
            <>
              <DataTable
                title="Automation rules"
                rows={d.automations}
                empty="No rule yet. Create one below, or with touchpoint automations create."
                columns={[
                  { key: 'name', label: 'Name' },
                  { key: 'rule', label: 'Rule', render: (a) => <span title={a.summary}>{a.rule}</span> },
                  {
                    key: 'enabled',
                    label: 'State',
                    value: (a) => (a.enabled ? 'on' : 'off'),
                    render: (a) => (
                      <span class={`tag${a.enabled ? '' : ' ghost'}`}>{a.enabled ? 'on' : 'off'}</span>
                    ),
                  },
                  { key: 'params', label: 'Settings', value: (a) => settingsText(a.params) },
                  { key: 'lastRunAt', label: 'Acts after', value: (a) => when(a.lastRunAt) },
                  {
                    key: 'actions',
                    label: 'Actions',
                    value: () => '',
                    render: (a) => (
                      <span class="row-actions">
                        <button type="button" class="btn small" onClick={() => setSelected(a.id)}>
                          Dry run
                        </button>{' '}
                        <button type="button" class="btn small" onClick={() => toggle(a)}>
                          {a.enabled ? 'Switch off' : 'Switch on'}
                        </button>
                      </span>
                    ),
                  },
                ]}
              />
              {error && <ErrorBox error={error} />}
              {(() => {
                const a = d.automations.find((x) => x.id === selected);
                return a ? <DryRun key={a.id} automation={a} onRan={runs.reload} /> : null;
              })()}
              <h3>New rule</h3>
              <CreateRule rules={d.rules} onDone={list.reload} />
            </>
          )}
        </Async>
      </Panel>
      <Panel title="Run log" subtitle="Every live run that did something, and every dry run, newest first.">
        <Async state={runs} what="runs">
          {(d) => (
            <DataTable
              title="Automation runs"
              rows={d.runs}
              empty="No run yet."
              columns={[
                { key: 'startedAt', label: 'Ran', value: (r) => when(r.startedAt) },
                { key: 'automation', label: 'Rule', value: (r) => r.automation ?? r.automationId },
                { key: 'mode', label: 'Mode' },
                { key: 'window', label: 'Over', value: (r) => `${when(r.from)} → ${when(r.to)}` },
                { key: 'actions', label: 'Actions', numeric: true },
                { key: 'first', label: 'First action', value: (r) => r.detail[0]?.summary ?? '' },
              ]}
              limit={10}
            />
          )}
        </Async>
      </Panel>
      <Panel
        wide
        title="Notification outbox"
        subtitle="Each message per destination: sent at least once, retried with backoff, failed after the last attempt. Receivers drop repeats by webhook-id."
      >
        <Async state={outbox} what="outbox">
          {(o) => (
            <>
              <div class="stats" data-testid="outbox-counts">
                {(['pending', 'sending', 'retrying', 'sent', 'failed'] as const).map((s) => (
                  <Stat
                    key={s}
                    label={s}
                    value={String(o.counts[s])}
                    tone={s === 'failed' && o.counts[s] > 0 ? 'bad' : ''}
                  />
                ))}
              </div>
              <DataTable
                title="Outbox"
                rows={o.items}
                empty="Nothing sent yet."
                columns={[
                  { key: 'createdAt', label: 'Queued', value: (i) => when(i.createdAt) },
                  { key: 'subject', label: 'Subject' },
                  {
                    key: 'destination',
                    label: 'Destination',
                    value: (i) => i.destination ?? i.destinationId,
                  },
                  {
                    key: 'status',
                    label: 'State',
                    render: (i) => (
                      <span
                        class={`tag${i.status === 'failed' ? ' warn' : i.status === 'sent' ? '' : ' ghost'}`}
                      >
                        {i.status}
                      </span>
                    ),
                  },
                  { key: 'attempts', label: 'Attempts', numeric: true },
                  { key: 'nextAttemptAt', label: 'Next attempt', value: (i) => when(i.nextAttemptAt) },
                  { key: 'lastError', label: 'Last error', value: (i) => i.lastError ?? '' },
                  {
                    key: 'retry',
                    label: 'Send again',
                    value: () => '',
                    render: (i) =>
                      i.status === 'failed' && i.destination ? (
                        <button
                          type="button"
                          class="btn small"
                          onClick={async () => {
                            try {
                              await postOp('notify', 'retry', { key: i.key, destination: i.destinationId });
                              outbox.reload();
                            } catch (err) {
                              setError(asError(err));
                            }
                          }}
                        >
                          Send again
                        </button>
                      ) : (
                        ''
                      ),
                  },
                ]}
                limit={15}
              />
            </>
          )}
        </Async>
      </Panel>
      <Panel
        title="Destinations"
        subtitle="Add with touchpoint notify add-destination (a webhook's signing secret is shown once there)."
      >
        <Async state={destinations} what="destinations">
          {(d) =>
            d.destinations.length === 0 ? (
              <Empty>No destination yet.</Empty>
            ) : (
              <DataTable
                title="Destinations"
                rows={d.destinations}
                columns={[
                  { key: 'name', label: 'Name' },
                  { key: 'kind', label: 'Kind' },
                  {
                    key: 'target',
                    label: 'To',
                    value: (x) => (x.kind === 'webhook' ? (x.url ?? '') : (x.to ?? '')),
                  },
                  {
                    key: 'template',
                    label: 'Body',
                    value: (x) => (x.kind === 'webhook' ? x.template : 'e-mail'),
                  },
                  { key: 'topics', label: 'Topics', value: (x) => x.topics.join(', ') },
                  { key: 'teams', label: 'Teams', value: (x) => x.teams.join(', ') },
                ]}
              />
            )
          }
        </Async>
      </Panel>
    </div>
  );
}
