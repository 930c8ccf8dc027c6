/**
 * Theme discovery against labels nobody here wrote (docs/feedback.md §Discovery on real complaints):
 * the CFPB complaints (../shared/data/cfpb-complaints, public domain), each sample (`source`) on its
 * own. Touchpoint's discovery — as `analyze-text` runs it on a file (the retail starter taxonomy plus
 * the file's own proposals) and alone (an empty taxonomy) — beside a plain TF-IDF k-means baseline
 * (word unigrams, stop words out, df ≥ 5, k = the sample's number of issue labels). Reported: NMI
 * against the consumer-chosen Issue, and per issue (≥ 20 complaints) the best-matching theme's F1.
 * Nothing in discovery was tuned on these complaints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { kmeans } from 'ml-kmeans';
import { starterTaxonomy } from '../src/feedback/starter-taxonomy.js';
import { STOPWORDS, stem } from '../src/feedback/terms.js';
import { tokenize } from '../src/feedback/text.js';
import { centroidAssigner, discoverThemes, themeAssigner } from '../src/feedback/themes-model.js';
import { bestMatchF1, nmi } from '../src/stats/index.js';
import type { BenchContext } from './run.js';

const FILE = join(import.meta.dirname, '../../shared/data/cfpb-complaints/complaints_combined.csv.gz');

/** Redactions (XXXX, XX/XX/XXXX) and amounts ({$123.00}) masked, so they do not form a theme. */
const mask = (t: string) => t.replace(/\{\$[\d,.]+\}/g, ' ').replace(/X{2,}(?:[/-]X{2,})*/g, ' ');

function tfidfKmeans(texts: readonly string[], k: number): string[] {
  const docs = texts.map((t) => [
    ...new Set(
      tokenize(t)
        .filter((x) => x.kind === 'word' && x.t.length > 1 && !STOPWORDS.has(x.t))
        .map((x) => stem(x.t)),
    ),
  ]);
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = [...df.entries()]
    .filter(([, c]) => c >= 5 && c <= 0.5 * docs.length)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 2000)
    .map(([w]) => w);
  const col = new Map(vocab.map((w, i) => [w, i]));
  const idf = vocab.map((w) => Math.log(docs.length / df.get(w)!));
  const rows = docs.map((d) => {
    const v = new Array<number>(vocab.length).fill(0);
    for (const w of d) {
      const j = col.get(w);
      if (j !== undefined) v[j] = idf[j]!;
    }
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
    return v.map((x) => x / norm);
  });
  const km = kmeans(rows, k, { seed: 42, initialization: 'kmeans++', maxIterations: 50 });
  return km.clusters.map((c) => `k${c}`);
}

export function cfpbThemes(ctx: BenchContext): void {
  if (!existsSync(FILE)) {
    ctx.report('CFPB theme discovery', 'skipped', '', `${FILE} is absent`);
    return;
  }
  const records = parse(gunzipSync(readFileSync(FILE)), { columns: true, relax_quotes: true }) as Record<
    string,
    string
  >[];
  const sources = [...new Set(records.map((r) => r.source!))].sort();
  for (const source of sources) {
    const rows = records.filter(
      (r) => r.source === source && (r['Consumer complaint narrative'] ?? '').trim(),
    );
    const texts = rows.map((r) => mask(r['Consumer complaint narrative']!));
    const gold = rows.map((r) => r.Issue!);
    const labels = new Set(gold).size;
    const comments = texts.map((text, i) => ({ id: rows[i]!['Complaint ID'] ?? String(i), text }));
    const t0 = performance.now();
    const withStarter = discoverThemes(comments, starterTaxonomy(), { sample: comments.length });
    const alone = discoverThemes(comments, { version: 1, themes: [] }, { sample: comments.length });
    const ms = performance.now() - t0;
    // as analyze-text assigns: the nearest proposal's centroid first, then the keyword themes
    const assign = (r: typeof alone) => {
      const a = centroidAssigner(r.proposals, r.idf, themeAssigner(r.taxonomy, 'active'));
      return texts.map((t) => a.assign(t)[0] ?? '(none)');
    };
    const variants: [string, string[], string][] = [
      [
        'touchpoint (starter + discovered, as analyze-text)',
        assign(withStarter),
        `${withStarter.proposals.length} proposed: ${withStarter.proposals.map((p) => p.name).join(', ')}`,
      ],
      [
        'touchpoint discovery alone',
        assign(alone),
        `${alone.proposals.length} proposed: ${alone.proposals.map((p) => p.name).join(', ')}`,
      ],
      [`TF-IDF k-means (k = ${labels})`, tfidfKmeans(texts, labels), 'every complaint in a cluster'],
    ];
    for (const [name, pred, note] of variants) {
      const f = [...bestMatchF1(pred, gold, '(none)').entries()].filter(([, x]) => x.n >= 20);
      const f1s = f.map(([, x]) => x.f1).sort((a, b) => a - b);
      const none = pred.filter((p) => p === '(none)').length;
      ctx.report(
        `CFPB ${source} NMI (${name})`,
        nmi(pred, gold).toFixed(3),
        '',
        `n=${rows.length}, ${labels} issues; ${none} without a theme; ${note}`,
      );
      ctx.report(
        `CFPB ${source} best-theme F1 per issue (${name})`,
        f1s.length ? f1s[Math.floor(f1s.length / 2)]!.toFixed(3) : '–',
        'median',
        `${f.filter(([, x]) => x.f1 >= 0.5).length} of ${f.length} issues with ≥ 20 complaints at F1 ≥ 0.5; ${f
          .sort((a, b) => b[1].n - a[1].n)
          .slice(0, 5)
          .map(([g, x]) => `${g.slice(0, 40)} ${x.f1.toFixed(2)}`)
          .join('; ')}`,
      );
    }
    ctx.report(`CFPB ${source} discovery time (both runs)`, (ms / 1000).toFixed(1), 's');
  }
}
