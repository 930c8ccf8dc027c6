import { seeded } from './random.js';

/**
 * Scores of a classifier against gold labels, classes numbered 0..k−1: accuracy, macro-F1 (the mean
 * of each class's F1; a class never predicted correctly scores 0) and average recall (the mean of
 * each class's recall; SemEval-2017 Task 4's primary measure).
 */
export function classificationScores(
  pred: readonly number[],
  gold: readonly number[],
  classes: number,
): { accuracy: number; macroF1: number; avgRecall: number } {
  let f1 = 0;
  let recall = 0;
  for (let c = 0; c < classes; c++) {
    const tp = pred.filter((p, i) => p === c && gold[i] === c).length;
    const fp = pred.filter((p, i) => p === c && gold[i] !== c).length;
    const fn = pred.filter((p, i) => p !== c && gold[i] === c).length;
    f1 += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn) / classes;
    recall += tp / Math.max(1, tp + fn) / classes;
  }
  const right = pred.filter((p, i) => p === gold[i]).length;
  return { accuracy: gold.length ? right / gold.length : 0, macroF1: f1, avgRecall: recall };
}

/** Per class c: its gold count, precision, recall and F1 (0 when undefined). */
export function perClassScores(
  pred: readonly number[],
  gold: readonly number[],
  classes: number,
): { n: number; precision: number; recall: number; f1: number }[] {
  const tp = new Array<number>(classes).fill(0);
  const np = new Array<number>(classes).fill(0);
  const ng = new Array<number>(classes).fill(0);
  pred.forEach((p, i) => {
    np[p]!++;
    ng[gold[i]!]!++;
    if (p === gold[i]) tp[p]!++;
  });
  return tp.map((t, c) => ({
    n: ng[c]!,
    precision: np[c]! ? t / np[c]! : 0,
    recall: ng[c]! ? t / ng[c]! : 0,
    f1: t === 0 ? 0 : (2 * t) / (np[c]! + ng[c]!),
  }));
}

/**
 * Percentile bootstrap 95% intervals (rows resampled with replacement, a seeded generator) of macro-F1,
 * average recall and each class's F1.
 */
export function bootstrapClassification(
  pred: readonly number[],
  gold: readonly number[],
  classes: number,
  reps = 1000,
  seed = 1,
): { macroF1: [number, number]; avgRecall: [number, number]; f1: [number, number][] } {
  const rand = seeded(seed);
  const n = pred.length;
  const mf: number[] = [];
  const ar: number[] = [];
  const f1s: number[][] = Array.from({ length: classes }, () => []);
  const p = new Array<number>(n);
  const g = new Array<number>(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rand() * n);
      p[i] = pred[j]!;
      g[i] = gold[j]!;
    }
    const per = perClassScores(p, g, classes);
    mf.push(per.reduce((s, x) => s + x.f1, 0) / classes);
    ar.push(per.reduce((s, x) => s + x.recall, 0) / classes);
    per.forEach((x, c) => {
      f1s[c]!.push(x.f1);
    });
  }
  const ci = (xs: number[]): [number, number] => {
    const s = [...xs].sort((a, b) => a - b);
    return [s[Math.floor(0.025 * (s.length - 1))]!, s[Math.ceil(0.975 * (s.length - 1))]!];
  };
  return { macroF1: ci(mf), avgRecall: ci(ar), f1: f1s.map(ci) };
}
