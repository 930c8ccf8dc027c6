import { describe, expect, it } from 'vitest';
import { seeded } from '../stats/index.js';
import { ALL, type AnonAnswer, cellKey, nestedDifferences, suppressLattice } from './anonymity.js';

const ans = (respondent: number, team: string, month: string, subgroup = 'x'): AnonAnswer => ({
  respondent,
  team,
  month,
  subgroup,
});

describe('suppressLattice', () => {
  it('suppresses a group under the minimum and the smallest sibling that would give it away', () => {
    // team a: 6 respondents in sub-group x, 2 in y (team total 8) in one month
    const answers = [
      ...[1, 2, 3, 4, 5, 6].map((r) => ans(r, 'a', '2026-01', 'x')),
      ...[7, 8].map((r) => ans(r, 'a', '2026-01', 'y')),
    ];
    const cells = suppressLattice(answers, 5);
    const get = (team: string, subgroup: string) =>
      cells.get(cellKey({ team, level: 'all', period: ALL, subgroup }))!;
    expect(get('a', 'y').suppressed).toBe('primary');
    // team total (8) − x (6) = y (2): x must go
    expect(get('a', 'x').suppressed).toBe('secondary');
    expect(get('a', ALL)).toMatchObject({ suppressed: null, respondents: 8 });
  });

  it('catches consecutive months minus their quarter', () => {
    // Jan 6, Feb 6 (same people), Mar 2 new people: quarter has 8 distinct; quarter − Jan − Feb = Mar
    const answers = [
      ...[1, 2, 3, 4, 5, 6].map((r) => ans(r, 'a', '2026-01')),
      ...[1, 2, 3, 4, 5, 6].map((r) => ans(r, 'a', '2026-02')),
      ...[7, 8].map((r) => ans(r, 'a', '2026-03')),
    ];
    const cells = suppressLattice(answers, 5);
    const month = (m: string) => cells.get(cellKey({ team: 'a', level: 'month', period: m, subgroup: ALL }))!;
    expect(month('2026-03').suppressed).toBe('primary');
    // one of Jan/Feb joins it: the remainder (Mar + one month) has 8 distinct respondents
    expect([month('2026-01').suppressed, month('2026-02').suppressed].filter(Boolean)).toEqual(['secondary']);
  });

  it('catches a chain through a derived cell (all − quarters = Q4, Q4 − months = the small month)', () => {
    const people = (from: number, k: number) => Array.from({ length: k }, (_, i) => from + i);
    const answers = [
      ...people(1, 6).map((r) => ans(r, 'a', '2026-01')),
      ...people(1, 6).map((r) => ans(r, 'a', '2026-04')),
      ...people(1, 6).map((r) => ans(r, 'a', '2026-07')),
      ...people(1, 6).map((r) => ans(r, 'a', '2026-10')),
      ...people(1, 6).map((r) => ans(r, 'a', '2026-11')),
      ...people(20, 2).map((r) => ans(r, 'a', '2026-12')),
    ];
    const cells = suppressLattice(answers, 5);
    const diffs = nestedDifferences(answers, cells);
    for (const d of diffs) expect(d.respondents === 0 || d.respondents >= 5, JSON.stringify(d)).toBe(true);
    expect(
      cells.get(cellKey({ team: 'a', level: 'month', period: '2026-12', subgroup: ALL }))!.suppressed,
    ).toBe('primary');
  });

  it('publishes everything when every group is large enough', () => {
    const answers = [1, 2, 3, 4, 5].map((r) => ans(r, 'a', '2026-01'));
    const cells = suppressLattice(answers, 5);
    expect([...cells.values()].every((c) => c.suppressed === null)).toBe(true);
  });

  it('property: between any two published nesting cells the respondent difference is 0 or ≥ the minimum', () => {
    const rand = seeded(2026);
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
    for (let trial = 0; trial < 60; trial++) {
      const min = 3 + Math.floor(rand() * 5);
      const teams = 1 + Math.floor(rand() * 4);
      const answers: AnonAnswer[] = [];
      let respondent = 0;
      for (let t = 0; t < teams; t++) {
        const size = 1 + Math.floor(rand() * 12);
        for (let e = 0; e < size; e++) {
          respondent++;
          const sub = rand() < 0.3 ? 'new' : rand() < 0.5 ? 'hq' : 'remote';
          for (const m of months) if (rand() < 0.7) answers.push(ans(respondent, `t${t}`, m, sub));
        }
      }
      const cells = suppressLattice(answers, min);
      for (const c of cells.values())
        if (c.suppressed === null) expect(c.respondents).toBeGreaterThanOrEqual(min);
      for (const d of nestedDifferences(answers, cells)) {
        expect(d.respondents === 0 || d.respondents >= min, `trial ${trial}: ${JSON.stringify(d)}`).toBe(
          true,
        );
      }
    }
  });
});
