import type { Store } from '../store/index.js';
import { type Goal, type SetGoalParams, setGoal } from './goals.js';

/**
 * The demo company's program goals (docs/goals.md, "The demo"): the three targets of the issue's
 * example, on metrics the demo measures — CSAT at the delivery touchpoint (where the demo plants its
 * delivery problem), team handoffs per case and NPS. No random draws: fixed targets and dates, the
 * baselines computed from the generated data.
 */
export const DEMO_GOALS: readonly SetGoalParams[] = [
  {
    id: 'delivery-csat',
    name: 'CSAT at delivery to 80 %',
    metric: 'csat',
    touchpoint: 'delivery',
    target: 0.8,
    due: '2027-06-30',
    owner: 'Delivery operations',
    note: 'the late-delivery pain point: fix the carrier hand-over and the tracking messages',
  },
  {
    id: 'handoffs-per-case',
    name: 'Handoffs per case below 0.5',
    metric: 'handoffs_per_case',
    target: 0.5,
    due: '2027-03-31',
    owner: 'Customer service',
  },
  {
    id: 'nps',
    name: 'NPS to +10',
    metric: 'nps',
    target: 10,
    due: '2027-06-30',
    owner: 'Head of CX',
  },
];

export async function seedDemoGoals(db: Store, now: Date): Promise<readonly Goal[]> {
  const out: Goal[] = [];
  for (const g of DEMO_GOALS) out.push(await setGoal(db, g, { now }));
  return out;
}
