import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import type { MetricFormat } from '../experiments/index.js';
import { type Goal, getGoal, listGoals, removeGoal, SetGoalParams, setGoal } from './goals.js';
import { goalsStatus } from './status.js';

const show = (f: MetricFormat, v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : f === 'proportion'
      ? `${(100 * v).toFixed(1)} %`
      : f === 'points'
        ? v.toFixed(1)
        : v.toFixed(2);
const day = (s: string) => s.slice(0, 10);
const sliceText = (g: Pick<Goal, 'slice'>) =>
  Object.entries(g.slice)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'all';

export const listGoalsOperation = defineOperation({
  area: 'goals',
  verb: 'list',
  summary: 'Program goals: targets over registry metrics with owner and due date',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({ goals: await listGoals(db) }),
  present: (r) => [
    {
      rows: r.goals.map((g) => ({
        id: g.id,
        name: g.name,
        metric: g.metric,
        slice: sliceText(g),
        baseline: g.baseline === null ? '—' : Number(g.baseline.toPrecision(4)),
        target: g.target,
        due: day(g.due),
        owner: g.owner,
      })),
    },
  ],
});

export const setGoalOperation = defineOperation({
  area: 'goals',
  verb: 'set',
  summary: 'Create or update a goal: a target over a registry metric, with owner and due date',
  params: SetGoalParams,
  mode: 'write',
  run: (db, p, ctx) => setGoal(db, p, ctx.now ? { now: ctx.now() } : {}),
  present: (g) => [
    {
      text: `goal ${g.id}: ${g.name} — ${g.metric} from ${g.baseline === null ? '—' : g.baseline.toPrecision(4)} to ${g.target} by ${day(g.due)}, owner ${g.owner}`,
    },
  ],
});

export const goalsStatusOperation = defineOperation({
  area: 'goals',
  verb: 'status',
  summary:
    'Each goal against its live figure: trend, forecast to the due date with an interval, on track / at risk / off track',
  params: z.object({ id: z.string().optional().describe('one goal (default all)') }),
  mode: 'read',
  cache: { maxAgeSeconds: 300 },
  positional: ['id'],
  run: (db, p, ctx) =>
    goalsStatus(db, { ...(ctx.now ? { now: ctx.now() } : {}), ...(p.id ? { id: p.id } : {}) }),
  present: (r) => [
    {
      title: `Goals as of ${r.asOf.slice(0, 16).replace('T', ' ')} UTC (current = last 90 days)`,
      rows: r.goals.map((g) => ({
        goal: g.name,
        status: g.status,
        current: g.current
          ? `${show(g.format, g.current.value)} [${show(g.format, g.current.lo)} … ${show(g.format, g.current.hi)}] n=${g.current.n}`
          : '—',
        baseline: show(g.format, g.baseline),
        target: show(g.format, g.target),
        due: day(g.due),
        forecast: g.forecast
          ? `${show(g.format, g.forecast.value)} [${show(g.format, g.forecast.lo)} … ${show(g.format, g.forecast.hi)}]`
          : '—',
        owner: g.owner,
      })),
    },
    ...r.goals.map((g) => ({ text: `${g.id}: ${g.status} — ${g.reason}` })),
  ],
});

export const removeGoalOperation = defineOperation({
  area: 'goals',
  verb: 'remove',
  summary: 'Remove a goal',
  params: z.object({ id: z.string().min(1).describe('the goal id') }),
  mode: 'write',
  positional: ['id'],
  run: async (db, p) => {
    await getGoal(db, p.id);
    return removeGoal(db, p.id);
  },
  present: (r) => [{ text: `goal ${r.removed} removed` }],
});

export const operations = [
  listGoalsOperation,
  setGoalOperation,
  goalsStatusOperation,
  removeGoalOperation,
] as const;
