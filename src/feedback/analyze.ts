import type { OperationContext } from '../core/operation.js';
import { type Store, sql } from '../store/index.js';
import type { Scorer } from './scorer.js';
import { currentSentiment, type SentimentVersion, scorerOf } from './sentiment-version.js';
import { starterTaxonomy } from './starter-taxonomy.js';
import { loadTaxonomy, saveTaxonomy, type Taxonomy } from './taxonomy.js';
import { discoverThemes, type Proposal, themeAssigner } from './themes-model.js';

export interface AnalysisSummary {
  readonly comments: number;
  readonly scorer: string;
  readonly proposals: readonly Proposal[];
  readonly taxonomy: Taxonomy;
  /** The sentiment model version every score was made with (docs/feedback.md §Stable scores). */
  readonly sentimentModel: SentimentVersion;
}

/**
 * Scores and themes every comment in the workspace and stores the result in `feedback_text`
 * (replacing the previous analysis). A workspace without a taxonomy starts from the starter taxonomy
 * (starter-taxonomy.ts). When `discover` is on (default: on that first run), topics the taxonomy does
 * not cover are proposed as new sub-themes first.
 */
export async function analyzeWorkspace(
  db: Store,
  options: { discover?: boolean; now?: Date } = {},
  ctx: OperationContext = {},
): Promise<AnalysisSummary> {
  const comments = await db.all<{
    id: string;
    comment: string;
    kind: string;
    score: number | null;
    corrected: string | null;
  }>(sql`
    SELECT f.id, f.comment, f.kind, f.score, l.label AS corrected
    FROM feedback f LEFT JOIN feedback_labels l ON l.feedback_id = f.id
    WHERE f.comment IS NOT NULL AND trim(f.comment) <> '' ORDER BY f.id`);
  const stored = await loadTaxonomy(db);
  const fresh = stored.themes.length === 0;
  let taxonomy = fresh ? starterTaxonomy() : stored;
  if (fresh) await saveTaxonomy(db, taxonomy);
  let proposals: Proposal[] = [];
  if (options.discover ?? fresh) {
    ctx.onProgress?.({ phase: 'discovering themes', done: 0, total: 1 });
    const r = discoverThemes(
      comments.map((c) => ({ id: c.id, text: c.comment })),
      taxonomy,
    );
    if (r.proposals.length > 0) {
      await saveTaxonomy(db, r.taxonomy);
      taxonomy = r.taxonomy;
      proposals = r.proposals;
    }
  }
  const now = options.now ?? new Date();
  // the stored, versioned model: never retrained here, so other rows cannot move a comment's score
  const record = await currentSentiment(db, comments, now);
  const scorer: Scorer = scorerOf(record);
  const { model: _weights, adapted: _adapted, history: _history, ...sentimentModel } = record;
  const assigner = themeAssigner(taxonomy);
  const rows = comments.map((c, i) => {
    if (i % 5000 === 0)
      ctx.onProgress?.({ phase: 'scoring comments', done: i, total: comments.length, unit: 'comments' });
    const s = scorer.score(c.comment);
    const themes = assigner.assign(c.comment);
    return [c.id, s.label, s.score, scorer.name, JSON.stringify(themes), themes[0] ?? null, now] as const;
  });
  await db.transaction(async (tx) => {
    await tx.createTemp('feedback_text_in', [
      { name: 'feedback_id', type: 'varchar' },
      { name: 'label', type: 'varchar' },
      { name: 'score', type: 'double' },
      { name: 'scorer', type: 'varchar' },
      { name: 'themes', type: 'json' },
      { name: 'primary_theme', type: 'varchar' },
      { name: 'analyzed_at', type: 'timestamp' },
    ]);
    await tx.append(
      'feedback_text_in',
      [
        { name: 'feedback_id', type: 'varchar' },
        { name: 'label', type: 'varchar' },
        { name: 'score', type: 'double' },
        { name: 'scorer', type: 'varchar' },
        { name: 'themes', type: 'json' },
        { name: 'primary_theme', type: 'varchar' },
        { name: 'analyzed_at', type: 'timestamp' },
      ],
      rows,
    );
    await tx.exec(sql`DELETE FROM feedback_text`);
    await tx.exec(sql`INSERT INTO feedback_text
      SELECT feedback_id, label, score, scorer, CAST(themes AS VARCHAR[]), primary_theme, analyzed_at FROM feedback_text_in`);
    await tx.exec(sql`DROP TABLE feedback_text_in`);
  });
  return {
    comments: comments.length,
    scorer: scorer.name,
    proposals,
    taxonomy,
    sentimentModel,
  };
}

/** Runs the analysis when comments have not been analysed yet (or new ones arrived). */
export async function ensureAnalysis(db: Store, ctx: OperationContext = {}): Promise<void> {
  const r = await db.one<{ missing: number }>(sql`
    SELECT count(*) AS missing FROM feedback f
    WHERE f.comment IS NOT NULL AND trim(f.comment) <> ''
      AND NOT EXISTS (SELECT 1 FROM feedback_text t WHERE t.feedback_id = f.id)`);
  if ((r?.missing ?? 0) > 0) await analyzeWorkspace(db, {}, ctx);
}
