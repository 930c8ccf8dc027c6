import { describe, expect, it } from 'vitest';
import { effectsText, explainScore } from './explain.js';
import { scoreLexicon } from './lexicon.js';
import { blendedScorer, shippedThreeClass } from './scorer.js';
import { SENTIMENT_REGRESSIONS } from './sentiment-regressions.js';

describe('sentiment regression fixture (obvious errors, polite complaints, sarcasm, statements)', () => {
  const scorer = blendedScorer();
  it.each(SENTIMENT_REGRESSIONS.map((r) => [r.why, r.text, r.label] as const))(
    '%s: %s → %s',
    (_why, text, label) => {
      const s = scorer.score(text);
      expect(s.label).toBe(label);
      // the score's sign agrees with the label
      if (label === 'negative') expect(s.score).toBeLessThan(0);
      if (label === 'positive') expect(s.score).toBeGreaterThan(0);
    },
  );

  it('the three-class model is shipped and gives probabilities that sum to 1', () => {
    expect(shippedThreeClass()).not.toBeNull();
    const p = scorer.score('Return fee is a rip-off').probabilities!;
    expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 3);
  });

  it('sarcasm flips an exclamation of praise only when another clause complains', () => {
    expect(scoreLexicon('Great, another two hours on hold.').compound).toBeLessThan(0);
    expect(scoreLexicon('Great, it arrived on Monday.').compound).toBeGreaterThan(0);
    // praise inside a longer clause is not an exclamation
    expect(scoreLexicon('Great service, but the parcel was late').positive).toBeGreaterThan(0);
  });
});

describe('per-comment explanation', () => {
  it('names the words that drove the score, with their direction (occlusion)', () => {
    const scorer = blendedScorer();
    const e = explainScore(scorer, 'Return fee is a rip-off');
    expect(e[0]!.word).toBe('rip-off');
    expect(e[0]!.effect).toBeLessThan(0);
    // the effect is exactly the score with the word minus the score without it
    const without = scorer.score('Return fee is a  ').score;
    expect(e[0]!.effect).toBeCloseTo(scorer.score('Return fee is a rip-off').score - without, 2);
    const p = explainScore(scorer, 'The agent was really helpful and friendly');
    expect(p.map((x) => x.word)).toContain('helpful');
    expect(p.find((x) => x.word === 'helpful')!.effect).toBeGreaterThan(0);
    expect(effectsText([{ word: 'fee', effect: -0.1 }])).toBe('fee −0.10');
  });
});
