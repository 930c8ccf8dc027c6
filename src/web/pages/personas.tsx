import { useState } from 'preact/hooks';
import type { BoardCard, BoardResult } from '../../personas/board.js';
import type { SetsResult } from '../../personas/bring-your-own.js';
import type { CompareSegmentsResult } from '../../personas/compare.js';
import type { Interval } from '../../stats/index.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { canWrite } from '../components/analysis.js';
import { Async, Empty, ErrorBox, Loading, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtMoney } from '../format.js';
import { findOp, havePersonas, setPersonasExist, useApp, useOp } from '../state.js';

/** 12.3 % — one decimal, as every card of the page. */
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)} %`;
const n1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
const n2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
/** η²: three decimals, or two significant digits below 0.01 (0.0012) so a small figure is not "0.000". */
export const eta = (v: number): string =>
  !Number.isFinite(v) ? '—' : Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toPrecision(2);
const n3 = eta;

/** "value (low … high), n = 1,234" with the figure's own format. */
export function ivText(i: Interval, f: (v: number) => string): string {
  if (i.n === 0) return 'no answers';
  return `95 % interval ${f(i.low)} … ${f(i.high)}, n = ${i.n.toLocaleString('en-US')}`;
}

const OUTCOME_LABEL: Record<string, string> = {
  nps: 'NPS (per answering customer)',
  churn: 'Churn',
  contact_rate: 'Support cases a month',
};

function Shares(props: {
  label: string;
  items: readonly { name: string; share: number; overall: number }[];
}) {
  return (
    <div class="persona-list">
      <h3>{props.label}</h3>
      {props.items.length === 0 ? (
        <p class="muted small">—</p>
      ) : (
        <ul>
          {props.items.map((x) => (
            <li key={x.name}>
              <span>{x.name}</span> <strong>{pct(x.share)}</strong>{' '}
              <span class="muted small">(all {pct(x.overall)})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The inline rename/annotate form of a card (analysts and admins). */
function RenameForm(props: { card: BoardCard; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState(props.card.name);
  const [note, setNote] = useState(props.card.note ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await postOp('personas', 'rename', { id: props.card.id, name, note });
      props.onDone();
    } catch (x) {
      setError(x instanceof ApiError ? x : new ApiError(0, 'error', String(x)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="persona-rename" aria-label={`Rename ${props.card.id}`} onSubmit={submit}>
      <label>
        <span>Name</span>
        <input
          value={name}
          maxLength={80}
          required
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        <span>Note</span>
        <textarea
          value={note}
          maxLength={2000}
          rows={2}
          onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="link" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

const STABILITY: Record<BoardCard['stability'], string> = {
  stable: 'Stable',
  moderate: 'Moderately stable',
  unstable: 'Unstable: do not act on it alone',
  unknown: 'Stability unknown',
};

/** One persona card: who they are, how they reach the company, what they need, how they fare. */
function PersonaCardView(props: { card: BoardCard; editable: boolean; reload: () => void }) {
  const c = props.card;
  const [editing, setEditing] = useState(false);
  return (
    <article
      class="panel persona"
      data-testid="persona-card"
      data-persona={c.id}
      aria-labelledby={`persona-${c.id}`}
    >
      <header class="panel-head">
        <div>
          <h2 id={`persona-${c.id}`}>{c.name}</h2>
          <p class="muted small">
            {c.id} · <span class={`stability ${c.stability}`}>{STABILITY[c.stability]}</span>
            {c.jaccard !== null ? ` (bootstrap Jaccard ${c.jaccard.toFixed(2)})` : ''}
          </p>
        </div>
        {props.editable && !editing && (
          <button
            type="button"
            class="link"
            onClick={() => setEditing(true)}
            aria-label={`Rename or annotate ${c.name}`}
          >
            Rename / note
          </button>
        )}
      </header>
      {editing ? (
        <RenameForm
          card={c}
          onCancel={() => setEditing(false)}
          onDone={() => {
            setEditing(false);
            props.reload();
          }}
        />
      ) : (
        c.note && <p class="persona-note">{c.note}</p>
      )}
      <p class="persona-description" data-testid="persona-description">
        {c.description}
      </p>
      <div class="stats persona-stats two">
        <Stat label="Customers" value={fmtCount(c.size)} detail={`${pct(c.share)} of all`} />
        <Stat
          label="Monthly value"
          value={fmtMoney(c.value.value)}
          detail={ivText(c.value, (v) => fmtMoney(v))}
        />
        <Stat label="Revenue share" value={pct(c.revenueShare)} detail="of all monthly value" />
        <Stat label="Churn" value={pct(c.churn.value)} detail={ivText(c.churn, pct)} />
      </div>
      <div class="stats persona-stats three" data-testid="persona-scores">
        <Stat label="NPS" value={c.nps.n > 0 ? n1(c.nps.value) : '—'} detail={ivText(c.nps, n1)} />
        <Stat
          label="CSAT (share 4–5)"
          value={c.csat.n > 0 ? pct(c.csat.value) : '—'}
          detail={ivText(c.csat, pct)}
        />
        <Stat
          label="CES (1–7, higher is easier)"
          value={c.ces.n > 0 ? n2(c.ces.value) : '—'}
          detail={ivText(c.ces, n2)}
        />
      </div>
      <div class="persona-lists">
        <Shares label="Preferred channels" items={c.channels} />
        <Shares label="Touchpoints used most" items={c.touchpoints} />
        <Shares label="Touchpoints used least" items={c.leastTouchpoints} />
        <Shares label="Themes they raise" items={c.themes} />
        <Shares
          label={`Contact reasons (${n2(c.contactRate)} cases per customer)`}
          items={c.contactReasons}
        />
        <div class="persona-list">
          <h3>Pain points</h3>
          {c.painPoints.length === 0 ? (
            <p class="muted small">No touchpoint with 20 or more of their scores.</p>
          ) : (
            <ul>
              {c.painPoints.map((p) => (
                <li key={p.touchpoint}>
                  <span>{p.touchpoint}</span> <strong>{pct(p.bad.value)} bad</strong>{' '}
                  <span class="muted small">
                    ({pct(p.bad.low)} … {pct(p.bad.high)}, n = {p.bad.n}; all {pct(p.overall)})
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </article>
  );
}

/** Before the first discovery: what personas are, and the command (or button) that makes them. */
function NoPersonas(props: { reload: () => void }) {
  const { ops, session } = useApp();
  const can = canWrite(session?.role) && Boolean(findOp(ops, 'personas', 'discover'));
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      await postOp('personas', 'discover', {});
      // the persona filter and the journey's persona lanes appear from now on
      setPersonasExist(true);
      props.reload();
    } catch (x) {
      setError(x instanceof ApiError ? x : new ApiError(0, 'error', String(x)));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Panel primary wide title="No personas yet">
      <div data-testid="personas-empty">
        <p>
          Personas group customers by how they behave — channels, frequency, breadth, self-service — not by
          plan or segment. Discovery clusters the customers, checks how stable each group is, and publishes
          every customer's persona so every other analysis can be cut by it.
        </p>
        <p>
          Run <code>touchpoint personas discover</code>
          {can ? ' or:' : ' (an analyst or admin can run it).'}
        </p>
        {can && (
          <button type="button" class="btn primary" onClick={run} disabled={running}>
            {running ? 'Discovering…' : 'Discover personas'}
          </button>
        )}
        {running && <Loading what="personas (clustering every customer; this takes a while)" />}
        {error && <ErrorBox error={error} />}
      </div>
    </Panel>
  );
}

function Explained(props: { d: CompareSegmentsResult }) {
  const d = props.d;
  const by = d.by;
  return (
    <table class="data persona-explained" data-testid="persona-explained">
      <caption class="sr-only">Variation explained by personas and by {by}s</caption>
      <thead>
        <tr>
          <th scope="col">Outcome</th>
          <th scope="col" class="num">
            Customers
          </th>
          <th scope="col">Personas (η², 95 %)</th>
          <th scope="col">{by[0]!.toUpperCase() + by.slice(1)}s (η², 95 %)</th>
          <th scope="col">Difference</th>
        </tr>
      </thead>
      <tbody>
        {d.explained.map((e) => {
          const max = Math.max(e.personas.hi, e.segments.hi, e.personas.value, e.segments.value, 0.01);
          const bar = (v: number, cls: string) => (
            <span
              class={`xbar ${cls}`}
              style={{ width: `${Math.max(1, (100 * v) / max)}%` }}
              aria-hidden="true"
            />
          );
          return (
            <tr key={e.outcome} data-outcome={e.outcome}>
              <th scope="row">{OUTCOME_LABEL[e.outcome] ?? e.outcome}</th>
              <td class="num">{fmtCount(e.n)}</td>
              <td>
                {bar(e.personas.value, 'personas')}
                <span data-testid="eta-personas">{n3(e.personas.value)}</span>{' '}
                <span class="muted small">
                  ({n3(e.personas.lo)} … {n3(e.personas.hi)}; {e.personas.groups} groups)
                </span>
              </td>
              <td>
                {bar(e.segments.value, 'segments')}
                {n3(e.segments.value)}{' '}
                <span class="muted small">
                  ({n3(e.segments.lo)} … {n3(e.segments.hi)}; {e.segments.groups} groups)
                </span>
              </td>
              <td class={e.difference.lo > 0 ? 'good' : e.difference.hi < 0 ? 'bad' : ''}>
                {e.difference.value >= 0 ? '+' : ''}
                {n3(e.difference.value)}{' '}
                <span class="muted small">
                  ({n3(e.difference.lo)} … {n3(e.difference.hi)})
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Spread(props: { d: CompareSegmentsResult }) {
  const d = props.d;
  return (
    <table class="data persona-spread" data-testid="persona-spread">
      <caption class="sr-only">Each persona across the {d.by}s (share of the persona)</caption>
      <thead>
        <tr>
          <th scope="col">Persona</th>
          <th scope="col" class="num">
            Customers
          </th>
          {d.segments.map((s) => (
            <th key={s} scope="col" class="num">
              {s}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {d.spread.map((p) => (
          <tr key={p.personaId}>
            <th scope="row">{p.name}</th>
            <td class="num">{fmtCount(p.n)}</td>
            {d.segments.map((s) => {
              const x = p.segments.find((y) => y.segment === s);
              const share = x?.share ?? 0;
              return (
                <td
                  key={s}
                  class="num heat"
                  style={{ '--heat': `${Math.round(100 * share)}%` }}
                  title={`${x?.n ?? 0} customers`}
                >
                  {pct(share)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The persona sets a team brought (imported or from rules), each against the discovered personas. */
function BroughtSets(props: { d: SetsResult }) {
  return (
    <div data-testid="persona-sets">
      {props.d.sets.map((s) => {
        const c = s.comparison;
        return (
          <div key={s.set} class="persona-set" data-set={s.set}>
            <h3>
              {s.set}{' '}
              <span class="muted small">
                ({s.kind === 'rules' ? 'from rules' : 'imported'}, {fmtCount(s.customers)} customers)
              </span>
            </h3>
            {c === null ? (
              <p class="muted small">No discovery yet to compare it with.</p>
            ) : (
              <>
                <p>
                  Adjusted Rand index with the discovered personas{' '}
                  <strong data-testid="set-ari">{Number.isFinite(c.ari) ? c.ari.toFixed(3) : '—'}</strong>{' '}
                  over {fmtCount(c.n)} customers in both (1 = the same grouping, 0 = chance).
                </p>
                <table class="data">
                  <caption class="sr-only">Set {s.set} against the discovered personas</caption>
                  <thead>
                    <tr>
                      <th scope="col">Their persona</th>
                      <th scope="col" class="num">
                        Customers
                      </th>
                      {c.discovered.map((d) => (
                        <th key={d.id} scope="col" class="num">
                          {d.name}
                        </th>
                      ))}
                      <th scope="col">Closest discovered</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.crosstab.map((x) => (
                      <tr key={x.persona}>
                        <th scope="row">{x.persona}</th>
                        <td class="num">{fmtCount(x.n)}</td>
                        {x.counts.map((k, j) => (
                          <td key={c.discovered[j]!.id} class="num">
                            {x.n > 0 ? pct(k / x.n) : '—'}
                          </td>
                        ))}
                        <td>{x.best ? `${x.best.name} (Jaccard ${x.best.jaccard.toFixed(2)})` : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}

/**
 * Personas (docs/personas.md): the persona cards of the newest discovery side by side (size, value,
 * channels, needs, pain points, scores and churn with intervals, the plain-words description, the
 * stability flag), renamed and annotated inline by analysts and admins, and the persona-vs-segment
 * view — each persona's spread across the segments and the variation each grouping explains.
 */
export function PersonasPage(_props: PageProps) {
  // before the first discovery the board is not asked for (it would answer "no personas yet")
  const exist = havePersonas();
  const board = useOp<BoardResult>('personas', 'board', {}, exist);
  const { session } = useApp();
  const editable = canWrite(session?.role);
  const none = !exist || board.error?.code === 'unavailable';
  const compare = useOp<CompareSegmentsResult>('personas', 'compare-segments', {}, !!board.data);
  const sets = useOp<SetsResult>('personas', 'sets', {}, !!board.data);
  if (none) {
    return (
      <div class="page">
        <PageHead title="Personas" uses={[]} />
        <NoPersonas reload={board.reload} />
      </div>
    );
  }
  return (
    <div class="page">
      <PageHead title="Personas" uses={[]} />
      <Panel
        primary
        wide
        title="Who the customers are"
        subtitle={
          board.data
            ? `Run ${board.data.run.id} (${board.data.run.mode}): ${board.data.run.k} personas over ${fmtCount(board.data.run.customers)} customers; bootstrap ARI between refits ${board.data.run.stability_ari?.toFixed(2) ?? '—'}. Shares of channels and touchpoints are of inbound events, next to everyone's.`
            : undefined
        }
      >
        <Async state={board} what="personas">
          {(d) => (
            <>
              {d.run.notes.length > 0 && (
                <ul class="persona-notes muted small">
                  {d.run.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
              {d.personas.length === 0 ? (
                <Empty>The newest run has no live personas.</Empty>
              ) : (
                <div class="persona-cards">
                  {d.personas.map((c) => (
                    <PersonaCardView key={c.id} card={c} editable={editable} reload={board.reload} />
                  ))}
                </div>
              )}
            </>
          )}
        </Async>
      </Panel>
      <Panel
        wide
        title="Personas vs segments"
        subtitle="How much of the customer-to-customer variation each grouping explains (η², one-way analysis of variance; 95 % bootstrap interval over customers). η² grows with the number of groups, so the count is shown. Below: where each persona's customers sit among the segments — a persona spread over every segment is what segments hide."
      >
        <Async state={compare} what="the comparison">
          {(d) => (
            <>
              <Explained d={d} />
              {d.notes.length > 0 && (
                <ul class="persona-notes muted small" data-testid="persona-compare-notes">
                  {d.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
              <Spread d={d} />
            </>
          )}
        </Async>
      </Panel>
      {sets.data && sets.data.sets.length > 0 && (
        <Panel
          wide
          title="Personas your team brought"
          subtitle="Sets imported (touchpoint personas import) or defined by rules (touchpoint personas rules), against the discovered personas: each row is their persona, spread over the discovered ones."
        >
          <BroughtSets d={sets.data} />
        </Panel>
      )}
    </div>
  );
}
