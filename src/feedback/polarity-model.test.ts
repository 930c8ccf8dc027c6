import { describe, expect, it } from 'vitest';
import { type Embeddings, embedComment, embeddingWords, shippedEmbeddings } from './embeddings.js';
import {
  charGrams,
  denseMargin,
  fitMeta,
  type PolarityModel,
  polarityEval,
  polarityFeatures,
  trainBinary,
  trainDense,
} from './polarity-model.js';
import { blendedScorer, shippedModel, shippedNeutral, shippedPolarity, shippedThreeClass } from './scorer.js';
import { tokenize } from './text.js';

describe('polarity model features', () => {
  it('character n-grams of words only, padded with #', () => {
    expect(charGrams(tokenize('Hi :) !'), 3, 4)).toEqual(['c:#hi', 'c:hi#', 'c:#hi#']);
    expect(charGrams(tokenize('ok'), 2, 2)).toEqual(['c:#o', 'c:ok', 'c:k#']);
  });
  it('distinct features: words, negation-marked, bigrams, and char n-grams when asked', () => {
    const f = polarityFeatures(tokenize('not good good'), [4, 4]);
    expect(f).toContain('neg_good');
    expect(f).toContain('not good');
    expect(f.filter((x) => x === 'c:#goo')).toHaveLength(1);
    expect(polarityFeatures(tokenize('good'), null).some((x) => x.startsWith('c:'))).toBe(false);
  });
  it('margin sums the bias and known weights; known counts them', () => {
    const m: PolarityModel = {
      name: 't',
      trainedOn: '',
      chars: null,
      bias: 0.5,
      weights: { great: 2, 'great </s>': -0.25 },
      blend: { intercept: 0, margin: 1, lexicon: 0, three: 0 },
    };
    expect(polarityEval(m, tokenize('great'))).toEqual({ margin: 2.25, known: 2 });
    expect(polarityEval(m, tokenize('😡'))).toEqual({ margin: 0.5, known: 0 });
  });
});

describe('training', () => {
  const pos = ['love it', 'great phone', 'love the screen', 'great value', 'works great'];
  const neg = ['hate it', 'broken phone', 'hate the screen', 'broken again', 'awful value'];
  const xs = [...pos, ...neg].map((t) => polarityFeatures(tokenize(t), null));
  const ys = [...pos.map(() => 1 as const), ...neg.map(() => 0 as const)];
  const vocab = new Set(xs.flat());

  it.each([false, true])('binary LR (nb %s) separates a separable toy set', (nb) => {
    const m = trainBinary(xs, ys, vocab, { epochs: 20, l2: 0.001, rate: 0.5, nb });
    const margin = (t: string) =>
      polarityFeatures(tokenize(t), null).reduce((s, f) => s + (m.weights.get(f) ?? 0), m.bias);
    expect(margin('love it')).toBeGreaterThan(0);
    expect(margin('broken phone')).toBeLessThan(0);
    expect(m.weights.get('love')!).toBeGreaterThan(0);
    expect(m.weights.get('hate')!).toBeLessThan(0);
    // deterministic
    expect(trainBinary(xs, ys, vocab, { epochs: 20, l2: 0.001, rate: 0.5, nb }).bias).toBe(m.bias);
  });

  it('fitMeta recovers the coefficients of a noiseless logistic model', () => {
    // y = 1 exactly when 1 + 2a − b > 0, with many points near the boundary: the fit's sign pattern
    const x: number[][] = [];
    const y: (0 | 1)[] = [];
    let s = 7;
    for (let i = 0; i < 400; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const a = (s % 1000) / 250 - 2;
      s = (s * 1103515245 + 12345) % 2147483648;
      const b = (s % 1000) / 250 - 2;
      const p = 1 / (1 + Math.exp(-(1 + 2 * a - b)));
      x.push([a, b]);
      s = (s * 1103515245 + 12345) % 2147483648;
      y.push((s % 10000) / 10000 < p ? 1 : 0);
    }
    const w = fitMeta(x, y);
    expect(w[1]!).toBeGreaterThan(1);
    expect(w[2]!).toBeLessThan(-0.5);
    expect(w[1]! / -w[2]!).toBeGreaterThan(1.2);
    expect(w[1]! / -w[2]!).toBeLessThan(3.5);
  });

  it('dense LR learns the direction that separates two clusters', () => {
    const xs2 = Array.from({ length: 40 }, (_, i) => Float64Array.from([i % 2 === 0 ? 1 : -1, 0.1]));
    const ys2 = xs2.map((x) => (x[0]! > 0 ? 1 : 0) as 0 | 1);
    const w = trainDense(xs2, ys2, { epochs: 20, l2: 0, rate: 0.5 });
    expect(denseMargin({ bias: w[0]!, weights: w.slice(1) }, Float64Array.from([1, 0.1]))).toBeGreaterThan(0);
    expect(denseMargin({ bias: w[0]!, weights: w.slice(1) }, Float64Array.from([-1, 0.1]))).toBeLessThan(0);
  });
});

describe('embeddings', () => {
  const e: Embeddings = {
    dims: 2,
    index: new Map([
      ['good', 0],
      ['food', 1],
    ]),
    vectors: Int8Array.from([127, 0, 0, -127]),
  };
  it('averages known words, negated clause apart, until punctuation', () => {
    expect([...embedComment(e, tokenize('good food'))]).toEqual([0.5, -0.5, 0, 0]);
    expect([...embedComment(e, tokenize('not good. food'))]).toEqual([0, -1, 1, 0]);
    expect([...embedComment(e, tokenize('😡 xyz'))]).toEqual([0, 0, 0, 0]);
  });
  it('looks contractions up as GloVe split them: stem and "not", clitics as words', () => {
    const idx = new Map(['do', 'not', 'can', 'will', 'it', 'i', 'dont'].map((w, i) => [w, i]));
    expect(embeddingWords("don't", idx)).toEqual(['do', 'not']);
    expect(embeddingWords("can't", idx)).toEqual(['can', 'not']);
    expect(embeddingWords('cant', idx)).toEqual(['can', 'not']);
    expect(embeddingWords("won't", idx)).toEqual(['will', 'not']);
    expect(embeddingWords("it's", idx)).toEqual(['it']);
    expect(embeddingWords("i'll", idx)).toEqual(['i', 'will']);
    expect(embeddingWords('dont', idx)).toEqual(['dont']); // in the vocabulary: its own vector
    expect(embeddingWords('want', idx)).toEqual(['want']); // not a negation
    expect(embeddingWords("o'clock", idx)).toEqual(["o'clock"]);
    // "don't like": do + not outside the negated clause, like inside it
    const v: Embeddings = {
      dims: 2,
      index: new Map([
        ['do', 0],
        ['not', 1],
        ['like', 2],
      ]),
      vectors: Int8Array.from([127, 0, 0, 127, -127, 0]),
    };
    expect([...embedComment(v, tokenize("don't like"))]).toEqual([0.5, 0.5, -1, 0]);
  });
  it('the shipped vectors load: unit-length words, 100 dimensions', () => {
    const s = shippedEmbeddings();
    expect(s.dims).toBe(100);
    const k = s.index.get('good')!;
    let n = 0;
    for (let j = 0; j < 100; j++) n += (s.vectors[k * 100 + j]! / 127) ** 2;
    expect(Math.sqrt(n)).toBeCloseTo(1, 1);
  });
});

describe('the shipped polarity model', () => {
  it('ships no handle or URL feature and names its training data', () => {
    const m = shippedPolarity();
    expect(Object.keys(m.weights).some((f) => f.includes('<user>') || f.includes('<url>'))).toBe(false);
    expect(m.trainedOn).toMatch(/SemEval-2017 Task 4A/);
  });
  it('so do the 3-class and neutral-vs-opinion models the three-class decision reads', () => {
    const three = shippedThreeClass()!;
    const neutral = shippedNeutral();
    expect(three.neutral ? neutral : null).not.toBeUndefined();
    for (const m of [shippedModel(), ...(three.neutral ? [neutral!] : [])]) {
      expect(Object.keys(m.weights).some((f) => f.includes('<user>') || f.includes('<url>'))).toBe(false);
      expect(m.trainedOn).toMatch(/SemEval-2017 Task 4A/);
    }
    // the stacker's inputs and its weights agree in length
    expect(three.weights.length).toBe(three.features.length);
    expect(three.means.length).toBe(three.features.length);
  });
  it('a comment it knows nothing of is scored by the lexicon alone', () => {
    expect(blendedScorer().score('😡😡').label).toBe('negative');
    expect(blendedScorer().score('😍').label).toBe('positive');
    expect(blendedScorer().score('qwxz zzkv').label).toBe('neutral');
  });
});
