import type { LearningEntry } from '../../experiments/decide.js';
import { fmtDate } from '../format.js';
import { useOp } from '../state.js';
import { Async, Empty, Panel } from './ui.js';

const pct = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(1)} %` : '—');
const pv = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const delta = (format: string, v: number) =>
  !Number.isFinite(v)
    ? '—'
    : format === 'proportion'
      ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(1)} pts`
      : `${v > 0 ? '+' : ''}${Number(v.toPrecision(3))}`;

/** One learning-log entry in a sentence: decision, measured effect and, once shipped, the re-measure. */
export function LearningLine(props: { e: LearningEntry; tag?: string; selected?: boolean }) {
  const e = props.e;
  const m = e.measured as {
    metric: string;
    lifts: { arm: string; relative: { value: number; low: number; high: number }; p: number }[];
  } | null;
  const r = e.remeasure;
  return (
    <li data-testid="learning-entry" data-experiment={e.id} class={props.selected ? 'selected' : undefined}>
      {props.tag !== undefined && <span class="tag">{props.tag}</span>} <strong>{e.name}</strong> (
      {fmtDate(e.start)} – {fmtDate(e.end)}): <em>{e.decision}</em>
      {e.decidedAt ? ` on ${fmtDate(e.decidedAt)}` : ''}.{' '}
      {m?.lifts.map((l) => (
        <span key={l.arm}>
          {l.arm}: {m.metric} {pct(l.relative.value)} [{pct(l.relative.low)} … {pct(l.relative.high)}], p{' '}
          {pv(l.p)}.{' '}
        </span>
      ))}
      {r ? (
        <span class={r.verdict === 'improved' ? 'good' : r.verdict === 'worse' ? 'bad' : ''}>
          After the rollout: {r.verdict} — {delta(r.format, r.change.value)} [{delta(r.format, r.change.low)}{' '}
          … {delta(r.format, r.change.high)}] vs the {r.days} days before the experiment (n {r.before.n} →{' '}
          {r.after.n}; before/after, not randomised).
        </span>
      ) : e.remeasureDue ? (
        <span class="muted">
          Re-measure due {fmtDate(e.remeasureDue)} (experiments remeasure {e.id}).
        </span>
      ) : null}
    </li>
  );
}

/**
 * The learning log of a touchpoint or a finding (its id, touchpoint or theme: any matches): what was
 * tried there, when, and what it did. Renders nothing when nothing was tried.
 */
export function LearningLog(props: {
  touchpoint?: string;
  finding?: string;
  theme?: string;
  title?: string;
}) {
  const params: Record<string, string> = {};
  if (props.touchpoint) params.touchpoint = props.touchpoint;
  if (props.finding) params.finding = props.finding;
  if (props.theme) params.theme = props.theme;
  const state = useOp<{ entries: LearningEntry[] }>('experiments', 'learning-log', params);
  return (
    <div class="learning-log" data-testid="learning-log">
      <Async state={state} what="the learning log">
        {(d) =>
          d.entries.length === 0 ? null : (
            <>
              <h4>{props.title ?? 'What was tried here'}</h4>
              <ul>
                {d.entries.map((e) => (
                  <LearningLine key={e.id} e={e} />
                ))}
              </ul>
            </>
          )
        }
      </Async>
    </div>
  );
}

/**
 * The journey map's learning log: every decided experiment with the touchpoint it was tried at; with a
 * touchpoint selected on the map, that touchpoint's entries first.
 */
export function LearningPanel(props: { touchpoint?: string | null }) {
  const state = useOp<{ entries: LearningEntry[] }>('experiments', 'learning-log', {});
  return (
    <Panel
      title="Learning log"
      subtitle="What was tried on this journey, where, and what it did — decided experiments and the re-measure after a fix shipped"
    >
      <Async state={state} what="the learning log">
        {(d) => {
          if (d.entries.length === 0)
            return <Empty>No experiment has been decided yet (experiments decide).</Empty>;
          const here = (e: LearningEntry) => props.touchpoint && e.touchpoint === props.touchpoint;
          const list = [...d.entries].sort((a, b) => Number(Boolean(here(b))) - Number(Boolean(here(a))));
          return (
            <ul class="learning-log" data-testid="journey-learning-log">
              {list.map((e) => (
                <LearningLine
                  key={e.id}
                  e={e}
                  tag={e.touchpoint ?? 'whole journey'}
                  selected={Boolean(here(e))}
                />
              ))}
            </ul>
          );
        }}
      </Async>
    </Panel>
  );
}
