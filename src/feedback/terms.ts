import { tokenize } from './text.js';

/** English function words and survey filler that never name a theme. */
export const STOPWORDS = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't could couldn't did didn't do does doesn't doing don't down during each few for from
further had hadn't has hasn't have haven't having he her here hers herself him himself his how i i'd i'll i'm i've
if in into is isn't it it's its itself just let's me more most mustn't my myself no nor not of off on once only or
other ought our ours ourselves out over own same shan't she should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through to too under
until up very was wasn't we we'd we'll we're we've were weren't what what's when where which while who whom why with
won't would wouldn't you you'd you'll you're you've your yours yourself yourselves also get got getting really still
even ever every much many one two three lot lots thing things something anything everything nothing way ok okay
im ive dont didnt cant wont doesnt isnt wasnt thats u ur pls please thanks thank hi hello dear yes yeah us will
like just again always never time times day days week weeks month months year years back since ago today yesterday
make made go went going come came take took give gave say said tell told know knew think thought want wanted need
needed use used try tried see saw look looked well good great bad better best worst nice awful terrible amazing
love loved hate hated happy unhappy very pretty quite rather bit little big lot overall experience company service
comment comments feedback`
    .split(/\s+/)
    .filter(Boolean),
);

/** A light suffix stripper (plural, -ed, -ing, -ly), enough to join "fees"/"fee", "charged"/"charge". */
const stemCache = new Map<string, string>();

export function stem(w: string): string {
  const hit = stemCache.get(w);
  if (hit !== undefined) return hit;
  const r = stemRules(w);
  const s = r.length > 4 && r.endsWith('e') ? r.slice(0, -1) : r;
  if (stemCache.size > 100_000) stemCache.clear();
  stemCache.set(w, s);
  return s;
}

function stemRules(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (w.endsWith('ing') && w.length > 5) {
    const b = w.slice(0, -3);
    return /(.)\1$/.test(b) && !/(ll|ss)$/.test(b) ? b.slice(0, -1) : b;
  }
  if (w.endsWith('ed') && w.length > 4) {
    const b = w.slice(0, -2);
    if (/(.)\1$/.test(b) && !/(ll|ss)$/.test(b)) return b.slice(0, -1);
    return b.endsWith('e')
      ? b
      : /[^aeiou][aeiou][^aeiouwxy]$/.test(b) || /(at|iz|bl|ur|ar|ag|ang)$/.test(b)
        ? `${b}e`
        : b;
  }
  if (w.endsWith('ly') && w.length > 5) return w.slice(0, -2);
  if (w.endsWith('es') && /(ch|sh|x|ss|zz)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

/** Content-word stems of a comment, in order (stop words, numbers, handles and emoji dropped). */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text)) {
    if (t.kind !== 'word' || t.t.length < 2 || STOPWORDS.has(t.t)) {
      if (t.kind === 'punct') out.push('|');
      continue;
    }
    out.push(stem(t.t));
  }
  return out;
}

/** The terms of a comment: unique content stems and bigrams of adjacent content stems ("return fee"). */
export function termsOf(text: string): string[] {
  const stems = contentStems(text);
  const set = new Set<string>();
  for (let i = 0; i < stems.length; i++) {
    const s = stems[i]!;
    if (s === '|') continue;
    set.add(s);
    const n = stems[i + 1];
    if (n !== undefined && n !== '|' && n !== s) set.add(`${s} ${n}`);
  }
  return [...set];
}

/** A keyword as written in the taxonomy ("Return fees") turned into its term ("return fee"). */
export function keywordTerm(keyword: string): string {
  return contentStems(keyword)
    .filter((s) => s !== '|')
    .join(' ');
}
