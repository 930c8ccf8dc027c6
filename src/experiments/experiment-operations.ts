import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { AssignParams, assign, ImportExposuresParams, importExposures } from './assign.js';
import { DecideParams, decideExperiment, LearningLogParams, learningLog } from './decide.js';
import { formatMetric } from './metric-operations.js';
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
          note: e.note ?? '',
        };
      }),
    },
  ],
});

export const experimentOperations = [
  createOperation,
  assignOperation,
  importExposuresOperation,
  resultsOperation,
  decideOperation,
  listOperation,
  learningLogOperation,
] as const;
