import type { Scorer } from './scorer.js';
import { tokenize } from './text.js';

/** One word's part in a comment's sentiment score (−1…1 scale): positive pushed it up. */
export interface WordEffect {
  readonly word: string;
  readonly effect: number;
}

/** Function words never named as a reason (their effect comes from the phrase they sit in). */
const FUNCTION_WORDS = new Set(
  'a an the of on in at to for with by from and or is are am was were be been being it its this that these those i you we they he she my your our their me us him her them as so if then there here do does did has have had will would can could should shall may might just about into over up out'.split(
    ' ',
  ),
);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The words that drove a comment's score, by occlusion: each distinct word is removed (every
 * occurrence) and the comment re-scored; its effect is the score with it minus the score without it.
 * Model-agnostic (any `Scorer`, the company model included), exact for what the scorer does, and
 * readable: "rip-off −0.52". Function words are not named. Costs one scoring per distinct word, so it is for a page of comments
 * or a flag, not for a whole corpus by default. Words whose effect is under 0.02 are left out.
 */
export function explainScore(scorer: Scorer, text: string, top = 3): WordEffect[] {
  const base = scorer.score(text).score;
  const words = [
    ...new Set(tokenize(text).flatMap((t) => (t.kind === 'word' && !FUNCTION_WORDS.has(t.t) ? [t.t] : []))),
  ];
  const out: WordEffect[] = [];
  for (const w of words.slice(0, 60)) {
    const re = new RegExp(`(?<![\\p{L}\\p{M}'-])${escapeRegExp(w)}(?![\\p{L}\\p{M}'-])`, 'giu');
    const without = text.replace(re, ' ');
    if (without === text) continue;
    const effect = Math.round((base - scorer.score(without).score) * 100) / 100;
    if (Math.abs(effect) >= 0.02) out.push({ word: w, effect });
  }
  return out
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || (a.word < b.word ? -1 : 1))
    .slice(0, top);
}

/** "rip-off −0.52, fee −0.10" */
export const effectsText = (e: readonly WordEffect[]): string =>
  e.map((x) => `${x.word} ${x.effect > 0 ? '+' : '−'}${Math.abs(x.effect).toFixed(2)}`).join(', ');
