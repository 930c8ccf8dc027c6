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
import type { BenchContext } from './run.js';

export function adaptSentences(ctx: BenchContext): void {
  const dir = join(import.meta.dirname, '../../shared/data/sentiment-sentences');
  if (!existsSync(dir)) {
    ctx.report('domain adaptation', 'skipped', '', `${dir} is absent`);
    return;
  }
  const base = blendedScorer();
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
}
