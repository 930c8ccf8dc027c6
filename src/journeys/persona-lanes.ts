import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { currentPersonas } from '../personas/index.js';
import { type Store, sql } from '../store/index.js';
import { type EmotionFigure, getEmotion } from './emotion.js';
import { journeyParam, loadJourney, resolveFrame } from './journey.js';
import { journeyLayer } from './journey-layer.js';
import { type Rate, rate } from './rate.js';

/**
 * Persona lanes of the journey map (docs/journeys.md, "Persona lanes"): one row per persona of the
 * newest persona run, and per stage of the journey
 *
 * - **reached**: the persona's customers with an inbound event in the stage in the period, and their
 *   share of the persona's customers on the journey in the period;
 * - **conversion**: of those, the share whose first event in the stage is followed by an event in the
 *   next stage within `windowDays` — over the people whose window had elapsed at as-of or who
 *   converted, the journey map's rule (MapCell.conversion), with its Wilson interval; null at the last
 *   stage;
 * - **emotion**: the stage's net sentiment and NPS / CSAT / CES from `journey emotion` with the
 *   persona filter (the same placement of answers, the same intervals).
 */

export const PersonaLanesParams = z.object({
  journey: journeyParam,
  windowDays: z
    .number()
    .positive()
    .default(30)
    .describe('a step into the next stage counts as conversion within this many days'),
  ...TimeFrameParams,
});
export type PersonaLanesParams = z.input<typeof PersonaLanesParams>;

export interface LaneStage {
  readonly stage: string;
  readonly position: number;
  readonly reached: number;
  readonly reachedShare: number;
  readonly conversion: Rate | null;
  readonly inProgress: number;
  readonly sentiment: EmotionFigure;
  readonly nps: EmotionFigure;
  readonly csat: EmotionFigure;
  readonly ces: EmotionFigure;
}

export interface PersonaLane {
  readonly personaId: string;
  readonly name: string;
  /** The persona's customers with an inbound event on the journey in the period. */
  readonly people: number;
  readonly stages: readonly LaneStage[];
}

export interface PersonaLanesResult {
  readonly journey: string;
  readonly stages: readonly string[];
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string;
  readonly lanes: readonly PersonaLane[];
}

export async function getPersonaLanes(db: Store, input: PersonaLanesParams): Promise<PersonaLanesResult> {
  const p = validate(PersonaLanesParams, input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const personas = await db.all<{ persona_id: string; persona: string }>(
    sql`SELECT persona_id, any_value(persona) AS persona FROM ${currentPersonas()} GROUP BY persona_id ORDER BY count(*) DESC, persona_id`,
  );
  if (personas.length === 0)
    throw new TouchpointError(
      'unavailable',
      'there are no personas yet: run `touchpoint personas discover` first, then the journey has a lane per persona',
    );
  const layer = await journeyLayer(db, j);
  const windowSeconds = Math.round(p.windowDays * 86400);
  const inRange = sql`ts <= ${frame.asOf} AND ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const rows = await db.all<{
    persona_id: string;
    position: number | null;
    reached: number;
    converted: number;
    in_progress: number;
  }>(sql`
    WITH s AS (
      SELECT customer_id, position, min(ts) AS t0, arg_min({'ns': next_stage_ts}, ts).ns AS ns
      FROM ${layer} WHERE position IS NOT NULL AND customer_id IS NOT NULL AND ${inRange}
      GROUP BY customer_id, position
    ),
    x AS (
      SELECT cp.persona_id, s.position, s.customer_id,
        s.ns IS NOT NULL AND s.ns <= ${frame.asOf} AND s.ns <= s.t0 + to_seconds(${windowSeconds}::BIGINT) AS converted,
        s.t0 + to_seconds(${windowSeconds}::BIGINT) > ${frame.asOf} AS open
      FROM s JOIN ${currentPersonas()} cp ON cp.customer_id = s.customer_id
    )
    SELECT persona_id, position, count(*) AS reached, count(*) FILTER (converted) AS converted,
      count(*) FILTER (NOT converted AND open) AS in_progress
    FROM x GROUP BY persona_id, position`);
  const people = await db.all<{ persona_id: string; n: number }>(sql`
    SELECT cp.persona_id, count(DISTINCT l.customer_id) AS n
    FROM ${layer} l JOIN ${currentPersonas()} cp ON cp.customer_id = l.customer_id
    WHERE l.position IS NOT NULL AND ${inRange} GROUP BY cp.persona_id`);
  const peopleOf = new Map(people.map((r) => [r.persona_id, Number(r.n)]));
  const cell = new Map(
    rows.filter((r) => r.position !== null).map((r) => [`${r.persona_id}\u001f${r.position}`, r]),
  );
  const last = j.stages.length;
  const lanes: PersonaLane[] = [];
  for (const persona of personas) {
    const emotion = await getEmotion(db, {
      journey: j.id,
      from: p.from,
      to: p.to,
      asOf: p.asOf,
      persona: persona.persona_id,
    });
    const n = peopleOf.get(persona.persona_id) ?? 0;
    lanes.push({
      personaId: persona.persona_id,
      name: persona.persona,
      people: n,
      stages: j.stages.map((stage, i) => {
        const c = cell.get(`${persona.persona_id}\u001f${i + 1}`);
        const reached = Number(c?.reached ?? 0);
        const converted = Number(c?.converted ?? 0);
        const inProgress = Number(c?.in_progress ?? 0);
        const e = emotion.stages[i]!;
        return {
          stage,
          position: i + 1,
          reached,
          reachedShare: n > 0 ? reached / n : 0,
          conversion: i + 1 === last ? null : rate(converted, reached - inProgress),
          inProgress: i + 1 === last ? 0 : inProgress,
          sentiment: e.sentiment,
          nps: e.scores.nps,
          csat: e.scores.csat,
          ces: e.scores.ces,
        };
      }),
    });
  }
  return {
    journey: j.id,
    stages: j.stages,
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    asOf: frame.asOf.toISOString(),
    lanes,
  };
}

const pc = (r: Rate | null) => (r === null || r.value === null ? '–' : `${(100 * r.value).toFixed(1)}%`);

export const personaLanesOperation = defineOperation({
  area: 'journey',
  verb: 'persona-lanes',
  summary:
    'Persona lanes: per persona and stage, customers reached, conversion to the next stage and emotion',
  params: PersonaLanesParams,
  mode: 'read',
  run: (db, params) => getPersonaLanes(db, params),
  present: (r) => [
    {
      title: `Persona lanes of the journey ${r.journey}: conversion to the next stage · NPS`,
      rows: r.lanes.map((l) => ({
        persona: `${l.personaId} ${l.name}`,
        customers: l.people,
        ...Object.fromEntries(
          l.stages.map((s) => [
            s.stage,
            `${s.reached} · ${pc(s.conversion)} · NPS ${s.nps.value === null ? '–' : s.nps.value.toFixed(0)}`,
          ]),
        ),
      })),
    },
  ],
});
