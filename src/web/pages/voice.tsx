import { useState } from 'preact/hooks';
import type { DriversResult } from '../../feedback/drivers.js';
import type { FollowUp, FollowUpsResult } from '../../feedback/follow-ups.js';
import type { ThemeTrendResult } from '../../feedback/theme-trend.js';
import type { ThemesResult } from '../../feedback/themes.js';
import type { StoredFinding } from '../../findings/index.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { AnalysisPanel, canWrite } from '../components/analysis.js';
import { Chart, intervalBand } from '../components/chart.js';
import { FindingDetail, P_LABELS } from '../components/findings.js';
import { OperationTables } from '../components/generic.js';
import { CustomerLink } from '../components/links.js';
import { DataTable } from '../components/table.js';
import { Async, ErrorBox, Loading, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtDuration, fmtInterval, fmtNumber, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { isCompletePeriod } from '../periods.js';
import { filterQuery, setQuery } from '../route.js';
import {
  filterParams,
  findOp,
  getFirstData,
  getLatestData,
  unappliedFilters,
  useApp,
  useOp,
} from '../state.js';
import { TrendSection, useTrend } from './trend.js';

/** Verbs drawn on this page (or elsewhere: scores on Overview, taxonomy and surveys in Settings). */
const KNOWN = [
  'scores',
  'themes',
  'follow-ups',
  'follow-ups-sync',
  'follow-up-assign',
  'follow-up-note',
  'follow-up-close',
  'taxonomy',
  'surveys',
  'comments',
  'drivers',
  'theme-trend',
];

/** One theme in the tree: its 4 P, volume, negative share with interval. */
interface ThemeNode {
  readonly id: string;
  readonly p: keyof typeof P_LABELS;
  readonly name: string;
  readonly volume: number;
  readonly negative: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly nps: number | null;
  readonly customers: number | null;
}

const fromFindings = (fs: readonly StoredFinding[]): ThemeNode[] =>
  fs
    .filter((f) => f.slice.theme)
    .map((f) => ({
      id: f.slice.theme!,
      p: f.p,
      name: f.title.split(':')[0] ?? f.slice.theme!,
      volume: f.n ?? 0,
      negative: f.value,
      low: f.ciLow,
      high: f.ciHigh,
      nps: ((f.evidence as { nps?: { value?: number | null } }).nps?.value ?? null) as number | null,
      customers: f.customersAffected,
    }));

const fromResult = (r: ThemesResult): ThemeNode[] =>
  r.themes.map((t) => ({
    id: t.id,
    p: t.p,
    name: t.name,
    volume: t.volume,
    negative: t.negativeShare.value,
    low: t.negativeShare.low,
    high: t.negativeShare.high,
    nps: t.nps.value,
    customers: t.customers,
  }));

/** The 4-P theme tree: area = comments, colour = share of negative comments. */
function ThemeTree(props: { themes: readonly ThemeNode[]; onPick: (id: string) => void }) {
  const ps = Object.keys(P_LABELS) as (keyof typeof P_LABELS)[];
  const data = ps
    .map((p) => ({
      name: P_LABELS[p],
      children: props.themes
        .filter((t) => t.p === p)
        .map((t) => ({ name: t.name, id: t.id, value: [t.volume, (t.negative ?? 0) * 100] })),
    }))
    .filter((x) => x.children.length > 0);
  return (
    <Chart
      title="Theme tree"
      height={420}
      rows={props.themes.map((t) => ({
        p: t.p,
        theme: t.name,
        id: t.id,
        comments: t.volume,
        negativeShare: t.negative,
      }))}
      onClick={(p) => {
        const d = p.data as { id?: string } | undefined;
        if (d?.id) props.onPick(d.id);
      }}
      option={{
        tooltip: {
          formatter: (p: { name: string; value: number[] | number }) =>
            Array.isArray(p.value)
              ? tipHtml`${p.name}<br/>${fmtCount(p.value[0])} comments · ${fmtNumber(p.value[1], 0)} % negative`
              : tipHtml`${p.name}`,
        },
        visualMap: {
          type: 'continuous',
          dimension: 1,
          min: 0,
          max: 100,
          inRange: { color: ['#15803d', '#facc15', '#b91c1c'] },
          text: ['negative', 'positive'],
          calculable: false,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          textStyle: { fontSize: 11 },
        },
        series: [
          {
            type: 'treemap',
            top: 10,
            bottom: 50,
            roam: false,
            nodeClick: false,
            breadcrumb: { show: false },
            visualDimension: 1,
            leafDepth: 2,
            upperLabel: { show: true, height: 22, color: '#111', fontWeight: 'bold' },
            label: { show: true, formatter: '{b}', fontSize: 11, color: '#111' },
            levels: [
              {
                itemStyle: { borderColor: '#e5e7eb', borderWidth: 0, gapWidth: 3 },
                upperLabel: { show: false },
              },
              { itemStyle: { borderColor: '#e5e7eb', borderWidth: 3, gapWidth: 1 } },
              { itemStyle: { borderColor: '#fff', borderWidth: 1, gapWidth: 1 } },
            ],
            data,
          },
        ],
      }}
    />
  );
}

/** One comment as the explorer reads it (from `feedback comments`). */
interface CommentRow {
  readonly id: string;
  readonly ts?: string;
  readonly kind?: string;
  readonly score?: number | null;
  readonly comment: string;
  readonly touchpoint?: string | null;
  readonly channel?: string | null;
  readonly themes?: readonly string[];
  readonly sentiment?: string | null;
  readonly corrected?: string | null;
  readonly customerId?: string | null;
}

/**
 * An analyst's correction of a comment's label (`feedback label-comment`): it moves no score now;
 * the next sentiment retrain learns from it (three classes when any says neutral).
 */
function LabelCorrection(props: { row: CommentRow }) {
  const [value, setValue] = useState(props.row.corrected ?? props.row.sentiment ?? '');
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'error'>('idle');
  return (
    <span class="label-correction">
      <select
        aria-label={`Correct the sentiment of comment ${props.row.id}`}
        value={value}
        disabled={state === 'saving'}
        onChange={async (e) => {
          const label = (e.target as HTMLSelectElement).value;
          setValue(label);
          setState('saving');
          try {
            await postOp('feedback', 'label-comment', { id: props.row.id, label });
            setState('saved');
          } catch {
            setState('error');
          }
        }}
      >
        {!value && <option value="">not scored</option>}
        {['negative', 'neutral', 'positive'].map((l) => (
          <option value={l}>{l}</option>
        ))}
      </select>
      {(props.row.corrected || state === 'saved') && (
        <span class="muted" title="Corrected by an analyst; used by the next sentiment retrain">
          {' '}
          corrected
          {props.row.sentiment && props.row.sentiment !== value ? ` (scored ${props.row.sentiment})` : ''}
        </span>
      )}
      {state === 'error' && <span class="error"> not saved</span>}
    </span>
  );
}

/** Full-text search over every comment, newest first (the search runs in the database). */
function CommentExplorer(props: { q: string; filters: Record<string, string> }) {
  const { ops, session } = useApp();
  const canLabel = canWrite(session?.role) && !!findOp(ops, 'feedback', 'label-comment');
  const op = findOp(ops, 'feedback', 'comments');
  const [text, setText] = useState(props.q);
  const state = useOp<{ total?: number; items?: CommentRow[]; comments?: CommentRow[] }>(
    'feedback',
    'comments',
    { ...filterParams(op, props.filters), q: props.q || undefined, limit: 100 },
    !!op,
  );
  if (!op) return null;
  return (
    <Panel
      title="Comment explorer"
      subtitle="Search every comment; newest first"
      ignores={unappliedFilters(op, props.filters)}
      wide
    >
      <form
        class="inline-form"
        aria-label="Search comments"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: text.trim() || undefined });
        }}
      >
        <label>
          <span>Search comments</span>
          <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="btn primary">
          Search
        </button>
      </form>
      <Async state={state} what="comments">
        {(d) => {
          const rows = d.items ?? d.comments ?? [];
          return (
            <>
              {d.total !== undefined && <p class="muted">{fmtCount(d.total)} comments match</p>}
              <DataTable
                title="Comments"
                rows={rows}
                empty={props.q ? `No comment mentions “${props.q}”.` : 'No comments yet.'}
                columns={[
                  { key: 'ts', label: 'When' },
                  { key: 'kind', value: (c) => `${(c.kind ?? '').toUpperCase()} ${c.score ?? ''}`.trim() },
                  { key: 'comment', render: (c) => <span class="comment">{c.comment}</span> },
                  { key: 'touchpoint' },
                  { key: 'channel' },
                  { key: 'themes', value: (c) => (c.themes ?? []).join(', ') },
                  canLabel
                    ? { key: 'sentiment', render: (c) => <LabelCorrection row={c} /> }
                    : { key: 'sentiment' },
                  { key: 'customerId', label: 'Customer' },
                ]}
              />
            </>
          );
        }}
      </Async>
    </Panel>
  );
}

function FollowUpRow(props: { item: FollowUp; canAct: boolean; onDone: () => void }) {
  const { item } = props;
  const [assignee, setAssignee] = useState(item.assignee ?? '');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (verb: string, body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await postOp('feedback', verb, { id: item.id, ...body });
      props.onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="followup" data-id={item.id} data-status={item.status}>
      <div class="followup-head">
        <span class={`tag ${item.status === 'open' ? 'warn' : ''}`}>{item.status}</span>{' '}
        <strong>
          {item.kind.toUpperCase()} {fmtNumber(item.score, 0)}
        </strong>{' '}
        · {item.touchpoint ?? 'no touchpoint'} · {item.channel ?? '–'} · customer{' '}
        <CustomerLink id={item.customerId} /> · answered {fmtDate(item.answeredAt.slice(0, 10))} ·{' '}
        <span class={item.status === 'open' && item.ageHours > CLOSE_WITHIN_H ? 'overdue' : ''}>
          {item.status === 'open'
            ? `waiting ${fmtDuration(item.ageHours * 3600)}`
            : `closed ${item.closedAt?.slice(0, 10)}, ${fmtDuration(item.ageHours * 3600)} after the answer`}
        </span>
        {` · team ${item.ownerTeam ?? 'none'}`}
        {item.assignee && ` · ${item.assignee}`}
      </div>
      {item.comment && <blockquote>{item.comment}</blockquote>}
      {item.resolution && <p class="muted">Resolution: {item.resolution}</p>}
      {item.history.length > 0 && (
        <details class="history">
          <summary>History ({item.history.length})</summary>
          <ol>
            {item.history.map((h) => (
              <li key={`${h.ts}-${h.kind}`}>
                {h.ts.slice(0, 16).replace('T', ' ')} · {h.kind}
                {h.author && ` by ${h.author}`}
                {h.note && `: ${h.note}`}
              </li>
            ))}
          </ol>
        </details>
      )}
      {props.canAct && item.status === 'open' && (
        <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
          <label>
            <span>Assignee</span>
            <input value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} />
          </label>
          <button
            type="button"
            class="btn small"
            disabled={busy || !assignee.trim()}
            onClick={() => act('follow-up-assign', { assignee: assignee.trim() })}
          >
            Assign
          </button>
          <label>
            <span>Note or resolution</span>
            <input value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          </label>
          <button
            type="button"
            class="btn small"
            disabled={busy || !note.trim()}
            onClick={() => act('follow-up-note', { note: note.trim() })}
          >
            Add note
          </button>
          <button
            type="button"
            class="btn small primary"
            disabled={busy}
            onClick={() => act('follow-up-close', note.trim() ? { resolution: note.trim() } : {})}
          >
            Close
          </button>
        </form>
      )}
      {error && <ErrorBox error={error} />}
    </li>
  );
}

/** The 48 h promise (the feedback capability's CLOSE_WITHIN_HOURS). */
const CLOSE_WITHIN_H = 48;
const AGES: readonly [string, string][] = [
  ['', 'any age'],
  ['24', 'over 24 h'],
  ['48', 'over 48 h (promise missed)'],
  ['168', 'over 7 days'],
];

/** The queue's own filters, in the URL (`fuTeam`, `fuTouchpoint`, `fuAssignee`, `fuAge`, `fuSort`). */
function queueParams(q: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (q.fuTeam) out.team = q.fuTeam;
  if (q.fuTheme) out.theme = q.fuTheme;
  if (q.fuTouchpoint) out.touchpoint = q.fuTouchpoint;
  if (q.fuAssignee) out.assignee = q.fuAssignee;
  if (q.fuAge && Number.isFinite(Number(q.fuAge))) out.minAgeHours = Number(q.fuAge);
  if (q.fuSort === 'oldest' || q.fuSort === 'newest') out.sort = q.fuSort;
  return out;
}

function QueueText(props: { label: string; k: string; value: string | undefined; hint: string }) {
  return (
    <label class="filter">
      <span>{props.label}</span>
      <input
        size={10}
        value={props.value ?? ''}
        placeholder={props.hint}
        onChange={(e) => setQuery({ [props.k]: (e.target as HTMLInputElement).value.trim() || undefined })}
      />
    </label>
  );
}

function FollowUpQueue(props: { status: string; query: Record<string, string | undefined> }) {
  const { session, ops } = useApp();
  const [limit, setLimit] = useState(10);
  const q = props.query;
  const state = useOp<FollowUpsResult>('feedback', 'follow-ups', {
    status: props.status,
    limit,
    ...queueParams(q),
  });
  const canAct = session?.role === 'admin' || session?.role === 'analyst' || session?.role === 'agent';
  return (
    <Panel
      title="Follow-up queue"
      subtitle="Detractors and unhappy answers with a comment: assign, note, close within 48 h of the answer. Most urgent first: severity × hours since the answer"
      ignores={unappliedFilters(
        findOp(ops, 'feedback', 'follow-ups'),
        filterQuery(props.query as Record<string, string>),
      )}
      ignoresWhy="every open item is in the queue; narrow it with its own filters below"
      wide
      actions={
        <label class="filter">
          <span>Show</span>
          <select
            value={props.status}
            onChange={(e) => setQuery({ fu: (e.target as HTMLSelectElement).value })}
          >
            <option value="open">open</option>
            <option value="closed">closed</option>
            <option value="all">all</option>
          </select>
        </label>
      }
    >
      <div class="filters" data-testid="follow-up-filters">
        <QueueText label="Team" k="fuTeam" value={q.fuTeam} hint="any (none)" />
        <QueueText label="Theme" k="fuTheme" value={q.fuTheme} hint="any" />
        <QueueText label="Touchpoint" k="fuTouchpoint" value={q.fuTouchpoint} hint="any" />
        <QueueText label="Assignee" k="fuAssignee" value={q.fuAssignee} hint="any (none)" />
        <label class="filter">
          <span>Age</span>
          <select
            value={q.fuAge ?? ''}
            onChange={(e) => setQuery({ fuAge: (e.target as HTMLSelectElement).value || undefined })}
          >
            {AGES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label class="filter">
          <span>Order</span>
          <select
            value={q.fuSort ?? 'priority'}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setQuery({ fuSort: v === 'priority' ? undefined : v });
            }}
          >
            <option value="priority">most urgent (severity × age)</option>
            <option value="oldest">oldest answer first</option>
            <option value="newest">newest answer first</option>
          </select>
        </label>
      </div>
      <Async state={state} what="follow-ups">
        {(d) => (
          <>
            <div class="stats">
              <Stat label="Open" value={fmtCount(d.open)} />
              <Stat label="Closed" value={fmtCount(d.closed)} />
              <Stat
                label="Closed within 48 h"
                value={fmtPercent(d.closedWithin48h.value)}
                detail={
                  d.closedWithin48h.n === 0
                    ? 'no item is 48 h old yet'
                    : `${fmtInterval(d.closedWithin48h.low, d.closedWithin48h.high, (v) => fmtPercent(v))} · n = ${fmtCount(d.closedWithin48h.n)}${d.closedWithin48h.smallSample ? ' · small sample' : ''}`
                }
              />
            </div>
            {d.items.length === 0 ? (
              <p class="empty">Nothing in the queue.</p>
            ) : (
              <ul class="followups" data-testid="follow-ups">
                {d.items.map((i) => (
                  <FollowUpRow
                    key={`${i.id}-${i.status}-${i.assignee}`}
                    item={i}
                    canAct={canAct}
                    onDone={state.reload}
                  />
                ))}
              </ul>
            )}
            {d.items.length >= limit && (
              <button type="button" class="link" onClick={() => setLimit((l) => l + 20)}>
                Show more
              </button>
            )}
          </>
        )}
      </Async>
    </Panel>
  );
}

/**
 * Themes over time: a theme's share of comments by week with its interval (a dated change shows as a
 * step) and its negative share; a date in the form runs the before/after test (`feedback theme-trend`).
 */
function ThemesOverTime(props: {
  query: Record<string, string | undefined>;
  filters: Record<string, string>;
}) {
  const { ops } = useApp();
  const op = findOp(ops, 'feedback', 'theme-trend');
  const q = props.query;
  const at = q.at && /^\d{4}-\d{2}-\d{2}$/.test(q.at) ? q.at : undefined;
  const top = useOp<ThemeTrendResult>(
    'feedback',
    'theme-trend',
    { ...filterParams(op, props.filters), top: 20 },
    !!op,
  );
  const listed = top.data?.themes.map((t) => t.theme) ?? [];
  const names = q.ttTheme && !listed.includes(q.ttTheme) ? [q.ttTheme, ...listed] : listed;
  const theme = q.ttTheme ?? names[0];
  const one = useOp<ThemeTrendResult>(
    'feedback',
    'theme-trend',
    { ...filterParams(op, props.filters), theme, at, by: 'week' },
    !!op && !!theme,
  );
  const [date, setDate] = useState(at ?? '');
  if (!op) return null;
  const t = one.data?.themes[0];
  const first = getFirstData();
  const latest = getLatestData();
  const pts = (t?.points ?? []).filter((x) => isCompletePeriod(x.period, 'week', first, latest));
  const ba = t?.beforeAfter;
  const pct = (v: number | null | undefined) => fmtPercent(v ?? null);
  return (
    <Panel
      title="Themes over time"
      subtitle="Share of comments raising the theme, by complete week (shaded: 95 % interval; weeks too small to read are left off the line), and the share of them that are negative"
      ignores={unappliedFilters(op, props.filters)}
      wide
      actions={
        <form
          class="inline-form"
          aria-label="Theme and date of a change"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ at: date || undefined });
          }}
        >
          <label class="filter">
            <span>Theme</span>
            <select
              value={theme ?? ''}
              onChange={(e) => setQuery({ ttTheme: (e.target as HTMLSelectElement).value })}
            >
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label class="filter">
            <span>Change on</span>
            <input type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" class="btn small">
            Test before / after
          </button>
        </form>
      }
    >
      <Async state={one} what="the theme over time">
        {() =>
          !t || pts.length === 0 ? (
            <p class="empty">No analysed comments yet: run the theme analysis.</p>
          ) : (
            <>
              {(one.data?.unanalysed ?? 0) > 0 && (
                <p class="scope-note">
                  {fmtCount(one.data!.unanalysed)} newer comments are not analysed yet and not counted: run
                  the theme analysis.
                </p>
              )}
              {ba && (
                <p class={`before-after${ba.significant ? ' significant' : ''}`} data-testid="before-after">
                  From {fmtDate(ba.at)}: {pct(ba.before.share.value)} →{' '}
                  <strong>{pct(ba.after.share.value)}</strong> of comments raise “{t.theme}” (change{' '}
                  {ba.shareChange.difference >= 0 ? '+' : ''}
                  {fmtNumber(ba.shareChange.difference * 100, 1)} points, 95 % interval{' '}
                  {fmtInterval(ba.shareChange.low * 100, ba.shareChange.high * 100, (v) => fmtNumber(v, 1))},
                  p = {ba.shareChange.p < 0.001 ? '< 0.001' : fmtNumber(ba.shareChange.p, 3)}
                  {ba.significant ? '' : ': not significant'}); negative among them{' '}
                  {pct(ba.before.negative.value)} → {pct(ba.after.negative.value)} · n ={' '}
                  {fmtCount(ba.before.share.n)} before, {fmtCount(ba.after.share.n)} after
                </p>
              )}
              <Chart
                title={`Theme over time: ${t.theme}`}
                height={260}
                rows={pts.map((x) => ({
                  week: x.period,
                  mentions: x.mentions,
                  comments: x.comments,
                  share: x.share.value,
                  low: x.share.low,
                  high: x.share.high,
                  negative: x.negative.value,
                }))}
                option={{
                  grid: { left: 50, right: 50, top: 30, bottom: 30 },
                  legend: { top: 0 },
                  tooltip: {
                    trigger: 'axis',
                    formatter: (ps: { dataIndex: number }[]) => {
                      const x = pts[ps[0]?.dataIndex ?? 0]!;
                      return tipHtml`Week of ${fmtDate(x.period)}<br/>${fmtCount(x.mentions)} of ${fmtCount(x.comments)} comments: ${pct(x.share.value)} (${fmtInterval(x.share.low, x.share.high, (v) => fmtPercent(v))})<br/>negative ${pct(x.negative.value)} of ${fmtCount(x.mentions)}${x.share.smallSample ? ' · small sample' : ''}`;
                    },
                  },
                  xAxis: { type: 'category', data: pts.map((x) => x.period), boundaryGap: false },
                  yAxis: [
                    {
                      type: 'value',
                      name: 'share of comments',
                      axisLabel: { formatter: (v: number) => `${Math.round(v * 100)} %` },
                    },
                    {
                      type: 'value',
                      name: 'negative',
                      min: 0,
                      max: 1,
                      splitLine: { show: false },
                      axisLabel: { formatter: (v: number) => `${Math.round(v * 100)} %` },
                    },
                  ],
                  series: [
                    ...intervalBand(
                      pts.map((x) => (x.share.smallSample ? null : x.share.low)),
                      pts.map((x) =>
                        !x.share.smallSample && x.share.low !== null && x.share.high !== null
                          ? x.share.high - x.share.low
                          : null,
                      ),
                      '#7c3aed',
                    ),
                    {
                      type: 'line',
                      name: 'Share of comments',
                      data: pts.map((x) => (x.share.smallSample ? null : x.share.value)),
                      connectNulls: true,
                      color: '#7c3aed',
                      symbolSize: 4,
                      markLine: at
                        ? {
                            symbol: 'none',
                            label: { formatter: `change ${at}` },
                            lineStyle: { color: '#b91c1c', type: 'dashed' },
                            data: [{ xAxis: pts.findIndex((x) => x.period >= at) }],
                          }
                        : undefined,
                    },
                    {
                      type: 'line',
                      name: 'Negative among them',
                      yAxisIndex: 1,
                      data: pts.map((x) => (x.negative.smallSample ? null : x.negative.value)),
                      color: '#dc2626',
                      lineStyle: { type: 'dotted' },
                      symbolSize: 3,
                      connectNulls: true,
                    },
                  ],
                }}
              />
            </>
          )
        }
      </Async>
    </Panel>
  );
}

/** Voice of the customer: the theme tree, score trends, and the follow-up queue. */
export function VoicePage(props: PageProps) {
  const { ops, session } = useApp();
  const filters = filterQuery(props.route.query);
  const themeFindings = useOp<{ findings: StoredFinding[] }>('findings', 'list', {
    analysis: 'feedback.themes',
    limit: 500,
  });
  const trend = useTrend(ops, filters, 'month');
  const [fresh, setFresh] = useState<ThemesResult | null>(null);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState<StoredFinding | null>(null);
  const themesOp = findOp(ops, 'feedback', 'themes');
  const runThemes = async () => {
    setRunning(true);
    setRunError(null);
    try {
      // the run takes the page's filters (segment, channel, persona, period) where the operation does
      setFresh(
        await postOp<ThemesResult>(
          'feedback',
          'themes',
          filterParams(themesOp, filters) as Record<string, unknown>,
        ),
      );
      themeFindings.reload();
    } catch (e) {
      setRunError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setRunning(false);
    }
  };
  const pick = (id: string) => {
    const f = themeFindings.data?.findings.find((x) => x.slice.theme === id);
    if (f) setOpen(f);
  };
  return (
    <div class="page">
      <PageHead title="Voice of the customer" uses={['feedback.*']} />
      <div class="grid">
        {themesOp && (
          <Panel
            primary
            title="Themes by the 4 P's"
            subtitle={
              fresh
                ? `All ${fresh.themes.length} themes of ${fmtCount(fresh.comments)} comments (scorer ${fresh.scorer}); size = comments, colour = share negative`
                : 'Themes flagged by the latest analysis; size = comments, colour = share negative. Click one for its evidence.'
            }
            wide
            ignores={unappliedFilters(fresh ? themesOp : undefined, filters)}
            ignoresWhy={`the themes of the latest analysis${canWrite(session?.role) ? '; “Run theme analysis” applies the filters' : ''}`}
            actions={
              canWrite(session?.role) && (
                <button type="button" class="btn small" onClick={runThemes} disabled={running}>
                  {running ? 'Analysing comments…' : 'Run theme analysis'}
                </button>
              )
            }
          >
            {running && <Loading what="theme analysis (reads every comment; can take half a minute)" />}
            {runError && <ErrorBox error={runError} retry={runThemes} />}
            <Async state={themeFindings} what="themes">
              {(d) => {
                const themes = fresh ? fromResult(fresh) : fromFindings(d.findings);
                if (themes.length === 0)
                  return (
                    <p class="empty">
                      No theme analysis yet on this workspace
                      {canWrite(session?.role) ? ': press “Run theme analysis”.' : '.'}
                    </p>
                  );
                return (
                  <div class="split">
                    <div style={{ flex: 1, minWidth: 0 }}>
                      <ThemeTree themes={themes} onPick={pick} />
                      <DataTable
                        title="Themes"
                        rows={themes}
                        onOpen={(t) => pick(t.id)}
                        columns={[
                          { key: 'p', label: 'P', render: (t) => P_LABELS[t.p] },
                          { key: 'name', label: 'Theme' },
                          { key: 'volume', label: 'Comments', numeric: true },
                          { key: 'customers', numeric: true },
                          {
                            key: 'negative',
                            label: 'Negative (95 % interval)',
                            numeric: true,
                            render: (t) =>
                              `${fmtPercent(t.negative)} (${fmtInterval(t.low, t.high, (v) => fmtPercent(v))})`,
                          },
                          {
                            key: 'nps',
                            label: 'NPS of its answers',
                            numeric: true,
                            render: (t) => fmtNumber(t.nps, 0),
                          },
                        ]}
                      />
                    </div>
                    {open && <FindingDetail f={open} onClose={() => setOpen(null)} />}
                  </div>
                );
              }}
            </Async>
          </Panel>
        )}
        <ThemesOverTime query={props.route.query} filters={filters} />
        {trend && <TrendSection trend={trend} title="Scores by month" />}
        <AnalysisPanel<DriversResult>
          area="feedback"
          verb="drivers"
          analysis="feedback.drivers"
          title="What drives the score"
          subtitle="Themes whose mention goes with a lower (or higher) score, controlling for touchpoint: an association, not a proven cause"
          filters={filters}
        >
          {(r) => (
            <DataTable
              title="Score drivers"
              rows={r.drivers}
              columns={[
                { key: 'p', label: 'P', render: (d) => P_LABELS[d.p] },
                { key: 'name', label: 'Theme' },
                { key: 'mentions', numeric: true },
                { key: 'share', numeric: true, render: (d) => fmtPercent(d.share) },
                {
                  key: 'effect',
                  label: `Effect on ${r.kind.toUpperCase()} (95 % interval)`,
                  numeric: true,
                  render: (d) =>
                    `${fmtNumber(d.effect, 2)} (${fmtInterval(d.low, d.high, (v) => fmtNumber(v, 2))})${d.smallSample ? ' · small sample' : ''}`,
                },
                { key: 'impact', numeric: true, render: (d) => fmtNumber(d.impact, 2) },
                { key: 'ownerTeam', label: 'Owner' },
              ]}
            />
          )}
        </AnalysisPanel>
        <CommentExplorer q={props.route.query.q ?? ''} filters={filters} />
        {findOp(ops, 'feedback', 'follow-ups') && (
          <FollowUpQueue status={props.route.query.fu ?? 'open'} query={props.route.query} />
        )}
        {ops
          .filter((o) => o.area === 'feedback' && o.method === 'get' && !KNOWN.includes(o.verb))
          .map((o) => (
            <OperationTables key={o.verb} op={o} filters={filters} />
          ))}
      </div>
    </div>
  );
}
