import { describe, expect, it } from 'vitest';
import { exportName, toCsv } from './csv.js';
import {
  fmtCell,
  fmtCount,
  fmtDuration,
  fmtInterval,
  fmtMetric,
  fmtNumber,
  fmtPercent,
  humanize,
} from './format.js';

describe('numbers for people', () => {
  it.each([
    [1234567, '1,234,567'],
    [12.345, '12.3'],
    [-3.25, '-3.3'],
    [0, '0'],
    [null, '–'],
    [Number.NaN, '–'],
  ])('fmtNumber(%s) = %s', (v, want) => {
    expect(fmtNumber(v)).toBe(want);
  });

  it('counts are whole with separators', () => {
    expect(fmtCount(9999.6)).toBe('10,000');
  });

  it('proportions become percent with the unit once in a range', () => {
    expect(fmtPercent(0.4213)).toBe('42.1 %');
    expect(fmtInterval(0.382, 0.459, (v) => fmtPercent(v))).toBe('38.2 – 45.9 %');
    expect(fmtInterval(-12.5, 4, (v) => fmtNumber(v))).toBe('-12.5 – 4');
    expect(fmtInterval(null, 4)).toBe('–');
  });

  it.each([
    [45, '45 s'],
    [600, '10 min'],
    [3 * 3600, '3 h'],
    [2.5 * 86400, '2.5 days'],
  ])('fmtDuration(%s) = %s', (s, want) => {
    expect(fmtDuration(s)).toBe(want);
  });

  it('formats metrics by what their name says', () => {
    expect(fmtMetric('drop_off_rate', 0.125)).toBe('12.5 %');
    expect(fmtMetric('nps', -12.34)).toBe('-12.3 pts');
    expect(fmtMetric('median_wait_seconds', 7200)).toBe('2 h');
    expect(fmtCell('customersAffected', 12000)).toBe('12,000');
    expect(fmtCell('slice', { touchpoint: 'delivery' })).toBe('touchpoint: delivery');
    expect(fmtCell('at', '2026-10-31T00:00:00.000Z')).toBe('31 Oct 2026');
  });

  it('humanizes keys', () => {
    expect(humanize('customersAffected')).toBe('Customers affected');
    expect(humanize('owner_team')).toBe('Owner team');
  });
});

describe('csv export', () => {
  it('quotes what needs quoting and keeps column order', () => {
    const csv = toCsv(
      [
        { a: 'plain', b: 'with, comma', c: 'say "hi"' },
        { a: 'line\nbreak', b: null, c: { x: 1 } },
      ],
      ['a', 'b', 'c'],
    );
    expect(csv).toBe('a,b,c\r\nplain,"with, comma","say ""hi"""\r\n"line\nbreak",,"{""x"":1}"\r\n');
  });

  it('takes every key seen when no columns are given', () => {
    expect(toCsv([{ a: 1 }, { b: 2 }])).toBe('a,b\r\n1,\r\n,2\r\n');
  });

  it('names files by title and date', () => {
    expect(exportName('Journey map: stages', 'png', new Date('2026-10-31T12:00:00Z'))).toBe(
      'touchpoint-journey-map-stages-2026-10-31.png',
    );
  });
});
