import { describe, expect, it } from 'vitest';
import type { MapCell, MapResult } from '../journeys/map.js';
import { queryString } from './api.js';
import { defaultDrawing, scoreBand, variantSankey } from './pages/journey.js';
import { lastCompleteWeek, lastCompleteWeekOf } from './pages/overview.js';
import { comparisonSpans, isCompletePeriod, periodSpan } from './periods.js';
import { buildHash, filterQuery, parseHash } from './route.js';
import { filterParams, unappliedFilters } from './state.js';

describe('routes keep the filters in the URL', () => {
  it.each([
    ['', { page: 'overview', query: {} }],
    ['#/journey', { page: 'journey', query: {} }],
    ['#/cases?by=team&segment=smb', { page: 'cases', query: { by: 'team', segment: 'smb' } }],
    ['#/voice?q=late%20delivery', { page: 'voice', query: { q: 'late delivery' } }],
  ])('parseHash(%j)', (hash, want) => {
    expect(parseHash(hash)).toEqual(want);
  });

  it('builds a hash without empty values and reads back the same', () => {
    const h = buildHash('journey', { segment: 'smb', persona: undefined, period: '90d' });
    expect(h).toBe('#/journey?segment=smb&period=90d');
    expect(parseHash(h).query).toEqual({ segment: 'smb', period: '90d' });
  });

  it('only the shared filters travel between pages', () => {
    expect(filterQuery({ segment: 'smb', by: 'team', channel: 'web', touchpoint: 'delivery' })).toEqual({
      segment: 'smb',
      channel: 'web',
    });
  });

  it('query strings skip empty values and repeat arrays', () => {
    expect(queryString({ a: 'x', b: '', c: undefined, d: ['1', '2'], e: 3 })).toBe('?a=x&d=1&d=2&e=3');
    expect(queryString({})).toBe('');
  });
});

describe('each call gets only the filters it accepts', () => {
  const op = (fields: string[]) => ({ area: 'a', verb: 'v', method: 'get' as const, summary: '', fields });
  it('drops filters an operation does not take', () => {
    expect(filterParams(op(['channel']), { channel: 'web', segment: 'smb' })).toEqual({ channel: 'web' });
  });
  it.each([
    [['days'], { days: 90 }],
    [['period'], { period: '90d' }],
    [['periodDays'], { periodDays: 90 }],
    [['other'], {}],
  ])('a 90-day period becomes %j', (fields, want) => {
    expect(filterParams(op(fields), { period: '90d' })).toEqual(want);
  });
  it('a period in months becomes a `from` date 30 days per month back', () => {
    const p = filterParams(op(['from']), { period: '12m' });
    const days = (Date.now() - Date.parse(`${p.from as string}T00:00:00Z`)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(359);
    expect(days).toBeLessThan(361);
  });
});

describe('relative periods (issue 18.3)', () => {
  const op = (fields: string[]) => ({ area: 'a', verb: 'v', method: 'get' as const, summary: '', fields });
  it('count back from the workspace’s latest data, not from today', () => {
    // the demo's data ends 2026-10-30: the 90 days up to and including that day start on 2026-08-02
    // (Aug 2 → Oct 31 = 29 + 30 + 31 days)
    expect(filterParams(op(['from']), { period: '90d' }, '2026-10-30T23:54:00.000Z')).toEqual({
      from: '2026-08-02',
    });
    expect(filterParams(op(['from', 'to']), { period: '90d' }, '2026-10-30T23:54:00.000Z')).toEqual({
      from: '2026-08-02',
      to: '2026-10-31',
    });
    // 12 months = 360 days up to 2025-12-31: 2026-01-01 − 360 days = 2025-01-06
    expect(filterParams(op(['from']), { period: '12m' }, '2025-12-31T00:00:00.000Z')).toEqual({
      from: '2025-01-06',
    });
  });
});

describe('what changed since last week (issue 18.4)', () => {
  const weeks = ['2026-10-12', '2026-10-19', '2026-10-26'];
  it.each([
    // data ends Friday 2026-10-30: the week of 10-26 is partial, so 10-19 against 10-12
    ['2026-10-30T23:54:00.000Z', '2026-10-19'],
    // data reaches Monday 2026-11-02 00:00: the week of 10-26 is complete
    ['2026-11-02T00:00:00.000Z', '2026-10-26'],
    ['2026-10-25T10:00:00.000Z', '2026-10-12'],
    [null, '2026-10-19'],
  ])('latest data %s → week of %s', (latest, want) => {
    expect(lastCompleteWeek(weeks, latest)).toBe(want);
  });
});

describe('journey map pictures', () => {
  it.each([
    ['csat', 4.2, 's-good'],
    ['csat', 3.8, 's-mid'],
    ['csat', 3.1, 's-bad'],
    ['nps', 9, 's-good'],
    ['nps', 6, 's-bad'],
    // CES 1–7 with 7 = very easy (the demo's question): checkout's 5.56 is a good score (issue 18.1)
    ['ces', 5.56, 's-good'],
    ['ces', 4, 's-mid'],
    ['ces', 2.5, 's-bad'],
    ['csat', null, 's-none'],
  ] as const)('scoreBand(%s, %s) = %s', (kind, mean, want) => {
    expect(scoreBand(kind, mean)).toBe(want);
  });

  it('the Sankey of variants is keyed by step, so repeated touchpoints never make a cycle', () => {
    const s = variantSankey([
      { path: ['a', 'b', 'a'], people: 5, share: 0.5 },
      { path: ['a', 'c'], people: 3, share: 0.3 },
    ]);
    expect(s.nodes.map((n) => n.name).sort()).toEqual(['1. a', '2. b', '2. c', '3. a']);
    expect(s.links).toEqual([
      { source: '1. a', target: '2. b', value: 5 },
      { source: '2. b', target: '3. a', value: 5 },
      { source: '1. a', target: '2. c', value: 3 },
    ]);
  });

  it('the default drawing keeps the touchpoints at least half of a stage uses, in configured order', () => {
    const cell = (stage: string, touchpoint: string, channel: string, shareOfStage: number, customers = 10) =>
      ({ stage, touchpoint, channel, shareOfStage, customers }) as unknown as MapCell;
    const map = {
      journey: 'j',
      stages: ['buy', 'get'],
      cells: [
        cell('buy', 'cart', 'web', 0.4),
        cell('buy', 'cart', 'app', 0.3),
        cell('buy', 'checkout', 'web', 0.6),
        cell('buy', 'wishlist', 'web', 0.1),
        cell('get', 'tracking', 'web', 0.2),
        cell('get', 'delivery', 'web', 0.3),
      ],
    } as unknown as MapResult;
    expect(JSON.parse(defaultDrawing(map))).toEqual({
      journey: 'j',
      stages: [
        { name: 'buy', touchpoints: ['cart', 'checkout'] },
        { name: 'get', touchpoints: ['delivery'] },
      ],
    });
  });
});

describe('periods counted from the data (issue 18.3–18.4)', () => {
  const latest = '2026-10-30T23:57:05.533Z';
  it('a relative period is the n days up to the latest data’s day; all time is unbounded', () => {
    expect(periodSpan('7d', latest)).toEqual({ from: '2026-10-24', to: '2026-10-31' });
    expect(periodSpan(undefined, latest)).toEqual({});
  });
  it('the tiles compare the period with the one before it of the same length', () => {
    expect(comparisonSpans('30d', latest)).toMatchObject({
      current: { from: '2026-10-01', to: '2026-10-31' },
      previous: { from: '2026-09-01', to: '2026-10-01' },
    });
  });
  it('all time compares the latest complete month with the month before', () => {
    // October is not complete (the data ends on the 30th): September against August
    expect(comparisonSpans(undefined, latest)).toMatchObject({
      current: { from: '2026-09-01', to: '2026-10-01' },
      previous: { from: '2026-08-01', to: '2026-09-01' },
    });
    // data reaching 1 November 00:00 completes October
    expect(comparisonSpans(undefined, '2026-11-01T00:00:00.000Z')).toMatchObject({
      current: { from: '2026-10-01', to: '2026-11-01' },
    });
    expect(comparisonSpans(undefined, null)).toBeNull();
  });
  it.each([
    ['2026-10-26', 'week', false], // running week: ends 2026-11-02, after the latest data
    ['2026-10-19', 'week', true],
    ['2025-10-27', 'week', false], // the data starts on 2025-10-31 inside this week
    ['2025-11-03', 'week', true],
    ['2026-10-01', 'month', false],
    ['2026-09-01', 'month', true],
    ['2025-10-01', 'month', false],
  ] as const)('%s (%s) complete: %s', (start, grain, want) => {
    expect(isCompletePeriod(start, grain, '2025-10-31T00:03:05.194Z', latest)).toBe(want);
  });
});

describe('a panel says which filters it leaves alone (issue 18.3)', () => {
  const op = (fields: string[]) => ({ area: 'a', verb: 'v', method: 'get' as const, summary: '', fields });
  it('lists set filters the operation does not take', () => {
    expect(unappliedFilters(op(['limit']), { channel: 'web', period: '30d' })).toEqual(['channel', 'period']);
    expect(unappliedFilters(op(['channel', 'from']), { channel: 'web', period: '30d' })).toEqual([]);
    expect(unappliedFilters(op(['channel']), {})).toEqual([]);
    expect(unappliedFilters(undefined, { segment: 'smb' })).toEqual(['segment']);
  });
});

describe('the latest complete week from the data’s end alone', () => {
  it.each([
    ['2026-10-30T23:57:05.533Z', '2026-10-19'], // Friday: the week of 10-26 is still running
    ['2026-11-02T00:00:00.000Z', '2026-10-26'], // Monday 00:00: the week of 10-26 is complete
    ['2026-11-01T23:59:00.000Z', '2026-10-19'], // Sunday night: not yet
  ])('data up to %s → week of %s', (latest, want) => {
    expect(lastCompleteWeekOf(latest)).toBe(want);
  });
});
