/**
 * Program goals (docs/goals.md): targets over the experiments capability's metric registry, each
 * with owner and due date, tracked against the live figure with trend, forecast and status.
 */
export { DEMO_GOALS, seedDemoGoals } from './demo-goals.js';
export { type Goal, getGoal, listGoals, removeGoal, SetGoalParams, setGoal, WINDOW_DAYS } from './goals.js';
export { operations } from './operations.js';
export {
  type GoalFigure,
  type GoalState,
  type GoalStatus,
  type GoalsStatusResult,
  goalsStatus,
} from './status.js';
