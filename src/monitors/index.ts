/**
 * Monitors (docs/monitors.md): know within hours that an experience broke. Today: the detector
 * (src/stats/change-detection.ts) and `monitors backtest` over a series exported from elsewhere.
 */
export { type BacktestParams, type BacktestResult, backtestSeries, inferCadence } from './backtest.js';
export { operations } from './operations.js';
