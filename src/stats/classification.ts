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
