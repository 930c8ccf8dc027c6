import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { sql, withTestDb } from '../store/index.js';
import { BacktestParams, backtestSeries, inferCadence } from './backtest.js';

const params = (input: Record<string, unknown>) =>
  validate(BacktestParams, { file: 'series.csv', ts: 'day', value: 'n', ...input });

async function refusal(input: Record<string, unknown>): Promise<string> {
  try {
    await withTestDb((db) => backtestSeries(db, params(input)));
  } catch (e) {
    if (isTouchpointError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('monitors backtest: reading the series', () => {
  it('refuses a bad file with one line naming the line and the column', async () => {
    expect(await refusal({ series: 'day,count\n2026-01-01,3\n' })).toBe(
      'series.csv:1: --value n: no such column (columns: day, count)',
    );
    expect(await refusal({ series: 'day,n\n2026-01-01,3\n2026-01-02,three\n' })).toBe(
      'series.csv:3: n: "three" is not a number',
    );
    expect(await refusal({ series: 'day,n\n2026-01-01,3\n2026-01-01,4\n' })).toBe(
      'series.csv:3: day: period also on line 2 (one row per period)',
    );
    expect(await refusal({ series: 'day,n\n2026-02-30,3\n' })).toMatch(
      /^series\.csv:2: day: .*has no day 30/,
    );
    expect(await refusal({ series: 'day,n\n2026-01-01,-3\n' })).toMatch(/a count cannot be negative/);
    expect(await refusal({ series: 'day,n\n' })).toBe('series.csv: no rows after the header');
  });

  it('infers the cadence from the median gap', () => {
    const h = 3_600_000;
    expect(inferCadence([0, h, 2 * h, 3 * h])).toBe('hourly');
    expect(inferCadence([0, 24 * h, 72 * h, 96 * h])).toBe('daily');
    expect(inferCadence([0, 168 * h, 336 * h])).toBe('weekly');
  });

  it('reads a zone-less day in the workspace zone and lists nothing on a flat series', async () => {
    const rows = Array.from({ length: 70 }, (_, i) => {
      const d = new Date(Date.UTC(2026, 0, 5 + i)).toISOString().slice(0, 10);
      return `${d},${100 + ((i * 7) % 11)}`;
    });
    const r = await withTestDb((db) => backtestSeries(db, params({ series: `day,n\n${rows.join('\n')}\n` })));
    expect(r.rows).toBe(70);
    expect(r.settings.cadence).toBe('daily');
    expect(r.from).toBe('2026-01-05T00:00:00.000Z');
    expect(r.changes).toEqual([]);
    // 3 weeks to learn each weekday, then 28 residuals to learn the dispersion
    expect(r.untested.warmingUp).toBe(21 + 28);
  });
});

/** ../shared/data beside the repository (CI clones it there), or TOUCHPOINT_DATA. */
const DATA = process.env.TOUCHPOINT_DATA ?? join(import.meta.dirname, '../../../shared/data');
const SERVICENOW = join(DATA, 'servicenow-incidents/incident_event_log.csv.gz');
const HOLIDAYS = ['2016-04-21', '2016-05-26']; // Tiradentes, Corpus Christi (Brazil)
const BRIDGES = ['2016-04-22', '2016-05-27']; // the Fridays after them

describe.skipIf(!existsSync(SERVICENOW))('monitors backtest on the ServiceNow desk (real data)', () => {
  it('flags both public holidays and no ordinary day; a rolling z-score flags neither holiday', async () => {
    await withTestDb(async (db) => {
      // incidents opened per day, over the log's extraction window (March–May 2016)
      const days = await db.all<{ day: string; n: number }>(sql`
        WITH inc AS (
          SELECT number, min(strptime(opened_at, '%d/%m/%Y %H:%M')) AS t
          FROM read_csv(${SERVICENOW}, all_varchar = true) GROUP BY number)
        SELECT strftime(t, '%Y-%m-%d') AS day, count(*)::INTEGER AS n FROM inc
        WHERE t < TIMESTAMP '2016-06-01' GROUP BY ALL ORDER BY day`);
      expect(days.find((d) => d.day === '2016-04-21')?.n).toBe(43);
      expect(days.find((d) => d.day === '2016-05-26')?.n).toBe(73);
      const series = `day,incidents\n${days.map((d) => `${d.day},${d.n}`).join('\n')}\n`;
      const r = await backtestSeries(db, params({ series, value: 'incidents', points: true }));
      const flagged = (r.series ?? []).filter((p) => p.signals.length > 0).map((p) => p.at.slice(0, 10));
      console.log(`ServiceNow daily incidents: flagged ${flagged.join(', ')}`);
      for (const h of HOLIDAYS) expect(flagged).toContain(h);
      const ordinary = flagged.filter((d) => !HOLIDAYS.includes(d) && !BRIDGES.includes(d));
      expect(ordinary.length).toBeLessThanOrEqual(2);

      // the naive method: z against the mean and sd of the previous 28 days, |z| > 3
      const naive = days
        .map((d, i) => {
          if (i < 28) return null;
          const w = days.slice(i - 28, i).map((x) => x.n);
          const m = w.reduce((a, b) => a + b, 0) / w.length;
          const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / (w.length - 1));
          return Math.abs(d.n - m) / sd > 3 ? d.day : null;
        })
        .filter((d) => d !== null);
      for (const h of HOLIDAYS) expect(naive).not.toContain(h);
    });
  });
});
