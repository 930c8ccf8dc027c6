import type { LaneStage, PersonaLanesResult } from '../../journeys/persona-lanes.js';
import { fmtCount } from '../format.js';
import { filterParams, findOp, havePersonas, useApp, useOp } from '../state.js';
import { Async, Panel } from './ui.js';

const pc = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)} %`;
const signed = (v: number | null) => {
  if (v === null) return '–';
  const r = Math.round(v);
  return r === 0 ? '0' : `${r > 0 ? '+' : '−'}${Math.abs(r)}`;
};

/** Conversion 0…1 → a red–amber–green tint (transparent without a figure), readable in both themes. */
function tint(v: number | null): string | undefined {
  if (v === null) return undefined;
  const hue = Math.round(120 * Math.max(0, Math.min(1, v)));
  return `hsl(${hue} 70% 45% / 0.22)`;
}

function LaneCell(props: { s: LaneStage }) {
  const s = props.s;
  const c = s.conversion;
  return (
    <td
      class="lane-cell"
      data-stage={s.stage}
      style={{ background: tint(c?.value ?? null) }}
      title={`${fmtCount(s.reached)} customers reached this stage (${pc(s.reachedShare)} of the persona on the journey)`}
    >
      <div class="lane-conv">
        {c === null ? (
          <span class="muted small">last stage</span>
        ) : (
          <>
            <strong data-testid="lane-conversion">{pc(c.value)}</strong>{' '}
            <span class="muted small">
              {c.value === null ? 'no one yet' : `${pc(c.low)} … ${pc(c.high)}, n = ${fmtCount(c.n)}`}
            </span>
          </>
        )}
      </div>
      <div class="lane-emotion small">
        NPS <strong>{signed(s.nps.value)}</strong>
        <span class="muted">
          {s.nps.n > 0
            ? ` (${signed(s.nps.low)} … ${signed(s.nps.high)}, n = ${fmtCount(s.nps.n)})`
            : ' (no answers)'}
        </span>
        {s.sentiment.n > 0 && (
          <>
            {' · '}sentiment <strong>{signed(s.sentiment.value)}</strong>
            <span class="muted"> (n = {fmtCount(s.sentiment.n)})</span>
          </>
        )}
      </div>
      <div class="muted small">{fmtCount(s.reached)} reached</div>
    </td>
  );
}

/**
 * Persona lanes on the journey map (`journey persona-lanes`): one row per persona with, per stage, the
 * conversion to the next stage (the map's rule, 95 % interval, n) and the emotion there (NPS with its
 * interval and n, comments' net sentiment). Shown once personas exist.
 */
export function PersonaLanes(props: { filters: Record<string, string>; enabled: boolean }) {
  const { ops } = useApp();
  const op = findOp(ops, 'journey', 'persona-lanes');
  const show = !!op && havePersonas();
  const state = useOp<PersonaLanesResult>(
    'journey',
    'persona-lanes',
    filterParams(op, props.filters),
    show && props.enabled,
  );
  if (!show) return null;
  return (
    <Panel
      wide
      title="Persona lanes"
      subtitle="Per persona and stage: conversion to the next stage within 30 days (95 % interval, n; the map's rule) and the emotion there (NPS and comments' net sentiment, −100…100). Cells are tinted by conversion."
    >
      <Async state={state} what="the persona lanes">
        {(d) => (
          <div class="scroll-x">
            <table class="persona-lanes" data-testid="persona-lanes">
              <caption class="sr-only">
                Conversion and emotion per persona and stage of the journey {d.journey}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Persona</th>
                  {d.stages.map((s) => (
                    <th key={s} scope="col">
                      {s}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.lanes.map((l) => (
                  <tr key={l.personaId} data-persona={l.personaId}>
                    <th scope="row">
                      {l.name}
                      <div class="muted small">{fmtCount(l.people)} on the journey</div>
                    </th>
                    {l.stages.map((s) => (
                      <LaneCell key={s.stage} s={s} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </Panel>
  );
}
