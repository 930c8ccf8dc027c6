import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { toCsv } from '../core/csv.js';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type OperationContext } from '../core/operation.js';
import { wilson } from '../stats/index.js';
import type { Store } from '../store/index.js';
import { type Adaptation, adapt, labelReader } from './adapt.js';
import { effectsText, explainScore, type WordEffect } from './explain.js';
import { blendedScorer, type Scorer, type Sentiment, type SentimentLabel } from './scorer.js';
import { shippedVersion } from './sentiment-version.js';
import { starterTaxonomy } from './starter-taxonomy.js';
import { loadTaxonomy, type Taxonomy } from './taxonomy.js';
import { cleanText } from './text.js';
import { centroidAssigner, discoverThemes, type Proposal, themeAssigner } from './themes-model.js';

export const AnalyzeTextParams = z.object({
  file: z.string().min(1).describe('a CSV or TSV file of comments'),
  text: z.string().optional().describe('the file’s text (the CLI reads --file into it)'),
  textColumn: z.string().min(1).describe('column holding the comment: a header name, or a 1-based number'),
  idColumn: z.string().optional().describe('column holding the row id (default: the row number)'),
  out: z.string().optional().describe('write id,label,score,themes as CSV here'),
  format: z.enum(['csv', 'tsv']).optional().describe('default: tsv for .tsv files, csv otherwise'),
  noHeader: z.boolean().optional().describe('the first row is data, not column names'),
  header: z.boolean().optional(),
  delimiter: z.string().optional().describe('CSV field delimiter (default ,)'),
  labels: z
    .string()
    .optional()
    .describe(
      'column of labels (negative/neutral/positive, 0/1 or −1/0/1): adapt the scorer to them; reports its cross-validated macro-F1 beside the base scorer’s',
    ),
  explain: z
    .boolean()
    .optional()
    .describe('add each comment’s class probabilities and the words that drove its score (slower)'),
  discover: z
    .boolean()
    .optional()
    .describe(
      'propose themes from this file’s own comments and assign them (by nearest centroid); default: only when the workspace has no taxonomy. Nothing is saved',
    ),
  seed: z.coerce.number().int().optional().describe('seed of the discovery’s clustering (default 42)'),
});
export type AnalyzeTextParams = z.output<typeof AnalyzeTextParams>;

export interface ScoredRow {
  readonly id: string;
  readonly label: SentimentLabel;
  readonly score: number;
  readonly themes: readonly string[];
  /** with --explain: probabilities (negative, neutral, positive) and the words that drove the score */
  readonly probabilities?: Sentiment['probabilities'];
  readonly why?: readonly WordEffect[];
}

export interface AnalyzeTextResult {
  readonly file: string;
  readonly rows: number;
  readonly scorer: string;
  /** where the themes came from: the workspace taxonomy, or the starter taxonomy plus topics discovered in this file */
  readonly themesFrom: 'workspace' | 'starter taxonomy + this file' | 'workspace + this file';
  readonly labels: Readonly<Record<SentimentLabel, number>>;
  readonly themes: readonly { readonly id: string; readonly name: string; readonly count: number }[];
  readonly out: string | null;
  /** The CSV the CLI writes to `out`. */
  readonly csv?: string;
  readonly records: readonly ScoredRow[];
  readonly ms: number;
  /** with --labels: the adaptation's cross-validated figure beside the base scorer's, same rows */
  readonly adaptation?: Omit<Adaptation, 'scorer' | 'model'> & {
    /** whether the adapted scorer scored the file (only when it beats the base, cross-validated) */
    readonly used: boolean;
  };
  /** themes discovered in this file (not saved): label, size, examples, sentiment, suggested P */
  readonly discovered: readonly DiscoveredTheme[];
}

export interface DiscoveredTheme {
  readonly id: string;
  readonly name: string;
  readonly p: string;
  /** share of the cue words' weight behind the suggested P (0…1) */
  readonly pConfidence: number;
  readonly keywords: readonly string[];
  /** comments of the file it was assigned to (first theme) */
  readonly comments: number;
  /** share of those comments labelled negative, with its 95 % Wilson interval */
  readonly negativeShare: number;
  readonly negativeInterval: readonly [number, number];
  readonly examples: readonly string[];
}

/** Reads the rows of a comment file. CSV: quoted fields with newlines, BOM, ragged rows; TSV: no quoting. */
export function readRows(params: AnalyzeTextParams): { header: string[] | null; rows: string[][] } {
  const text = params.text;
  if (text === undefined)
    throw new TouchpointError('invalid_input', `${params.file}: no file content (the CLI reads --file)`);
  const hasHeader = !(params.noHeader === true || params.header === false);
  const format =
    params.format ?? (['.tsv', '.tab'].includes(extname(params.file).toLowerCase()) ? 'tsv' : 'csv');
  let rows: string[][];
  if (format === 'tsv') {
    rows = text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('\t'));
  } else {
    try {
      rows = parse(text, {
        bom: true,
        delimiter: params.delimiter ?? ',',
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
    } catch (e) {
      const err = e as { message: string; lines?: number };
      throw new TouchpointError('invalid_input', `${params.file}:${err.lines ?? '?'}: ${err.message}`, {
        cause: e,
        details: [{ file: params.file, line: err.lines, message: err.message }],
      });
    }
  }
  if (!hasHeader) return { header: null, rows };
  return { header: (rows[0] ?? []).map((h) => h.trim()), rows: rows.slice(1) };
}

function columnIndex(header: string[] | null, spec: string, flag: string, file: string): number {
  if (header) {
    const i = header.indexOf(spec);
    if (i >= 0) return i;
    const ci = header.findIndex((h) => h.toLowerCase() === spec.toLowerCase());
    if (ci >= 0) return ci;
  }
  if (/^\d+$/.test(spec) && Number(spec) >= 1) return Number(spec) - 1;
  throw new TouchpointError(
    'invalid_input',
    header
      ? `${file} has no column ${JSON.stringify(spec)} (${flag}); its columns are ${header.join(', ')}`
      : `${flag} must be a column number (1, 2, …) when the file has no header`,
  );
}

/**
 * Scores every row of a comment file: one record per input row, in input order, with the row's id,
 * sentiment label and score, and its themes (the workspace taxonomy's, or — when the workspace has
 * none — the starter taxonomy plus topics discovered in the file itself, not saved). Never fails on a row: empty, very long,
 * non-English or emoji-only comments get an answer.
 */
export async function analyzeText(
  db: Store,
  params: AnalyzeTextParams,
  ctx: OperationContext = {},
  given?: Scorer,
): Promise<AnalyzeTextResult> {
  const t0 = performance.now();
  // the shipped scorer, named by its version (name and content hash of the model files and lexicon)
  const shipped = blendedScorer();
  let scorer: Scorer = given ?? { name: shippedVersion(), score: (t) => shipped.score(t) };
  const { header, rows } = readRows(params);
  const ti = columnIndex(header, params.textColumn, '--text-column', params.file);
  const ii =
    params.idColumn === undefined ? -1 : columnIndex(header, params.idColumn, '--id-column', params.file);
  const texts = rows.map((r) => cleanText(r[ti] ?? ''));
  const ids = rows.map((r, i) => (ii >= 0 ? (r[ii] ?? '').trim() : String(i + 1)));
  let adaptation: AnalyzeTextResult['adaptation'];
  if (params.labels !== undefined) {
    const li = columnIndex(header, params.labels, '--labels', params.file);
    const values = rows.map((r) => r[li] ?? '');
    const read = labelReader(values);
    const labelled = rows.flatMap((_, i) => {
      const y = read(values[i]!);
      return y === undefined || texts[i]!.trim() === '' ? [] : [{ text: texts[i]!, y }];
    });
    if (labelled.length < 50)
      throw new TouchpointError(
        'invalid_input',
        `--labels ${params.labels}: ${labelled.length} rows carry a usable label (negative/neutral/positive, 0/1 or −1/0/1); at least 50 are needed`,
      );
    ctx.onProgress?.({ phase: 'adapting to the labels', done: 0, total: 1 });
    const a = adapt(
      scorer,
      labelled.map((r) => r.text),
      labelled.map((r) => r.y),
    );
    const { scorer: adapted, model: _model, ...figures } = a;
    // the adapted scorer scores the file only when its cross-validated figure beats the base's
    const used = figures.adaptedMacroF1 > figures.baseMacroF1;
    adaptation = { ...figures, used };
    if (used) scorer = adapted;
  }
  let taxonomy: Taxonomy = await loadTaxonomy(db);
  let themesFrom: AnalyzeTextResult['themesFrom'] = 'workspace';
  let proposals: Proposal[] = [];
  let idf: Record<string, number> = {};
  if (params.discover ?? taxonomy.themes.length === 0) {
    ctx.onProgress?.({ phase: 'discovering themes', done: 0, total: 1 });
    const fresh = taxonomy.themes.length === 0;
    const found = discoverThemes(
      texts.map((text, i) => ({ id: ids[i]!, text })),
      fresh ? starterTaxonomy() : taxonomy,
      params.seed === undefined ? {} : { seed: params.seed },
    );
    taxonomy = found.taxonomy;
    proposals = found.proposals;
    idf = found.idf;
    themesFrom = fresh ? 'starter taxonomy + this file' : 'workspace + this file';
  }
  // a one-off file: its discovered topics are used at once (nobody can accept them here), each
  // comment in the proposal whose centroid is nearest, then its keyword themes
  const assigner = centroidAssigner(proposals, idf, themeAssigner(taxonomy, 'active'));
  const labels: Record<SentimentLabel, number> = { negative: 0, neutral: 0, positive: 0 };
  const counts = new Map<string, number>();
  const records: ScoredRow[] = texts.map((text, i) => {
    if (i % 10_000 === 0)
      ctx.onProgress?.({ phase: 'scoring', done: i, total: texts.length, unit: 'comments' });
    const s = scorer.score(text);
    const themes = assigner.assign(text);
    labels[s.label]++;
    for (const t of themes) counts.set(t, (counts.get(t) ?? 0) + 1);
    if (!params.explain) return { id: ids[i]!, label: s.label, score: s.score, themes };
    return {
      id: ids[i]!,
      label: s.label,
      score: s.score,
      themes,
      ...(s.probabilities ? { probabilities: s.probabilities } : {}),
      why: explainScore(scorer, text),
    };
  });
  // with --out the CLI writes this CSV (the one CSV writer, src/core/csv.ts)
  const csv = params.out
    ? toCsv(
        records.map((r) => ({
          id: r.id,
          label: r.label,
          score: r.score,
          themes: r.themes.join(';'),
          p_negative: r.probabilities?.negative ?? null,
          p_neutral: r.probabilities?.neutral ?? null,
          p_positive: r.probabilities?.positive ?? null,
          why: effectsText(r.why ?? []),
        })),
        [
          'id',
          'label',
          'score',
          'themes',
          ...(params.explain ? ['p_negative', 'p_neutral', 'p_positive', 'why'] : []),
        ],
      )
    : undefined;
  const names = new Map(taxonomy.themes.map((t) => [t.id, t.name]));
  const discovered = proposals.map((p): DiscoveredTheme => {
    const mine = records.filter((r) => r.themes[0] === p.id);
    const neg = mine.filter((r) => r.label === 'negative').length;
    const w = wilson(neg, mine.length);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      id: p.id,
      name: p.name,
      p: p.p,
      pConfidence: p.pConfidence,
      keywords: p.keywords,
      comments: mine.length,
      negativeShare: mine.length ? r3(neg / mine.length) : 0,
      negativeInterval: [r3(w.low), r3(w.high)],
      examples: p.examples,
    };
  });
  return {
    discovered,
    file: params.file,
    rows: records.length,
    scorer: scorer.name,
    themesFrom,
    labels,
    themes: [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([id, count]) => ({ id, name: names.get(id) ?? id, count })),
    out: params.out ?? null,
    ...(csv === undefined ? {} : { csv }),
    records,
    ms: Math.round(performance.now() - t0),
    ...(adaptation ? { adaptation } : {}),
  };
}

export const analyzeTextOperation = defineOperation({
  area: 'feedback',
  verb: 'analyze-text',
  workspace: 'optional',
  summary: 'Score a CSV/TSV of comments: sentiment label and score and themes for every row, in order',
  params: AnalyzeTextParams,
  mode: 'read',
  edges: { cli: true, http: false },
  positional: ['file'],
  fileInputs: { file: 'text' },
  fileOutputs: { out: 'csv' },
  run: (db, params, ctx) => analyzeText(db, params, ctx),
  present: (r) => [
    {
      title: `${r.rows} comments in ${(r.ms / 1000).toFixed(1)} s (scorer ${r.scorer}, themes from ${r.themesFrom}): ${r.labels.negative} negative, ${r.labels.neutral} neutral, ${r.labels.positive} positive${r.out ? `; written to ${r.out}` : ''}${r.adaptation ? `; adapted to ${r.adaptation.labelled} labels: macro-F1 ${r.adaptation.adaptedMacroF1.toFixed(3)} vs ${r.adaptation.baseMacroF1.toFixed(3)} for the base scorer (${r.adaptation.folds}-fold cross-validated, same rows${r.adaptation.classes === 2 ? ', positive/negative' : ''}; L2 ${r.adaptation.l2})${r.adaptation.used ? '' : ' — not better, so the base scorer scored the file'}` : ''}`,
      rows: r.themes.slice(0, 20).map((t) => ({ theme: t.id, name: t.name, comments: t.count })),
    },
    ...(r.discovered.length
      ? [
          {
            title: `${r.discovered.length} themes discovered in this file (not saved; by nearest centroid)`,
            rows: r.discovered.map((d) => ({
              theme: d.id,
              label: d.name,
              comments: d.comments,
              negative: `${Math.round(d.negativeShare * 100)} % (${Math.round(d.negativeInterval[0] * 100)}–${Math.round(d.negativeInterval[1] * 100)})`,
              P: `${d.p} (${Math.round(d.pConfidence * 100)} %)`,
              keywords: d.keywords.slice(0, 5).join(', '),
              example: (d.examples[0] ?? '').slice(0, 120),
            })),
          },
        ]
      : []),
    ...(r.out
      ? []
      : [
          {
            title:
              r.rows > 200 ? `first 200 of ${r.rows} rows (use --out FILE or --json for all)` : undefined,
            rows: r.records.slice(0, 200).map((x) => ({
              id: x.id,
              label: x.label,
              score: x.score,
              themes: x.themes.join('; '),
              ...(x.why ? { why: effectsText(x.why) } : {}),
            })),
          },
        ]),
  ],
});
