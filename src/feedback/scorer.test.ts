import { describe, expect, it } from 'vitest';
import { scoreLexicon } from './lexicon.js';
import { blendedScorer, lexiconScorer } from './scorer.js';
import { cleanText, features, tokenize } from './text.js';

const scorers = [blendedScorer(), lexiconScorer()];

describe('sentiment scorers', () => {
  it.each(scorers.map((s) => [s.name, s] as const))('%s: lukewarm praise is not positive', (_n, s) => {
    expect(s.score("It's okay I guess, nothing special").label).not.toBe('positive');
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['very long', 'the delivery was late and the agent was rude. '.repeat(20_000)],
    ['non-English', 'Der Kundendienst war sehr langsam und niemand hat zurückgerufen'],
    ['Chinese', '服务很好，但是送货太慢了'],
    ['emoji only', '😡😡😡'],
    ['symbols', '$$$ ### @@@ ;-)'],
    ['html entities', 'Fast &amp; friendly &#128512; &lt;3'],
  ])('never fails on %s input', (_n, text) => {
    for (const s of scorers) {
      const r = s.score(text);
      expect(['negative', 'neutral', 'positive']).toContain(r.label);
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it.each([
    ['The agent was really helpful and friendly', 'positive'],
    ['Not helpful at all, I waited two hours on hold', 'negative'],
    ['Not bad, delivery was quick', 'positive'],
    ['Never again. Waste of money.', 'negative'],
    ['😍😍 love it', 'positive'],
    ['😡', 'negative'],
    ['', 'neutral'],
    ['I ordered a blue one', 'neutral'],
  ])('blended: %s → %s', (text, label) => {
    expect(blendedScorer().score(text).label).toBe(label);
  });

  it('mixed praise and complaint is never positive', () => {
    expect(blendedScorer().score('Great product but the return fee is outrageous').label).not.toBe(
      'positive',
    );
  });
});

describe('lexicon rules', () => {
  it('negation flips praise and softens complaints', () => {
    expect(scoreLexicon('good').sum).toBeGreaterThan(0);
    expect(scoreLexicon('not good').sum).toBeLessThan(0);
    expect(scoreLexicon('not bad').sum).toBeGreaterThan(0);
  });
  it('intensifiers, capitals and exclamations raise intensity; dampeners lower it', () => {
    const base = scoreLexicon('the staff was helpful').sum;
    expect(scoreLexicon('the staff was very helpful').sum).toBeGreaterThan(base);
    expect(scoreLexicon('the staff was HELPFUL').sum).toBeGreaterThan(base);
    expect(scoreLexicon('the staff was helpful!!').sum).toBeGreaterThan(base);
    expect(scoreLexicon('the staff was somewhat helpful').sum).toBeLessThan(base);
  });
  it('weighs the clause after "but" more', () => {
    expect(scoreLexicon('the food was great but the service was terrible').sum).toBeLessThan(0);
    expect(scoreLexicon('the service was terrible but the food was great').sum).toBeGreaterThan(0);
  });
});

describe('text', () => {
  it('decodes entities and escapes', () => {
    expect(cleanText('Fish &amp; chips &#39;ok&#x27; \\u2019 &nbsp;x')).toBe("Fish & chips 'ok' ' x");
  });
  it('marks negation scope in features until punctuation', () => {
    expect(features(tokenize("Don't like it. Good")).filter((f) => !f.includes(' '))).toEqual([
      "don't",
      'neg_like',
      'neg_it',
      '.',
      'good',
    ]);
  });
});
