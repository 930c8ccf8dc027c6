import { type AnyOperation, defineOperation, type Section } from '../core/operation.js';
import { BacktestParams, type BacktestResult, backtestSeries } from './backtest.js';

const day = (iso: string) => iso.replace(/T00:00:00\.000Z$/, '').replace(/:00\.000Z$/, 'Z');
const fmt = (v: number | null) =>
  v === null
    ? '–'
    : Number.isInteger(v) || Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 1
        ? v.toFixed(2)
        : v.toPrecision(3);

function present(r: BacktestResult): readonly Section[] {
  const s = r.settings;
  return [
    {
      text:
        `${r.file}: ${r.rows} ${s.cadence} points of a ${r.kind === 'count' ? 'count' : 'mean or rate'} from ${day(r.from)} to ${day(r.to)}; ` +
        `${r.tested} tested (${r.untested.warmingUp} warming up${r.kind === 'mean' ? `, ${r.untested.smallSample} with n < ${s.minN}` : ''}). ` +
        `False-alarm level ${s.alpha} per week; ${r.changes.length} change${r.changes.length === 1 ? '' : 's'} ` +
        `(${r.alarmsPerWeek.toFixed(3)} alarmed points per tested week).`,
    },
    r.changes.length === 0
      ? { text: 'No change would have been raised over this history.' }
      : {
          title: 'Changes it would have raised (one row per episode)',
          rows: r.changes.map((c) => ({
            from: day(c.start),
            to: day(c.end),
            direction: c.direction,
            signals: c.signals.join(', '),
            points: c.points,
            'worst value': fmt(c.peak.value),
            expected: fmt(c.peak.expected),
            z: c.peak.z === null ? '–' : c.peak.z.toFixed(1),
          })),
        },
  ];
}

export const backtestOperation = defineOperation({
  area: 'monitors',
  verb: 'backtest',
  workspace: 'optional',
  summary:
    'Run the monitor detector over a metric series exported from elsewhere (one row per period) and list the changes it would have raised',
  params: BacktestParams,
  mode: 'read',
  positional: ['file'],
  // the CLI reads the file into `series`; over HTTP the caller sends `series` itself
  fileInputs: { file: 'series' },
  run: (db, p) => backtestSeries(db, p),
  present,
});

export const operations: readonly AnyOperation[] = [backtestOperation];
