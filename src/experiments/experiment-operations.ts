import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { AssignParams, assign, ImportExposuresParams, importExposures } from './assign.js';
import { DecideParams, decideExperiment, LearningLogParams, learningLog } from './decide.js';
import { LooksParams, sequentialLooks } from './looks.js';
import { formatMetric } from './metric-operations.js';
import { ProgramParams, programView } from './program.js';
import { RemeasureParams, remeasureExperiment } from './remeasure.js';
import { type ExperimentResults, experimentResults, ResultsParams } from './results.js';
import { CreateExperimentParams, createExperiment, experimentState, listExperiments } from './stored.js';

const pv = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const day = (s: string | null) => (s ? s.slice(0, 10) : '—');
const pct = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} %` : '—');

export const createOperation = defineOperation({
  area: 'experiments',
  verb: 'create',
  summary:
    'Create an experiment: hypothesis, linked finding, arms and weights, dates, primary and guardrail metrics, owner',
  params: CreateExperimentParams,
  mode: 'write',
  run: (db, p, ctx) =>
    createExperiment(db, p, {
      ...(ctx.now ? { now: ctx.now() } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    }),
  present: (e) => [
    {
      text: `experiment ${e.id}: ${e.variants.map((v) => `${v.name}=${v.weight}`).join(', ')}; primary ${e.primary.id} v${e.primary.version}${e.guardrails.length ? `; guardrails ${e.guardrails.map((g) => g.id).join(', ')}` : ''}; α = ${e.criteria.alpha}; ${day(e.start)} → ${day(e.end)}`,
    },
  ],
});

export const assignOperation = defineOperation({
  area: 'experiments',
  verb: 'assign',
  summary:
    'Assign customers to arms deterministically (FNV-1a of experiment:customer) and record their exposure',
  params: AssignParams,
  mode: 'write',
  run: (db, p, ctx) => assign(db, p, ctx.now ? { now: ctx.now() } : {}),
  present: (r) => [
    { rows: r.assignments.map((a) => ({ customer: a.customer, arm: a.arm, bucket: a.bucket.toFixed(6) })) },
    { text: `${r.recorded} new exposure(s) recorded for ${r.experiment}` },
  ],
});

export const importExposuresOperation = defineOperation({
  area: 'experiments',
  verb: 'import-exposures',
  summary: 'Import exposures made elsewhere from a CSV (customer_id, arm, exposed_at)',
  params: ImportExposuresParams,
  mode: 'write',
  positional: ['file'],
  fileInputs: { file: 'csv' },
  run: (db, p) => importExposures(db, p),
  present: (r) => [
    {
      text: `${r.experiment}: ${r.rows} rows, ${r.added} new exposures, ${r.alreadyExposed} already exposed; ${Object.entries(
        r.byArm,
      )
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}`,
    },
  ],
});

function presentResults(r: ExperimentResults): readonly Section[] {
  const e = r.experiment;
  const out: Section[] = [
    {
      text:
        `${e.id}: ${e.name} — ${r.state}; ${r.exposures.toLocaleString('en-US')} exposed; SRM χ² p = ${pv(r.srm.p)}` +
        `${r.srm.mismatch ? ' — SAMPLE RATIO MISMATCH' : ''}; decisions on the ${r.pBasis} p at α = ${e.criteria.alpha}`,
    },
  ];
  for (const m of r.metrics)
    out.push({
      title: `${m.role === 'primary' ? 'Primary' : 'Guardrail'}: ${m.name} (${m.metric} v${m.version}, ${m.higherIsBetter ? 'higher' : 'lower'} is better)`,
      rows: m.arms.map((a, i) => {
        const l = m.lifts.find((x) => x.arm === a.arm);
        return {
          arm: i === 0 ? `${a.arm} (control)` : a.arm,
          customers: a.units,
          n: a.n,
          value: formatMetric(m.format, a.value),
          '95% interval': `${formatMetric(m.format, a.lo)} … ${formatMetric(m.format, a.hi)}`,
          'lift (abs)': l
            ? `${formatMetric(m.format === 'proportion' ? 'proportion' : 'number', l.absolute.value)} [${formatMetric(m.format === 'proportion' ? 'proportion' : 'number', l.absolute.low)} … ${formatMetric(m.format === 'proportion' ? 'proportion' : 'number', l.absolute.high)}]`
            : '',
          'lift (rel)': l
            ? `${pct(l.relative.value)} [${pct(l.relative.low)} … ${pct(l.relative.high)}]`
            : '',
          p: l ? pv(l.pAdjusted) : '',
          'always-valid p': l ? pv(l.sequential.p) : '',
          'P(beat control)':
            l && Number.isFinite(l.chanceToWin) ? `${(100 * l.chanceToWin).toFixed(1)} %` : '',
        };
      }),
    });
  out.push({ title: 'Recommendation (declared criteria)', rows: r.recommendations.map((x) => ({ ...x })) });
  if (r.warnings.length) out.push({ title: 'WARNINGS', text: r.warnings.map((w) => `! ${w}`).join('\n') });
  return out;
}

export const resultsOperation = defineOperation({
  area: 'experiments',
  verb: 'results',
  summary:
    'Results of a stored experiment: every declared metric per arm with lift and interval, SRM, recommendation',
  params: ResultsParams,
  mode: 'read',
  positional: ['id'],
  run: (db, p, ctx) => experimentResults(db, p, ctx.now ? { now: ctx.now() } : {}),
  present: presentResults,
});

export const decideOperation = defineOperation({
  area: 'experiments',
  verb: 'decide',
  summary: 'Record the decision (ship, stop, iterate) and the measured effect in the learning log',
  params: DecideParams,
  mode: 'write',
  positional: ['id'],
  run: (db, p, ctx) =>
    decideExperiment(db, p, {
      ...(ctx.now ? { now: ctx.now() } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    }),
  present: (e) => [{ text: `${e.id}: ${e.decision} (${e.decisionNote ?? 'no note'})` }],
});

export const listOperation = defineOperation({
  area: 'experiments',
  verb: 'list',
  summary: 'Stored experiments with their state, primary metric, linked finding and decision',
  params: z.object({}),
  mode: 'read',
  run: async (db, _p, ctx) => {
    const now = ctx.now?.() ?? new Date();
    return {
      experiments: (await listExperiments(db)).map((e) => ({ ...e, state: experimentState(e, now) })),
    };
  },
  present: (r) => [
    {
      rows: r.experiments.map((e) => ({
        id: e.id,
        name: e.name,
        state: e.state,
        arms: e.variants.map((v) => v.name).join(' / '),
        primary: e.primary.id,
        finding: e.finding ?? e.theme ?? '',
        start: day(e.start),
        end: day(e.end),
        decision: e.decision ?? '',
        owner: e.owner,
      })),
    },
  ],
});

export const learningLogOperation = defineOperation({
  area: 'experiments',
  verb: 'learning-log',
  summary:
    'The learning log: decided experiments, their decision and measured effect on the finding they addressed',
  params: LearningLogParams,
  mode: 'read',
  run: (db, p) => learningLog(db, p),
  present: (r) => [
    {
      rows: r.entries.map((e) => {
        const m = e.measured as {
          metric: string;
          lifts: { arm: string; relative: { value: number; low: number; high: number }; p: number }[];
        } | null;
        return {
          experiment: e.id,
          finding: e.finding ?? e.theme ?? '',
          decision: e.decision,
          decided: day(e.decidedAt),
          effect: m
            ? m.lifts
                .map(
                  (l) =>
                    `${l.arm}: ${m.metric} ${pct(l.relative.value)} [${pct(l.relative.low)} … ${pct(l.relative.high)}], p ${pv(l.p)}`,
                )
                .join('; ')
            : '',
          'after the rollout': e.remeasure
            ? `${e.remeasure.verdict} (${pct(e.remeasure.relative.value)}, p ${pv(e.remeasure.p)})`
            : e.remeasureDue
              ? `re-measure due ${day(e.remeasureDue)}`
              : '',
          note: e.note ?? '',
        };
      }),
    },
  ],
});

export const programOperation = defineOperation({
  area: 'experiments',
  verb: 'program',
  summary:
    "The program: win rate, the distribution of effects shrunk for the winner's curse (empirical Bayes), cumulative impact per KPI",
  params: ProgramParams,
  mode: 'read',
  run: (db, _p, ctx) => programView(db, ctx.now ? { now: ctx.now() } : {}),
  present: (r) => [
    {
      text:
        `${r.experiments} experiment(s), ${r.decided} decided, ${r.shipped} shipped; win rate ${r.winRate ? `${(100 * r.winRate.value).toFixed(0)} % [${(100 * r.winRate.low).toFixed(0)} … ${(100 * r.winRate.high).toFixed(0)} %] of ${r.winRate.n}` : '— (no decision yet)'}\n` +
        `shrinkage: ${r.shrinkage.reference}${r.shrinkage.method === 'empirical-bayes' ? `; program mean ${pct(r.shrinkage.mean)}, between-experiment sd ${(100 * r.shrinkage.tau).toFixed(1)} %` : ''}`,
    },
    {
      title: 'Effects on the primary metric (relative lift, positive = better)',
      rows: r.effects.map((e) => ({
        experiment: e.experiment,
        arm: e.arm,
        metric: e.metric,
        state: e.state,
        decision: e.decision ?? '',
        measured: `${pct(e.raw.value)} [${pct(e.raw.low)} … ${pct(e.raw.high)}]`,
        shrunk: `${pct(e.shrunk.value)} [${pct(e.shrunk.low)} … ${pct(e.shrunk.high)}]`,
        shrinkage: `${(100 * e.shrinkage).toFixed(0)} %`,
      })),
    },
    {
      title: "Cumulative shipped impact per KPI (shrunk, in the KPI's unit, better positive)",
      rows: r.impact.flatMap((k) =>
        k.steps.map((s) => ({
          kpi: k.metric,
          experiment: s.experiment,
          decided: day(s.decidedAt),
          impact: `${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.impact)} [${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.low)} … ${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.high)}]`,
          cumulative: `${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.cumulative)} [${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.cumulativeLow)} … ${formatMetric(k.format === 'proportion' ? 'proportion' : 'number', s.cumulativeHigh)}]`,
        })),
      ),
    },
    ...(r.skipped.length
      ? [{ title: 'Left out', rows: r.skipped.map((x) => ({ experiment: x.experiment, reason: x.reason })) }]
      : []),
  ],
});

export const boundaryOperation = defineOperation({
  area: 'experiments',
  verb: 'boundary',
  summary:
    "The sequential boundary over time: the primary metric's z at each daily look against the always-valid boundary",
  params: LooksParams,
  mode: 'read',
  positional: ['id'],
  run: (db, p, ctx) => sequentialLooks(db, p, ctx.now ? { now: ctx.now() } : {}),
  present: (r) => [
    {
      text: `${r.experiment}: ${r.metricName}, ${r.arm} vs control; boundary tuned for ${r.tuning.toLocaleString('en-US')} units (α = ${r.alpha}); first crossing ${r.firstCrossing ?? 'none'}; the fixed-horizon line (|z| = 1.96) was first crossed ${r.firstFixedCrossing ?? 'never'}`,
    },
    {
      rows: r.looks.map((l) => ({
        day: l.day,
        units: l.units,
        estimate: Number(l.estimate.toPrecision(4)),
        z: l.z.toFixed(2),
        boundary: `±${l.boundary.toFixed(2)}`,
        'always-valid p': pv(l.p),
        crossed: l.crossed ? 'yes' : l.smallSample ? 'small sample' : '',
      })),
    },
  ],
});

export const remeasureOperation = defineOperation({
  area: 'experiments',
  verb: 'remeasure',
  summary:
    'Re-measure a shipped fix: its primary metric before the experiment vs after the rollout, kept in the learning log',
  params: RemeasureParams,
  mode: 'write',
  positional: ['id'],
  run: (db, p, ctx) =>
    remeasureExperiment(db, p, {
      ...(ctx.now ? { now: ctx.now() } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    }),
  present: (r) => {
    const f = (v: number | null) => formatMetric(r.format, v);
    const d = (v: number) => formatMetric(r.format === 'proportion' ? 'proportion' : 'number', v);
    return [
      {
        rows: [
          {
            window: `before ${day(r.before.from)} → ${day(r.before.to)}`,
            value: f(r.before.value),
            '95% interval': `${f(r.before.lo)} … ${f(r.before.hi)}`,
            n: r.before.n,
            customers: r.before.units,
          },
          {
            window: `after ${day(r.after.from)} → ${day(r.after.to)}`,
            value: f(r.after.value),
            '95% interval': `${f(r.after.lo)} … ${f(r.after.hi)}`,
            n: r.after.n,
            customers: r.after.units,
          },
        ],
      },
      {
        text: `${r.metricName}: ${r.verdict} — change ${d(r.change.value)} [${d(r.change.low)} … ${d(r.change.high)}] (${pct(r.relative.value)}), p = ${pv(r.p)}${r.experimentLift ? `; the experiment measured ${pct(r.experimentLift.value)} [${pct(r.experimentLift.low)} … ${pct(r.experimentLift.high)}]` : ''}\n${r.caveat}`,
      },
    ];
  },
});

export const experimentOperations = [
  createOperation,
  assignOperation,
  importExposuresOperation,
  resultsOperation,
  decideOperation,
  listOperation,
  learningLogOperation,
  programOperation,
  boundaryOperation,
  remeasureOperation,
] as const;
