import { describe, expect, it } from 'vitest';
import { companyScorer, MIN_LABELLED, selfLabel } from './company-model.js';

/** Answers whose words carry no general sentiment but do carry this company's: locker vs van. */
function answers(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const promoter = i % 2 === 0;
    const variant = i % 7;
    return {
      id: `a${i}`,
      kind: 'nps',
      score: promoter ? 9 + (i % 2) : i % 6,
      comment: promoter
        ? `picked it up from the parcel locker ${['on monday', 'near work', 'after lunch', 'at the station', 'downtown', 'at night', 'early'][variant]}`
        : `the van driver brought it ${['on monday', 'near work', 'after lunch', 'at the station', 'downtown', 'at night', 'early'][variant]}`,
    };
  });
}

describe('company model', () => {
  it.each([
    ['nps', 10, 1],
    ['nps', 9, 1],
    ['nps', 8, undefined],
    ['nps', 6, 0],
    ['csat', 5, 1],
    ['csat', 4, undefined],
    ['csat', 2, 0],
    ['ces', 7, undefined],
  ])('self-labels a %s %d as %s', (kind, score, label) => {
    expect(selfLabel({ id: 'x', kind, score, comment: 'x' })).toBe(label);
  });

  it('is not used with fewer labelled comments than the minimum', () => {
    expect(companyScorer(answers(MIN_LABELLED - 2)).used).toBe(false);
  });

  it('is used when cross-validation shows it beats the shipped scorer on the company’s answers', () => {
    const r = companyScorer(answers(400));
    expect(r.report!.trainedOn).toBe(400);
    expect(r.report!.cvAccuracy).toBeGreaterThan(r.report!.baselineAccuracy);
    expect(r.report!.cvAccuracy).toBeGreaterThan(0.9);
    expect(r.used).toBe(true);
    expect(r.scorer.score('picked it up from the parcel locker').score).toBeGreaterThan(
      r.scorer.score('the van driver brought it').score,
    );
    for (const text of ['', '😡', 'x'.repeat(100_000)]) expect(() => r.scorer.score(text)).not.toThrow();
  });
});
