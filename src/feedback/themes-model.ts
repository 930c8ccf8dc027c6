import { createHash } from 'node:crypto';
import { kmeans } from 'ml-kmeans';
import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';
import type { P } from '../findings/index.js';
import { newThemeId, slug, type Taxonomy, type TaxonomyTheme } from './taxonomy.js';
import { keywordTerm, stem, termsOf } from './terms.js';

/** Puts comments into taxonomy themes by their keywords (bigram match 2, word match 1). */
export interface ThemeAssigner {
  /** theme ids a comment raises, strongest first (at most 3); empty when it raises none */
  assign(text: string): string[];
}

/**
 * Which themes assign: `accepted` (results in a workspace: a proposal is not used until a person
 * accepts it), `active` (accepted and proposed: a one-off file analysis, where nobody can accept),
 * `all` (retired too: what discovery treats as already covered, so a retired topic is not proposed again).
 */
export type AssignScope = 'accepted' | 'active' | 'all';

export function themeAssigner(taxonomy: Taxonomy, scope: AssignScope = 'accepted'): ThemeAssigner {
  const themes = taxonomy.themes.filter((t) =>
    scope === 'all' ? true : scope === 'active' ? t.status !== 'retired' : t.status === 'accepted',
  );
  const index = new Map<string, { theme: number; weight: number }[]>();
  themes.forEach((t, ti) => {
    for (const k of t.keywords) {
      const term = keywordTerm(k);
      if (!term) continue;
      const list = index.get(term) ?? [];
      if (!list.some((x) => x.theme === ti)) list.push({ theme: ti, weight: term.includes(' ') ? 2 : 1 });
      index.set(term, list);
    }
  });
  return {
    assign(text) {
      const scores = new Map<number, number>();
      for (const term of termsOf(text)) {
        for (const hit of index.get(term) ?? [])
          scores.set(hit.theme, (scores.get(hit.theme) ?? 0) + hit.weight);
      }
      if (scores.size === 0) return [];
      const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const top = ranked[0]![1];
      return ranked
        .filter(([, s]) => s >= Math.max(1, top / 2))
        .slice(0, 3)
        .map(([ti]) => themes[ti]!.id);
    },
  };
}

/** Words that say which of the 4 P's a topic belongs to. */
const P_CUES: Record<P, readonly string[]> = {
  policy: `fee fees charge charged charges policy policies refund refunds return returns terms contract cancel
    cancellation penalty warranty rule rules deposit subscription renewal price prices pricing cost restocking
    surcharge guarantee eligible allowed exchange`.split(/\s+/),
  people: `agent agents staff rep representative employee employees manager rude friendly helpful polite
    knowledgeable technician driver courier person someone guy lady advisor attitude professional attitude
    courteous patient support`.split(/\s+/),
  process:
    `wait waited waiting delivery deliver delivered shipping hold queue process call called calls email emails
    response respond slow late delay delayed tracking appointment installation onboarding checkout billing invoice
    transfer transferred login form forms steps paperwork approval callback reply replied arrive arrived`.split(
      /\s+/,
    ),
  product:
    `product products app quality feature features device phone battery screen website site bug bugs crash
    size design item items material fit broke broken works working quality color software update`.split(
      /\s+/,
    ),
};
const CUE_STEMS: Record<P, Set<string>> = {
  policy: new Set(P_CUES.policy.filter(Boolean).map(stem)),
  people: new Set(P_CUES.people.filter(Boolean).map(stem)),
  process: new Set(P_CUES.process.filter(Boolean).map(stem)),
  product: new Set(P_CUES.product.filter(Boolean).map(stem)),
};

export function pOfTerms(terms: readonly { term: string; weight: number }[]): P {
  return pWithConfidence(terms).p;
}

/**
 * The P whose cue words weigh most among the terms, and its confidence: its share of all cue weight
 * (1 when only its cues appear; 0 when no cue appears and `product` is a default).
 */
export function pWithConfidence(terms: readonly { term: string; weight: number }[]): {
  p: P;
  confidence: number;
} {
  const score: Record<P, number> = { product: 0, process: 0, policy: 0, people: 0 };
  for (const { term, weight } of terms)
    for (const part of term.split(' '))
      for (const p of Object.keys(CUE_STEMS) as P[]) if (CUE_STEMS[p].has(part)) score[p] += weight;
  const ranked = (Object.entries(score) as [P, number][]).sort((a, b) => b[1] - a[1]);
  const total = ranked.reduce((a, [, v]) => a + v, 0);
  const best = ranked[0]!;
  return best[1] > 0
    ? { p: best[0], confidence: Math.round((best[1] / total) * 100) / 100 }
    : { p: 'product', confidence: 0 };
}

let nlp: ReturnType<typeof winkNLP> | undefined;
const CONTENT_POS = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ']);
/** A word in at least this share of a cluster's comments is one of its dominant words. */
const DOMINANT = 0.6;
/** Fewest comments a proposed theme must gather (and at least 3% of the comments clustered). */
const MIN_THEME = 25;
/**
 * Least coherence of a proposed theme: the length of the mean of its comments' unit TF-IDF vectors
 * (= their mean cosine to the theme's centroid; 1 when all say the same, ≈ 1/√n for unrelated ones).
 */
const MIN_COHERENCE = 0.3;
/** Most terms a discovery run clusters on (the most frequent content terms within the df bounds). */
const VOCABULARY = 1000;
/** A label's key phrase must occur in at least this share of the theme's comments. */
const MIN_PHRASE_SHARE = 0.15;

export interface DiscoverOptions {
  /** comments read for discovery (a deterministic sample when there are more) */
  readonly sample?: number;
  /** number of clusters (default √(comments / 12), between 4 and 30) */
  readonly k?: number;
  readonly seed?: number;
}

export interface Proposal extends TaxonomyTheme {
  readonly size: number;
  /** mean cosine of its comments to its centroid (TF-IDF), at least MIN_COHERENCE */
  readonly coherence: number;
  /** how sure the suggested P is: its share of the cue words' weight among the keywords (0…1) */
  readonly pConfidence: number;
  /** up to three of its comments (cut at 300 characters) */
  readonly examples: readonly string[];
  /** its members' mean unit TF-IDF vector, as term → weight (what `centroidAssigner` compares to) */
  readonly centroid: Readonly<Record<string, number>>;
}

const hash = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * Finds topics in comments that the taxonomy does not cover yet and proposes them as new
 * sub-themes (appended with new ids; existing themes are never touched). Keyphrase candidates are
 * content words and word pairs (wink-nlp part-of-speech: nouns, verbs, adjectives); every sampled
 * comment is clustered by k-means (ml-kmeans, k-means++ seeded by `options.seed`) on TF-IDF vectors,
 * and a cluster is left out as covered when one existing theme heads half its comments or most of
 * its leading keywords are one theme's; each proposal keeps its centroid (`centroidAssigner`); each cluster's
 * keywords are its terms most over-represented against all comments (lift ≥ 1.5, in ≥ 8% of the
 * cluster, and at least half of all comments using the term are in the cluster); clusters sharing their leading keywords merge, so paraphrases become one theme.
 */
export function discoverThemes(
  comments: readonly { id: string; text: string }[],
  taxonomy: Taxonomy,
  options: DiscoverOptions = {},
): { taxonomy: Taxonomy; proposals: Proposal[]; idf: Record<string, number> } {
  const sampleSize = options.sample ?? 3000;
  // every theme, retired and proposed included, covers its comments: a retired topic is not proposed again
  const coverage = themeAssigner(taxonomy, 'all');
  const sample = [...comments]
    .filter((c) => c.text && c.text.trim().length > 0)
    .map((c) => ({ ...c, h: hash(c.id) }))
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .slice(0, sampleSize);
  // each comment's first existing theme (coverage is judged per cluster: a long comment hits some
  // keyword by chance, so "every comment with a theme is covered" left nothing to discover)
  const primary = sample.map((c) => coverage.assign(c.text)[0] ?? null);
  if (sample.length < 10) return { taxonomy, proposals: [], idf: {} };

  // content stems by part of speech, and the surface form seen most for each stem. wink-nlp's own
  // tokenizer runs here only because its part-of-speech tagger cannot take our tokens: its output
  // decides which stems count as content words and how a stem is spelled in a label; every term a
  // comment is clustered or assigned on comes from the one tokenizer (`tokenize` via `termsOf`).
  nlp ??= winkNLP(model);
  const its = nlp.its;
  const content = new Set<string>();
  const nouns = new Map<string, number>();
  const surface = new Map<string, Map<string, number>>();
  for (const c of sample) {
    const doc = nlp.readDoc(c.text.slice(0, 2000));
    const normals = doc.tokens().out(its.normal) as string[];
    const pos = doc.tokens().out(its.pos) as string[];
    normals.forEach((w, i) => {
      if (!CONTENT_POS.has(pos[i]!)) return;
      const s = stem(w.replace(/(.)\1{2,}/g, '$1$1'));
      content.add(s);
      if (pos[i] === 'NOUN' || pos[i] === 'PROPN') nouns.set(s, (nouns.get(s) ?? 0) + 1);
      const m = surface.get(s) ?? new Map<string, number>();
      m.set(w, (m.get(w) ?? 0) + 1);
      surface.set(s, m);
    });
  }
  const docs = sample.map((c) => termsOf(c.text).filter((t) => t.split(' ').every((p) => content.has(p))));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const minDf = Math.max(3, Math.ceil(0.003 * n));
  const vocab = [...df.entries()]
    .filter(([, c]) => c >= minDf && c <= 0.3 * n)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, VOCABULARY)
    .map(([t]) => t);
  const col = new Map(vocab.map((t, i) => [t, i]));
  const idf = vocab.map((t) => Math.log(n / df.get(t)!));
  const rows: number[][] = [];
  const rowDoc: number[] = [];
  docs.forEach((d, di) => {
    const v = new Array<number>(vocab.length).fill(0);
    let norm = 0;
    for (const t of d) {
      const j = col.get(t);
      if (j === undefined) continue;
      v[j] = idf[j]!;
      norm += idf[j]! ** 2;
    }
    if (norm === 0) return;
    const s = Math.sqrt(norm);
    rows.push(v.map((x) => x / s));
    rowDoc.push(di);
  });
  if (rows.length < 10) return { taxonomy, proposals: [], idf: {} };
  const k = Math.min(
    rows.length - 1,
    options.k ?? Math.max(rows.length < 100 ? 3 : 6, Math.min(30, Math.round(Math.sqrt(rows.length / 3)))),
  );
  const km = kmeans(rows, k, { seed: options.seed ?? 42, initialization: 'kmeans++', maxIterations: 30 });

  // over-split on purpose (one cluster per wording is fine), then merge clusters that share a
  // dominant word — one in at least DOMINANT of each cluster's comments and in at most 35% of all
  // comments; two such words when both have two (transitively): paraphrases of one topic share their subject, so they become one theme
  let groups: number[][] = [];
  for (let c = 0; c < k; c++) {
    const members = km.clusters.flatMap((cl, i) => (cl === c ? [rowDoc[i]!] : []));
    if (members.length > 0) groups.push(members);
  }
  const dominant = (members: readonly number[]): Set<string> => {
    const cnt = new Map<string, number>();
    for (const m of members)
      for (const t of docs[m]!) if (!t.includes(' ')) cnt.set(t, (cnt.get(t) ?? 0) + 1);
    return new Set(
      [...cnt.entries()]
        .filter(([t, c]) => c >= DOMINANT * members.length && df.get(t)! <= 0.35 * n)
        .map(([t]) => t),
    );
  };
  const parent = groups.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i]!;
    return i;
  };
  const doms = groups.map(dominant);
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++)
      if (
        [...doms[i]!].filter((t) => doms[j]!.has(t)).length >= Math.min(2, doms[i]!.size, doms[j]!.size) &&
        doms[i]!.size > 0 &&
        doms[j]!.size > 0
      )
        parent[find(j)] = find(i);
  const joined = new Map<number, number[]>();
  groups.forEach((g, i) => {
    joined.set(find(i), [...(joined.get(find(i)) ?? []), ...g]);
  });
  groups = [...joined.values()];
  // keywords per theme: terms most over-represented against all comments read
  const merged: {
    members: number[];
    keywords: { term: string; weight: number; rc: number }[];
    coherence: number;
    nearest: number[];
    centroid: number[];
  }[] = [];
  const rowOf = new Map(rowDoc.map((d, r) => [d, r]));
  for (const members of groups.sort((a, b) => b.length - a.length || a[0]! - b[0]!)) {
    if (members.length < Math.max(MIN_THEME, 0.03 * rows.length)) continue;
    const mean = new Array<number>(vocab.length).fill(0);
    for (const m of members) {
      const row = rows[rowOf.get(m)!]!;
      for (let j = 0; j < row.length; j++) mean[j]! += row[j]! / members.length;
    }
    const coherence = Math.sqrt(mean.reduce((a, v) => a + v * v, 0));
    if (coherence < MIN_COHERENCE) continue;
    // already covered: one existing theme is the first theme of at least half its comments
    const firsts = new Map<string, number>();
    for (const m of members) {
      const t = primary[m];
      if (t) firsts.set(t, (firsts.get(t) ?? 0) + 1);
    }
    if ([...firsts.values()].some((c) => c * 2 >= members.length)) continue;
    const dot = (m: number) => rows[rowOf.get(m)!]!.reduce((a, v, j) => a + v * mean[j]!, 0);
    const nearest = [...members].sort((a, b) => dot(b) - dot(a) || a - b).slice(0, 3);
    const cdf = new Map<string, number>();
    for (const m of members) for (const t of docs[m]!) if (col.has(t)) cdf.set(t, (cdf.get(t) ?? 0) + 1);
    const keywords = [...cdf.entries()]
      .map(([term, cnt]) => {
        const rc = cnt / members.length;
        const lift = rc / (df.get(term)! / n);
        return { term, rc, lift, precision: cnt / df.get(term)!, weight: rc * Math.log(lift) };
      })
      .filter((x) => x.rc >= 0.08 && x.lift >= 1.5 && x.precision >= 0.5)
      .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
      .slice(0, 12)
      .map(({ term, weight, rc }) => ({ term, weight, rc }));
    if (keywords.length > 0) merged.push({ members, keywords, coherence, nearest, centroid: mean });
  }
  const surf = (term: string) =>
    term
      .split(' ')
      .map(
        (s) =>
          [...(surface.get(s) ?? new Map([[s, 1]])).entries()].sort(
            (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
          )[0]![0],
      )
      .join(' ');
  let next: Taxonomy = { ...taxonomy, themes: [...taxonomy.themes] };
  const proposals: Proposal[] = [];
  const isNoun = (st: string) => (nouns.get(st) ?? 0) > 0;
  const slugs = new Set(taxonomy.themes.map((t) => t.id.slice(t.id.indexOf('.') + 1)));
  const existingTerms = taxonomy.themes.map((t) => new Set(t.keywords.map(keywordTerm)));
  for (const c of merged) {
    const { p, confidence } = pWithConfidence(c.keywords);
    // the label is a key phrase: a word pair of its keywords that ends in a noun and occurs in at
    // least MIN_PHRASE_SHARE of its comments; else its leading noun; never two unrelated words glued
    const phrase = c.keywords.find(
      (x) => x.term.includes(' ') && x.rc >= MIN_PHRASE_SHARE && isNoun(x.term.split(' ').at(-1)!),
    );
    const head = c.keywords.find((x) => !x.term.includes(' ') && isNoun(x.term)) ?? c.keywords[0]!;
    const name = surf((phrase ?? head).term).replace(/^./, (ch) => ch.toUpperCase());
    // a topic the taxonomy already has (any status: a retired theme stays retired) is not proposed:
    // same name, or most of its leading keywords are one theme's keywords
    const lead = c.keywords.slice(0, 5).map((x) => x.term);
    if (slugs.has(slug(name))) continue;
    if (existingTerms.some((set) => lead.filter((t) => set.has(t)).length * 2 >= lead.length)) continue;
    slugs.add(slug(name));
    const theme: Proposal = {
      id: newThemeId(next, p, name),
      p,
      name,
      status: 'proposed',
      keywords: c.keywords.slice(0, 12).map((x) => surf(x.term)),
      size: c.members.length,
      coherence: Math.round(c.coherence * 1000) / 1000,
      pConfidence: confidence,
      // the comments nearest the theme's centroid read first
      examples: c.nearest.map((m) => sample[m]!.text.slice(0, 300)),
      centroid: Object.fromEntries(
        c.centroid.flatMap((w, j) => (w > 0 ? [[vocab[j]!, Math.round(w * 1e5) / 1e5]] : [])),
      ),
    };
    proposals.push(theme);
    const {
      size: _size,
      coherence: _coherence,
      pConfidence: _pc,
      examples: _ex,
      centroid: _centroid,
      ...stored
    } = theme;
    next = { ...next, themes: [...next.themes, stored] };
    existingTerms.push(new Set(stored.keywords.map(keywordTerm)));
  }
  return { taxonomy: next, proposals, idf: Object.fromEntries(vocab.map((t, j) => [t, idf[j]!])) };
}

/** Least cosine between a comment and a proposal's centroid for the comment to join it. */
const MIN_ASSIGN = 0.1;

/**
 * Assignment by centroid (a one-off `analyze-text`): a comment joins the proposal whose centroid is
 * nearest to its unit TF-IDF vector (the discovery's vocabulary and idf), when the cosine is at
 * least MIN_ASSIGN; that theme comes first, then the keyword themes of `fallback`. Proposals of a
 * workspace are not stored with their centroid: once accepted they assign by keywords.
 */
export function centroidAssigner(
  proposals: readonly Proposal[],
  idf: Readonly<Record<string, number>>,
  fallback: ThemeAssigner,
): ThemeAssigner {
  return {
    assign(text) {
      const rest = fallback.assign(text);
      if (proposals.length === 0) return rest;
      const v = new Map<string, number>();
      let norm = 0;
      for (const t of termsOf(text)) {
        const w = idf[t];
        if (w === undefined) continue;
        v.set(t, w);
        norm += w * w;
      }
      if (norm === 0) return rest;
      let best = -1;
      let bestCos = MIN_ASSIGN;
      proposals.forEach((p, i) => {
        let dot = 0;
        for (const [t, w] of v) dot += w * (p.centroid[t] ?? 0);
        const cos = dot / Math.sqrt(norm);
        if (cos >= bestCos) {
          bestCos = cos;
          best = i;
        }
      });
      if (best < 0) return rest;
      const id = proposals[best]!.id;
      return [id, ...rest.filter((t) => t !== id)].slice(0, 3);
    },
  };
}
