import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { type Finding, findingId, listFindings, writeFindings } from './index.js';

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
});
