import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { parseTime, workspaceZone } from '../core/time.js';
import {
  type Cadence,
  type Detection,
  detectChanges,
  type Episode,
  POINTS_PER_WEEK,
  type PointResult,
  type SeriesPoint,
} from '../stats/change-detection.js';
import type { Store } from '../store/index.js';

export const BacktestParams = z.object({
  file: z.string().min(1).describe('CSV with one row per period (header row)'),
  series: z.string().optional().describe('the file’s text (the CLI reads --file into it)'),
  ts: z
    .string()
    .min(1)
    .describe('column with the period start (ISO 8601; a zone-less time is read in the workspace zone)'),
  value: z.string().min(1).describe('column with the figure: a count, or a mean/rate when --count is given'),
  count: z
    .string()
    .optional()
    .describe('column with the sample behind each figure (answers, cases): makes the figure a mean or rate'),
  cadence: z
    .enum(['auto', 'hourly', 'daily', 'weekly'])
    .default('auto')
    .describe('period of the rows (auto: from the median gap)'),
  alpha: z.number().gt(0).lt(0.5).default(0.01).describe('false-alarm level per series per week'),
  minN: z.number().int().min(1).default(30).describe('smallest sample behind a mean or rate that is tested'),
  above: z.number().optional().describe('also alert on any value above this (plain threshold)'),
  below: z.number().optional().describe('also alert on any value below this (plain threshold)'),
  points: z
    .boolean()
    .default(false)
    .describe('return every point with its baseline and band, not only the changes'),
});
export type BacktestParams = z.output<typeof BacktestParams>;

export interface BacktestChange {
  readonly start: string;
  readonly end: string;
  readonly direction: 'up' | 'down';
  readonly signals: readonly string[];
  readonly points: number;
  readonly peak: {
    readonly at: string;
    readonly value: number;
    readonly expected: number | null;
    readonly z: number | null;
  };
}

export interface BacktestResult {
  readonly file: string;
  readonly rows: number;
  readonly from: string;
  readonly to: string;
  readonly kind: 'count' | 'mean';
  readonly settings: Detection['settings'];
  readonly tested: number;
  readonly untested: { readonly warmingUp: number; readonly smallSample: number };
  readonly changes: readonly BacktestChange[];
  /** Alarms per tested week: what the setting would have cost over this history. */
  readonly alarmsPerWeek: number;
  readonly series?: readonly {
    readonly at: string;
    readonly value: number;
    readonly n: number | null;
    readonly expected: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly p: number | null;
    readonly signals: readonly string[];
  }[];
}

const HOUR = 3_600_000;

/** The cadence of a series from the median gap between consecutive rows. */
export function inferCadence(times: readonly number[]): Cadence {
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i]!)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  const gap = gaps[gaps.length >> 1] ?? 24 * HOUR;
  if (gap <= 2 * HOUR) return 'hourly';
  if (gap <= 3 * 24 * HOUR) return 'daily';
  return 'weekly';
}

function refuse(file: string, message: string, line?: number, field?: string): never {
  const where = line === undefined ? file : `${file}:${line}`;
  throw new TouchpointError('invalid_input', `${where}: ${field ? `${field}: ` : ''}${message}`, {
    details: [{ file, ...(line === undefined ? {} : { line }), ...(field ? { field } : {}), message }],
  });
}

/** Reads the series from CSV text: one row per period, named columns, refused line by line. */
export function readSeries(p: BacktestParams, zone: string): SeriesPoint[] {
  if (p.series === undefined)
    refuse(p.file, 'no file content (the CLI reads --file; over HTTP send `series`)');
  let records: Record<string, string>[];
  try {
    records = parse(p.series, { columns: true, skip_empty_lines: true, bom: true, trim: true });
  } catch (e) {
    refuse(p.file, `not a readable CSV (${(e as Error).message.split('\n')[0]})`);
  }
  if (records.length === 0) refuse(p.file, 'no rows after the header');
  const header = Object.keys(records[0]!);
  for (const [flag, col] of [
    ['--ts', p.ts],
    ['--value', p.value],
    ['--count', p.count],
  ] as const) {
    if (col !== undefined && !header.includes(col))
      refuse(p.file, `${flag} ${col}: no such column (columns: ${header.join(', ')})`, 1);
  }
  const seen = new Map<number, number>();
  return records.map((r, i) => {
    const line = i + 2;
    const t = parseTime(r[p.ts] ?? '', zone);
    if (!t.ok) refuse(p.file, t.message, line, p.ts);
    if (seen.has(t.ms))
      refuse(p.file, `period also on line ${seen.get(t.ms)} (one row per period)`, line, p.ts);
    seen.set(t.ms, line);
    const num = (col: string) => {
      const text = r[col] ?? '';
      const v = Number(text);
      if (text === '' || !Number.isFinite(v))
        refuse(p.file, `${JSON.stringify(text)} is not a number`, line, col);
      return v;
    };
    const value = num(p.value);
    if (p.count === undefined) {
      if (value < 0)
        refuse(
          p.file,
          `a count cannot be negative (${value}); give --count for a mean or rate`,
          line,
          p.value,
        );
      return { t: t.ms, value };
    }
    const n = num(p.count);
    if (n < 0 || !Number.isInteger(n))
      refuse(p.file, `${n} is not a sample size (a whole number ≥ 0)`, line, p.count);
    return { t: t.ms, value, n };
  });
}

const iso = (t: number) => new Date(t).toISOString();

/** One episode of the detector as a backtest (or a monitor's simulate) lists it. */
export function changeOf(e: Episode): BacktestChange {
  return {
    start: iso(e.start),
    end: iso(e.end),
    direction: e.direction,
    signals: e.signals,
    points: e.points,
    peak: { at: iso(e.peak.t), value: e.peak.value, expected: e.peak.expected, z: e.peak.z },
  };
}

/** One judged point as the points view (`--points`, a monitor's simulate) shows it. */
export function seriesPointOf(x: PointResult) {
  return {
    at: iso(x.t),
    value: x.value,
    n: x.n,
    expected: x.expected,
    low: x.low,
    high: x.high,
    p: x.p,
    signals: x.signals,
  };
}

/**
 * Runs the monitor's detector over a metric series exported from elsewhere and lists the changes it
 * would have raised (docs/monitors.md), so a team can tune a monitor on its own history.
 */
export async function backtestSeries(db: Store, p: BacktestParams): Promise<BacktestResult> {
  const points = readSeries(p, await workspaceZone(db)).sort((a, b) => a.t - b.t);
  const cadence = p.cadence === 'auto' ? inferCadence(points.map((x) => x.t)) : p.cadence;
  const d = detectChanges(points, {
    cadence,
    alpha: p.alpha,
    minN: p.minN,
    ...(p.above === undefined ? {} : { above: p.above }),
    ...(p.below === undefined ? {} : { below: p.below }),
  });
  const tested = d.points.filter((x) => x.z !== null).length;
  const alarms = d.points.filter((x) => x.signals.length > 0).length;
  return {
    file: p.file,
    rows: points.length,
    from: iso(points[0]!.t),
    to: iso(points[points.length - 1]!.t),
    kind: p.count === undefined ? 'count' : 'mean',
    settings: d.settings,
    tested,
    untested: {
      warmingUp: d.points.filter((x) => x.untested?.startsWith('warming')).length,
      smallSample: d.points.filter((x) => x.untested?.startsWith('n <')).length,
    },
    changes: d.episodes.map(changeOf),
    alarmsPerWeek: tested === 0 ? 0 : alarms / (tested / POINTS_PER_WEEK[cadence]),
    ...(p.points
      ? {
          series: d.points.map(seriesPointOf),
        }
      : {}),
  };
}
