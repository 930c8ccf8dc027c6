/**
 * Domain adaptation (issue #25.2) on the UCI sentence files: each file's 1,000 labelled sentences,
 * 5-fold cross-validated (every sentence scored by an adapted model that did not see it, trained on
 * the other 800) beside the base scorer on the same sentences. The files stay a test set for the
 * shipped scorer: nothing here changes it, the adapted model lives only inside each fold.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapt } from '../src/feedback/adapt.js';
import { blendedScorer } from '../src/feedback/scorer.js';
import { classificationScores } from '../src/stats/classification.js';
import { seeded } from '../src/stats/random.js';
import { lcgOrder } from '../src/stats/sparse-logistic.js';
import type { BenchContext } from './run.js';

export function adaptSentences(ctx: BenchContext): void {
  const dir = join(import.meta.dirname, '../../shared/data/sentiment-sentences');
  if (!existsSync(dir)) {
    ctx.report('domain adaptation', 'skipped', '', `${dir} is absent`);
    return;
  }
  const base = blendedScorer();
  const pooled: { text: string; y: 0 | 2 }[] = [];
  for (const [name, file] of [
    ['amazon', 'amazon_cells_labelled.txt'],
    ['yelp', 'yelp_labelled.txt'],
    ['imdb', 'imdb_labelled.txt'],
  ] as const) {
    const rows = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const i = l.lastIndexOf('\t');
        return { text: l.slice(0, i), y: l.slice(i + 1).trim() === '1' ? (2 as const) : (0 as const) };
      });
    pooled.push(...rows);
    const t0 = performance.now();
    const a = adapt(
      base,
      rows.map((r) => r.text),
      rows.map((r) => r.y),
    );
    ctx.report(
      `${name} adapted vs base macro-F1 (5-fold CV on its 1,000 labels)`,
      `${a.adaptedMacroF1.toFixed(3)} vs ${a.baseMacroF1.toFixed(3)}`,
      '',
      `${((a.adaptedMacroF1 - a.baseMacroF1) * 100).toFixed(1)} points; goal +5; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  // the protocol: 1,000 labelled reviews (a fixed seeded draw from the three files pooled),
  // the adapted scorer trained on them, judged on the other 2,000 beside the base on the same rows
  const order = lcgOrder(pooled.length, 2025);
  const trainRows = order.slice(0, 1000).map((i) => pooled[i]!);
  const rest = order.slice(1000).map((i) => pooled[i]!);
  const t0 = performance.now();
  const a = adapt(
    base,
    trainRows.map((r) => r.text),
    trainRows.map((r) => r.y),
  );
  const gold = rest.map((r) => (r.y === 2 ? 1 : 0));
  const adapted = rest.map((r) => (a.scorer.score(r.text).score >= 0 ? 1 : 0));
  const plain = rest.map((r) => (base.score(r.text).score >= 0 ? 1 : 0));
  const fa = classificationScores(adapted, gold, 2).macroF1;
  const fb = classificationScores(plain, gold, 2).macroF1;
  // the difference's interval: paired bootstrap over the 2,000 rows (seed 25)
  const diffs: number[] = [];
  const rnd = seeded(25);
  for (let b = 0; b < 500; b++) {
    const ad: number[] = [];
    const pl: number[] = [];
    const gd: number[] = [];
    for (let i = 0; i < rest.length; i++) {
      const j = Math.floor(rnd() * rest.length);
      ad.push(adapted[j]!);
      pl.push(plain[j]!);
      gd.push(gold[j]!);
    }
    diffs.push(classificationScores(ad, gd, 2).macroF1 - classificationScores(pl, gd, 2).macroF1);
  }
  diffs.sort((x, y) => x - y);
  ctx.report(
    'reviews: 1,000 labels → the other 2,000, adapted vs base macro-F1',
    `${fa.toFixed(3)} vs ${fb.toFixed(3)}`,
    '',
    `CV on the 1,000: ${a.adaptedMacroF1.toFixed(3)} vs ${a.baseMacroF1.toFixed(3)} (L2 ${a.l2}); ${((fa - fb) * 100).toFixed(1)} points (95% paired bootstrap ${(diffs[12]! * 100).toFixed(1)}…${(diffs[487]! * 100).toFixed(1)}); goal +5; amazon+yelp+imdb pooled, positive/negative; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
