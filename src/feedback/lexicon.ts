import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isNegator, type Token, tokenize } from './text.js';

/**
 * Lexicon valences on VADER's scale (−4…4). The base is VADER's lexicon (Hutto & Gilbert 2014, MIT)
 * and AFINN-165 (Nielsen 2011, via the `sentiment` package) for words VADER lacks, both read from
 * their npm packages; emoji valences come from the `sentiment` package's emoji table (Kralj Novak et
 * al. 2015). The CX lexicon below overrides them for customer-service language. No entry was fitted
 * on any evaluation set: the CX values are written by hand from the vocabulary of support tickets.
 */
export const CX_LEXICON: Readonly<Record<string, number>> = {
  // lukewarm words that general lexicons overrate
  ok: 0.3,
  okay: 0.3,
  fine: 0.4,
  alright: 0.3,
  decent: 0.8,
  average: -0.4,
  mediocre: -1.6,
  meh: -1.0,
  adequate: 0.2,
  acceptable: 0.3,
  special: 0.6,
  // service and process pain
  fee: -0.6,
  fees: -0.8,
  surcharge: -1.2,
  overcharged: -2.4,
  overcharge: -2.2,
  charged: -0.5,
  late: -1.2,
  delayed: -1.4,
  delay: -1.2,
  delays: -1.4,
  slow: -1.3,
  waited: -1.0,
  waiting: -0.8,
  hold: -0.4,
  transferred: -0.8,
  unresolved: -1.8,
  unanswered: -1.6,
  hassle: -1.6,
  confusing: -1.6,
  complicated: -1.2,
  broken: -2.0,
  broke: -1.8,
  unusable: -2.6,
  junk: -2.4,
  crap: -2.4,
  garbage: -2.4,
  useless: -2.4,
  defective: -2.2,
  faulty: -2.0,
  returned: -0.8,
  refund: -0.2,
  refunded: 0.2,
  cancelled: -0.8,
  canceled: -0.8,
  missing: -1.2,
  damaged: -1.8,
  lost: -1.2,
  rude: -2.6,
  crash: -1.8,
  crashes: -1.8,
  crashed: -1.8,
  crashing: -1.8,
  freezes: -1.6,
  frozen: -1.2,
  glitch: -1.4,
  glitchy: -1.6,
  buggy: -1.8,
  bug: -1.2,
  bugs: -1.2,
  unfair: -1.8,
  ridiculous: -2.0,
  outrageous: -2.4,
  unhelpful: -2.2,
  clueless: -2.0,
  ignored: -1.8,
  // service praise
  quick: 1.2,
  quickly: 1.0,
  fast: 1.2,
  prompt: 1.4,
  promptly: 1.4,
  easy: 1.6,
  smooth: 1.6,
  seamless: 2.0,
  responsive: 1.6,
  knowledgeable: 1.8,
  patient: 1.4,
  courteous: 1.8,
  polite: 1.6,
  reliable: 1.6,
  works: 1.0,
  worked: 0.8,
  sturdy: 1.4,
  comfortable: 1.6,
  recommend: 1.8,
  recommended: 1.6,
  impressed: 2.2,
  delicious: 2.6,
  tasty: 2.2,
  // film and product words general lexicons miss
  masterpiece: 3.0,
  unwatchable: -3.0,
  boring: -2.0,
  bland: -1.6,
  stale: -1.4,
  overpriced: -2.0,
  // added with the regression fixture (sentiment-regressions.ts): words users reported mis-scored,
  // and courtesy words that in a support message are a request, not praise
  'rip-off': -2.6,
  ripoff: -2.6,
  unfortunately: -1.4,
  finally: -0.6,
  please: 0,
  kindly: 0,
};

/** Multi-word expressions, matched on the lower-cased token sequence before single words. */
export const CX_PHRASES: ReadonlyArray<readonly [string, number]> = [
  ['nothing special', -1.6],
  ['nothing to write home about', -1.6],
  ['not worth', -2.0],
  ['waste of time', -2.6],
  ['waste of money', -2.8],
  ['waste your money', -2.6],
  ['waste your time', -2.6],
  ['took forever', -2.2],
  ['takes forever', -2.2],
  ['still waiting', -2.0],
  ['on hold', -1.2],
  ['hung up', -1.8],
  ['no one', -1.0],
  ['nobody called', -1.8],
  ['never again', -2.4],
  ['never arrived', -2.2],
  ['stopped working', -2.6],
  ['fell apart', -2.4],
  ['went above and beyond', 3.0],
  ['above and beyond', 2.6],
  ['highly recommend', 2.8],
  ['would recommend', 1.8],
  ['five stars', 2.6],
  ['5 stars', 2.6],
  ['one star', -2.4],
  ['1 star', -2.4],
  ['zero stars', -2.8],
  ['hidden fee', -2.2],
  ['hidden fees', -2.4],
  ['return fee', -1.4],
  ['restocking fee', -1.6],
  ['sent back', -1.0],
  ['send it back', -1.0],
  ['give up', -1.4],
  ['gave up', -1.6],
  ['piece of junk', -2.8],
  ['customer service', 0],
  ['as expected', 0.4],
  ['could be better', -1.0],
  ['could have been better', -1.2],
  ['not bad', 1.0],
  ['no problem', 1.4],
  ['no problems', 1.4],
  ['no issues', 1.4],
  ['no complaints', 1.6],
  ['not disappointed', 1.6],
  ['not happy', -2.0],
  ['not impressed', -1.8],
  ['not good', -1.8],
  ['not great', -1.4],
  ['not recommend', -2.0],
  ["don't buy", -2.2],
  ['do not buy', -2.2],
  ["don't waste", -2.4],
  ['do not waste', -2.4],
  ["don't bother", -2.2],
  ['do not bother', -2.2],
  ['thumbs up', 2.2],
  ['thumbs down', -2.2],
  ['rip off', -2.6],
  ['thanks for nothing', -2.6],
  ['thank you for nothing', -2.6],
  // polite complaints: a conditional request or a disappointed hope is a complaint in a support message
  ['would appreciate it if', -0.8],
  ["i'd appreciate it if", -0.8],
  ['was hoping', -1.2],
  ['were hoping', -1.2],
  ['had hoped', -1.2],
  ['by now', -1.0],
  ["i'm afraid", -1.0],
  ['i am afraid', -1.0],
  ['still not', -1.6],
  ['still no', -1.6],
  ['no reply', -1.8],
  ['no response', -1.8],
  ['no answer', -1.6],
  // elapsed waiting: "it has been three weeks"
  ...['a few', 'several', 'many', 'two', 'three', 'four', 'five', 'six', '<num>'].flatMap((n) =>
    ['days', 'weeks', 'months'].map((u) => [`been ${n} ${u}`, -1.4] as const),
  ),
];

/**
 * Praise used as an exclamation in a comment that complains ("Great, another two hours on hold.
 * Thanks a lot."): when a clause is nothing but one of these and another clause carries a negative
 * valence, the praise is read as sarcasm and flips like a negated word (×−0.74).
 */
const SARCASTIC = new Set(
  [
    'great',
    'oh great',
    'just great',
    'wonderful',
    'oh wonderful',
    'just wonderful',
    'perfect',
    'just perfect',
    'brilliant',
    'fantastic',
    'lovely',
    'awesome',
    'nice',
    'oh joy',
    'yay',
    'thanks',
    'thanks a lot',
    'thanks a bunch',
    'thank you',
    'thank you very much',
    'cheers',
    'well done',
  ].map((x) => x),
);

const BOOSTERS: Readonly<Record<string, number>> = Object.fromEntries([
  ...'absolutely amazingly awfully completely considerably decidedly deeply enormously entirely especially exceptionally extremely fully greatly hella highly hugely incredibly intensely majorly most particularly purely quite really remarkably so substantially thoroughly totally tremendously unbelievably unusually utterly very super truly seriously insanely ridiculously way'
    .split(' ')
    .map((w) => [w, 0.293] as const),
  ...'almost barely hardly marginally occasionally partly scarcely slightly somewhat kinda sorta fairly pretty-ish rather'
    .split(' ')
    .map((w) => [w, -0.293] as const),
]);

/** Hedges that weaken praise: "it's okay I guess". */
const HEDGES = ['i guess', 'i suppose', 'i think', 'kind of', 'sort of', 'more or less', 'i mean'];

let base: Map<string, number> | undefined;

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${name}/package.json`));
}

/** The merged lexicon (VADER ∪ AFINN ∪ emoji, then CX overrides), loaded once. */
export function lexicon(): Map<string, number> {
  if (base) return base;
  const m = new Map<string, number>();
  try {
    const sentimentDir = packageDir('sentiment');
    const afinn = JSON.parse(readFileSync(join(sentimentDir, 'languages/en/labels.json'), 'utf8')) as Record<
      string,
      number
    >;
    for (const [w, v] of Object.entries(afinn)) m.set(w, v * 0.8);
    const emoji = JSON.parse(readFileSync(join(sentimentDir, 'build/emoji.json'), 'utf8')) as Record<
      string,
      number
    >;
    for (const [e, v] of Object.entries(emoji)) m.set(e, v * 0.9);
  } catch {
    // the package is a dependency; a broken install leaves the VADER and CX parts
  }
  try {
    const vader = readFileSync(join(packageDir('vader-sentiment'), 'vader_lexicon.txt'), 'utf8');
    for (const line of vader.split('\n')) {
      const [w, v] = line.split('\t');
      if (w && v !== undefined && Number.isFinite(Number(v))) m.set(w, Number(v));
    }
  } catch {
    // as above
  }
  for (const [w, v] of Object.entries(CX_LEXICON)) m.set(w, v);
  base = m;
  return m;
}

export interface LexiconScore {
  /** normalised to −1…1 (VADER's compound form x / √(x² + 15)) */
  readonly compound: number;
  /** raw sum of valences after rules */
  readonly sum: number;
  /** number of tokens that carried sentiment */
  readonly hits: number;
  /** sums of the positive and of the negative valences after rules (before "but" weighting) */
  readonly positive: number;
  readonly negative: number;
  /** sum of the valences that came from the CX lexicon, its phrases or the sarcasm rule (after rules) */
  readonly cx: number;
}

/** Phrases by their first word, longest first, so each token checks only the phrases it can start. */
const PHRASES_BY_FIRST = new Map<string, { words: string[]; v: number }[]>();
for (const [p, v] of CX_PHRASES) {
  const words = p.split(' ');
  const list = PHRASES_BY_FIRST.get(words[0]!) ?? [];
  list.push({ words, v });
  list.sort((a, b) => b.words.length - a.words.length);
  PHRASES_BY_FIRST.set(words[0]!, list);
}
const HEDGE_WORDS = HEDGES.map((h) => h.split(' '));
const HEDGE_FIRST = new Set(HEDGE_WORDS.map((h) => h[0]!));

/**
 * Rule-based scoring: lexicon valences, phrases, negation (three tokens back within the clause:
 * praise flips to ×−0.74, complaints soften to ×−0.3 so "not bad" is mildly positive), intensifiers
 * and dampeners (±0.293), capitals (+0.733), "but" (clause before ×0.5, after ×1.5), hedges (praise
 * ×0.5) and exclamation marks.
 */
export function scoreLexicon(input: string | readonly Token[]): LexiconScore {
  const tokens = typeof input === 'string' ? tokenize(input) : input;
  const lex = lexicon();
  const vals: number[] = [];
  const clause: number[] = [];
  let clauseNo = 0;
  let butAt = -1;
  let exclaim = 0;
  const words = tokens.map((t) => t.t);
  const anyLower = tokens.some((t) => t.kind === 'word' && !t.caps);
  let hedged = false;
  for (let i = 0; i < tokens.length && !hedged; i++) {
    if (!HEDGE_FIRST.has(words[i]!)) continue;
    for (const hw of HEDGE_WORDS) if (hw.every((w, k) => words[i + k] === w)) hedged = true;
  }
  const clauseWords: string[][] = [[]];
  const cxFlags: boolean[] = [];
  let i = 0;
  while (i < tokens.length) {
    const tok = tokens[i]!;
    if (tok.kind === 'punct') {
      if (tok.t === '!') exclaim++;
      clauseNo++;
      clauseWords[clauseNo] = [];
      i++;
      continue;
    }
    if (tok.t === 'but' || tok.t === 'however' || tok.t === 'although' || tok.t === 'though') {
      butAt = vals.length;
      clauseNo++;
      clauseWords[clauseNo] = [];
      i++;
      continue;
    }
    if (tok.kind === 'word') clauseWords[clauseNo]!.push(tok.t);
    let v = 0;
    let span = 1;
    let phrase = false;
    for (const p of PHRASES_BY_FIRST.get(tok.t) ?? []) {
      if (p.words.every((w, k) => words[i + k] === w)) {
        v = p.v;
        span = p.words.length;
        phrase = true;
        break;
      }
    }
    if (!phrase) v = lex.get(tok.t) ?? 0;
    const fromCx = phrase || CX_LEXICON[tok.t] !== undefined;
    if (v !== 0 && (BOOSTERS[tok.t] === undefined || phrase)) {
      // intensifiers and capitals
      for (let k = 1; k <= 3 && i - k >= 0; k++) {
        const b = BOOSTERS[words[i - k]!];
        if (b !== undefined && tokens[i - k]!.kind === 'word')
          v += Math.sign(v) * b * (k === 1 ? 1 : k === 2 ? 0.95 : 0.9);
        if (tokens[i - k]!.kind === 'punct') break;
      }
      if (tok.caps && anyLower) v += Math.sign(v) * 0.733;
      // negation, unless the phrase already encodes it
      const firstWord = phrase ? (words[i] ?? '') : '';
      if (!phrase || !isNegator(firstWord)) {
        for (let k = 1; k <= 3 && i - k >= 0; k++) {
          const prev = tokens[i - k]!;
          if (prev.kind === 'punct' || prev.t === 'but') break;
          if (isNegator(prev.t)) {
            v = v > 0 ? v * -0.74 : v * -0.3;
            break;
          }
        }
      }
      if (hedged && v > 0) v *= 0.5;
      vals.push(v);
      clause.push(clauseNo);
      cxFlags.push(fromCx);
    }
    i += span;
  }
  // sarcasm: a clause that is only an exclamation of praise, in a comment that complains elsewhere
  const sarcastic = clauseWords.map((w) => w.length > 0 && SARCASTIC.has(w.join(' ')));
  if (sarcastic.some(Boolean) && vals.some((v, k) => v < 0 && !sarcastic[clause[k]!])) {
    for (let k = 0; k < vals.length; k++)
      if (sarcastic[clause[k]!] && vals[k]! > 0) vals[k] = vals[k]! * -0.74;
  }
  let positive = 0;
  let negative = 0;
  for (const v of vals) {
    if (v > 0) positive += v;
    else negative += v;
  }
  if (butAt >= 0) {
    for (let k = 0; k < vals.length; k++) vals[k] = vals[k]! * (k < butAt ? 0.5 : 1.5);
  }
  let sum = vals.reduce((a, b) => a + b, 0);
  const cx = vals.reduce((a, b, k) => a + (cxFlags[k] ? b : 0), 0);
  if (sum !== 0) sum += Math.sign(sum) * Math.min(exclaim, 3) * 0.292;
  const compound = sum / Math.sqrt(sum * sum + 15);
  return { compound, sum, hits: vals.length, positive, negative, cx };
}
