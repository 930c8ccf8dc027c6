import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { type Finding, findingId, listFindings, type StoredFinding, writeFindings } from './index.js';
import { figure, rankAcross } from './list.js';

const base: Omit<Finding, 'slice' | 'score' | 'smallSample'> = {
  kind: 'drop-off',
  p: 'process',
  title: 't',
  metric: 'conversion',
  value: 0.5,
  baseline: 0.6,
  ciLow: 0.45,
  ciHigh: 0.55,
  n: 100,
  customersAffected: 10,
  evidence: { analysis: 'journey.funnel', params: {} },
  ownerTeam: 'web',
};

describe('findings', () => {
  it('ids are stable across key order and differ by slice', () => {
    expect(findingId('drop-off', { stage: 'a', channel: 'web' })).toBe(
      findingId('drop-off', { channel: 'web', stage: 'a' }),
    );
    expect(findingId('drop-off', { stage: 'a' })).not.toBe(findingId('drop-off', { stage: 'b' }));
  });

  it('ranks small samples after well-measured ones and lists the latest run only', async () => {
    await withTestDb(async (db) => {
      await writeFindings(
        db,
        'journey.pain-points',
        {},
        [{ ...base, slice: { stage: 'old' }, score: 9, smallSample: false }],
        new Date('2026-01-01'),
      );
      await writeFindings(
        db,
        'journey.pain-points',
        {},
        [
          { ...base, slice: { stage: 'tiny' }, score: 100, smallSample: true },
          { ...base, slice: { stage: 'big' }, score: 5, smallSample: false },
          { ...base, slice: { stage: 'mid' }, score: 7, smallSample: false },
        ],
        new Date('2026-01-02'),
      );
      const list = await listFindings(db, { limit: 10 });
      expect(list.map((f) => [f.slice.stage, f.rank])).toEqual([
        ['mid', 1],
        ['big', 2],
        ['tiny', 3],
      ]);
      expect(list[0]!.evidence).toEqual({ analysis: 'journey.funnel', params: {} });
      expect(await listFindings(db, { limit: 10, p: 'policy' })).toEqual([]);
    });
  });

  it('re-running an analysis that finds the same adds nothing; a change records a new run (#17.9)', async () => {
    await withTestDb(async (db) => {
      const found = [
        { ...base, slice: { stage: 'a' }, score: 3, smallSample: false },
        { ...base, slice: { stage: 'b' }, score: 2, smallSample: false },
      ];
      const count = async () =>
        (await db.one<{ runs: number; rows: number }>(
          sql`SELECT (SELECT count(*) FROM finding_runs) AS runs, (SELECT count(*) FROM findings) AS rows`,
        ))!;
      const first = await writeFindings(
        db,
        'journey.pain-points',
        { minN: 30 },
        found,
        new Date('2026-01-01'),
      );
      const again = await writeFindings(
        db,
        'journey.pain-points',
        { minN: 30 },
        found,
        new Date('2026-01-02'),
      );
      expect(await count()).toEqual({ runs: 1, rows: 2 });
      // the answer is the stored run, as first written
      expect(again.map((f) => [f.id, f.runId, f.rank])).toEqual(first.map((f) => [f.id, f.runId, f.rank]));
      // other parameters, or other figures, are a new run
      await writeFindings(db, 'journey.pain-points', { minN: 50 }, found, new Date('2026-01-03'));
      expect(await count()).toEqual({ runs: 2, rows: 4 });
      await writeFindings(
        db,
        'journey.pain-points',
        { minN: 50 },
        [{ ...found[0]!, value: 0.51 }, found[1]!],
        new Date('2026-01-04'),
      );
      expect(await count()).toEqual({ runs: 3, rows: 6 });
      expect((await listFindings(db, { limit: 10 }))[0]!.value).toBe(0.51);
    });
  });

  it('lists every analysis in one rank order, each analysis keeping its own order (#17.10)', async () => {
    await withTestDb(async (db) => {
      const at = new Date('2026-01-01');
      const f = (stage: string, score: number, customersAffected: number | null, smallSample = false) => ({
        ...base,
        slice: { stage },
        score,
        customersAffected,
        smallSample,
      });
      await writeFindings(
        db,
        'journey.pain-points',
        {},
        [f('p1', 9, 100), f('p2', 8, 500), f('p3', 1, 20)],
        at,
      );
      await writeFindings(
        db,
        'feedback.themes',
        {},
        [f('t1', 5, 300), f('t2', 4, 10), f('t3', 9, 900, true)],
        at,
      );
      const list = await listFindings(db, { limit: 10 });
      // round 1 (each analysis's first): t1 (300) before p1 (100); round 2: p2 (500) before t2 (10);
      // round 3: p3; the small sample last whatever its reach
      expect(list.map((x) => [x.rank, x.slice.stage, x.analysisRank])).toEqual([
        [1, 't1', 1],
        [2, 'p1', 1],
        [3, 'p2', 2],
        [4, 't2', 2],
        [5, 'p3', 3],
        [6, 't3', 3],
      ]);
      expect(
        (await listFindings(db, { limit: 10, analysis: 'feedback.themes' })).map((x) => x.slice.stage),
      ).toEqual(['t1', 't2', 't3']);
      expect((await listFindings(db, { limit: 2 })).map((x) => x.rank)).toEqual([1, 2]);
    });
  });

  it('rankAcross puts unknown reach after known reach within a round', () => {
    const s = (analysis: string, rank: number, customersAffected: number | null) =>
      ({
        ...base,
        id: `${analysis}${rank}`,
        analysis,
        rank,
        customersAffected,
        smallSample: false,
      }) as unknown as StoredFinding;
    expect(rankAcross([s('a', 1, null), s('b', 1, 0)]).map((x) => x.analysis)).toEqual(['b', 'a']);
  });

  it.each([
    // a title in percentages: shares as percentages (55.05 rounds as the title rounds it)
    [
      '55.1% of “order status” contacts follow delivery tracking',
      'preceded_share',
      0.5505,
      0.0411,
      '55.1%',
      '4.1%',
    ],
    // a difference of shares: points
    [
      'after a bad outcome 29.9% come back, vs 38.8%',
      'retention, bad − good outcome',
      -0.0884,
      0,
      '-8.8 pts',
      '0.0 pts',
    ],
    // a title without percentages, or figures that are not shares: numbers as they are
    ['Rude staff: -15 NPS points when raised', 'NPS points', -15.2, 0, -15.2, 0],
    ['Train for “billing”: 9 cases bounced', 'bounce_or_reopen_rate', 0.127, 0.076, 0.127, 0.076],
  ])('figure(%j): value and baseline as the title speaks', (title, metric, value, baseline, v, b) => {
    const f = { title, metric, value, baseline };
    expect([figure(f, value), figure(f, baseline)]).toEqual([v, b]);
  });
});
