/**
 * Text normalisation and tokenisation shared by every scorer, the dev-time trainer and theme
 * assignment, so a model sees at run time exactly the features it was trained on.
 */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  mdash: '—',
  ndash: '–',
};

/** Decodes HTML entities (named, decimal, hex) and literal `\uXXXX` escapes; trims; collapses whitespace. */
export function cleanText(input: string): string {
  return input
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
      if (e[0] === '#') {
        const code =
          e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Longest text a scorer reads; longer comments are cut (never rejected). */
export const MAX_CHARS = 5000;

const TOKEN =
  /(https?:\/\/\S+|www\.\S+)|(@\w+)|([:;=8][-'^o]?[)(\][dDpP/\\|*3]+|<3|[)(\][dD][-'^o]?[:;=])|(\p{Extended_Pictographic})|([\p{L}][\p{L}\p{M}'-]*[\p{L}]|[\p{L}])|(\d+(?:[.,]\d+)?)|([!?]+)|([.,;:]+)/gu;

export interface Token {
  /** lower-cased form (url → `<url>`, handle → `<user>`, number → `<num>`) */
  readonly t: string;
  /** the token was written in capitals (shouting), for intensity */
  readonly caps: boolean;
  readonly kind: 'word' | 'emoji' | 'emoticon' | 'punct' | 'other';
}

/** Splits a comment into tokens. Elongations ("sooooo") are cut to two letters ("soo"). */
export function tokenize(text: string): Token[] {
  const s = cleanText(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text);
  const out: Token[] = [];
  for (const m of s.matchAll(TOKEN)) {
    if (m[1]) out.push({ t: '<url>', caps: false, kind: 'other' });
    else if (m[2]) out.push({ t: '<user>', caps: false, kind: 'other' });
    else if (m[3]) out.push({ t: m[3].toLowerCase() === m[3] ? m[3] : m[3], caps: false, kind: 'emoticon' });
    else if (m[4]) out.push({ t: m[4], caps: false, kind: 'emoji' });
    else if (m[5]) {
      const w = m[5];
      const lower = w.toLowerCase().replace(/(.)\1{2,}/gu, '$1$1');
      out.push({ t: lower, caps: w.length > 1 && w === w.toUpperCase() && w !== lower, kind: 'word' });
    } else if (m[6]) out.push({ t: '<num>', caps: false, kind: 'other' });
    else if (m[7]) out.push({ t: m[7].includes('?') ? '?' : '!', caps: false, kind: 'punct' });
    else if (m[8]) out.push({ t: '.', caps: false, kind: 'punct' });
  }
  return out;
}

export const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
  'cannot',
  'without',
  'hardly',
  'barely',
  'scarcely',
  'lack',
  'lacks',
  'lacking',
  'aint',
  "ain't",
]);

export const isNegator = (t: string): boolean =>
  NEGATORS.has(t) ||
  t.endsWith("n't") ||
  t === 'dont' ||
  t === 'didnt' ||
  t === 'doesnt' ||
  t === 'isnt' ||
  t === 'wasnt' ||
  t === 'wont' ||
  t === 'cant' ||
  t === 'couldnt' ||
  t === 'wouldnt' ||
  t === 'shouldnt';

/**
 * The model's features: unigrams, negation-marked within a clause ("not good" → `not_good`), and
 * plain bigrams. A clause ends at punctuation or "but".
 */
export function features(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  let negated = false;
  let prev = '<s>';
  for (const tok of tokens) {
    if (tok.kind === 'punct') {
      negated = false;
      out.push(tok.t);
      prev = '<s>';
      continue;
    }
    const t = tok.t;
    out.push(negated ? `neg_${t}` : t);
    out.push(`${prev} ${t}`);
    if (isNegator(t)) negated = true;
    else if (t === 'but' || t === 'however') negated = false;
    prev = t;
  }
  if (prev !== '<s>') out.push(`${prev} </s>`);
  return out;
}

/** Character n-grams of the word tokens, `c:` + n letters of `#word#`. */
export function charGrams(tokens: readonly Token[], min: number, max: number): string[] {
  const out: string[] = [];
  for (const tok of tokens) {
    if (tok.kind !== 'word') continue;
    const w = `#${tok.t}#`;
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= w.length; i++) out.push(`c:${w.slice(i, i + n)}`);
    }
  }
  return out;
}
