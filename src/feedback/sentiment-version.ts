import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readMeta, type Store, writeMeta } from '../store/index.js';
import { type AdaptedModel, adaptedScorer } from './adapt.js';
import { companyModelScorer, companyScorer } from './company-model.js';
import { lexicon } from './lexicon.js';
import type { SentimentModel } from './model.js';
import { blendedScorer, type Scorer, type SentimentLabel } from './scorer.js';

/**
 * The workspace's sentiment model, versioned (docs/feedback.md §Stable scores). A comment's score
 * depends only on its text and on this record, never on what else is in the workspace: the record
 * (the shipped scorer's version and, when it helps, the company model's weights) is written once by
 * the first analysis and afterwards only by a deliberate retrain (`feedback sentiment-train`), which
 * bumps the version and notes what changed. Every stored score carries the version that made it.
 */
export const SENTIMENT_MODEL_KEY = 'feedback.sentiment-model';

export interface SentimentVersion {
  readonly version: number;
  readonly trainedAt: string;
  /** The shipped scorer's name and content hash, e.g. `semeval-…+lexicon@1a2b3c4d`. */
  readonly base: string;
  /** Whether the company model is part of the scorer. */
  readonly company: boolean;
  /** What this version changed, in words. */
  readonly note: string;
  /** Self-labelled comments the company model saw and its cross-validated accuracy against the base. */
  readonly trainedOn?: number;
  readonly cvAccuracy?: number;
  readonly baselineAccuracy?: number;
  /** 3 when the company model is three-class (analysts' corrections say neutral): the two figures above are then macro-F1 */
  readonly classes?: 3;
  /** comments whose label an analyst corrected (feedback_labels) among those trained on */
  readonly corrected?: number;
}

export interface SentimentRecord extends SentimentVersion {
  /** The company model's weights (when `company`): binary (self-labels) … */
  readonly model?: SentimentModel;
  /** … or three-class (`classes: 3`), the adapted model of adapt.ts */
  readonly adapted?: AdaptedModel;
  /** Earlier versions, newest first (without weights). */
  readonly history: readonly SentimentVersion[];
}

let shippedVersionCache: string | undefined;

/**
 * The shipped scorer's version: its name and the first 8 hex digits of a SHA-256 over the model files
 * and the lexicon, so a developer retraining a shipped model or editing the CX lexicon changes it.
 */
export function shippedVersion(): string {
  if (shippedVersionCache) return shippedVersionCache;
  const h = createHash('sha256');
  for (const f of [
    'semeval-lr.json',
    'semeval-polarity.json',
    'semeval-three.json',
    'semeval-neutral.json',
    'glove-words.txt',
    'glove-vectors.bin',
  ]) {
    const url = new URL(`./models/${f}`, import.meta.url);
    if (existsSync(url)) h.update(readFileSync(url));
  }
  h.update(JSON.stringify([...lexicon().entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))));
  shippedVersionCache = `${blendedScorer().name}@${h.digest('hex').slice(0, 8)}`;
  return shippedVersionCache;
}

/** The label stored with each score and shown on every figure: `v3 company+semeval-…@1a2b3c4d`. */
export const versionLabel = (v: Pick<SentimentVersion, 'version' | 'company' | 'base'>): string =>
  `v${v.version} ${v.company ? 'company+' : ''}${v.base}`;

export async function loadSentimentRecord(db: Store): Promise<SentimentRecord | null> {
  return (await readMeta(db, SENTIMENT_MODEL_KEY)) as SentimentRecord | null;
}

/** The scorer a record describes (its name is the version label). */
export function scorerOf(r: SentimentRecord): Scorer {
  const name = versionLabel(r);
  if (r.company && r.adapted) return adaptedScorer(r.adapted, blendedScorer(), name);
  if (r.company && r.model) return companyModelScorer(r.model, name);
  const s = blendedScorer();
  return { name, score: (t) => s.score(t) };
}

interface Answer {
  readonly id: string;
  readonly comment: string;
  readonly kind: string;
  readonly score: number | null;
  readonly corrected?: string | null;
}

/** Trains a new record from the workspace's self-labelled comments (not stored). */
function train(
  answers: readonly Answer[],
  version: number,
  now: Date,
): Omit<SentimentRecord, 'note' | 'history'> {
  const c = companyScorer(answers);
  const used = c.used && (c.model !== undefined || c.adapted !== undefined);
  return {
    version,
    trainedAt: now.toISOString(),
    base: shippedVersion(),
    company: used,
    ...(used && c.adapted ? { adapted: c.adapted } : used ? { model: c.model } : {}),
    ...(c.report
      ? {
          trainedOn: c.report.trainedOn,
          cvAccuracy: c.report.cvAccuracy,
          baselineAccuracy: c.report.baselineAccuracy,
          ...(c.report.classes ? { classes: c.report.classes } : {}),
          ...(c.report.corrected ? { corrected: c.report.corrected } : {}),
        }
      : {}),
  };
}

const describeRecord = (r: Omit<SentimentRecord, 'note' | 'history'>): string => {
  const on = `${r.trainedOn} labelled comments${r.corrected ? ` (${r.corrected} corrected by an analyst)` : ''}`;
  const figure = r.classes === 3 ? 'three-class macro-F1' : 'accuracy';
  return r.company
    ? `${r.classes === 3 ? 'three-class ' : ''}company model on ${on} (cross-validated ${figure} ${r.cvAccuracy?.toFixed(3)} vs ${r.baselineAccuracy?.toFixed(3)} for the shipped scorer)`
    : r.trainedOn !== undefined
      ? `shipped scorer only: a company model on ${on} did not beat it (${figure} ${r.cvAccuracy?.toFixed(3)} vs ${r.baselineAccuracy?.toFixed(3)})`
      : 'shipped scorer only (fewer than 200 labelled comments for a company model)';
};

/**
 * The record analyses score with. The first analysis of a workspace writes version 1 (trained on the
 * comments there at that moment); afterwards it changes only by `retrainSentiment`, or — noted as such —
 * when a new release ships a different scorer (its version differs from the record's base).
 */
export async function currentSentiment(
  db: Store,
  answers: readonly Answer[],
  now: Date = new Date(),
): Promise<SentimentRecord> {
  const stored = await loadSentimentRecord(db);
  if (stored === null) {
    const r = train(answers, 1, now);
    const rec: SentimentRecord = { ...r, note: `first analysis: ${describeRecord(r)}`, history: [] };
    await writeMeta(db, SENTIMENT_MODEL_KEY, rec);
    return rec;
  }
  if (stored.base !== shippedVersion()) {
    const { model: _m, adapted: _a, history, ...prev } = stored;
    const rec: SentimentRecord = {
      ...stored,
      version: stored.version + 1,
      trainedAt: now.toISOString(),
      base: shippedVersion(),
      note: `the release ships a new scorer (${stored.base} → ${shippedVersion()}); company model kept as trained`,
      history: [prev, ...history],
    };
    await writeMeta(db, SENTIMENT_MODEL_KEY, rec);
    return rec;
  }
  return stored;
}

export interface RetrainResult {
  readonly previous: SentimentVersion | null;
  readonly current: SentimentVersion;
  /** Comments whose label the new version changes, by transition (`negative→positive`: n). */
  readonly changed: {
    readonly total: number;
    readonly comments: number;
    readonly byTransition: Record<string, number>;
  };
}

/** A deliberate retrain: a new version from the comments there now, with a note of what changed. */
export async function retrainSentiment(
  db: Store,
  answers: readonly Answer[],
  now: Date = new Date(),
): Promise<RetrainResult> {
  const stored = await loadSentimentRecord(db);
  const r = train(answers, (stored?.version ?? 0) + 1, now);
  const before = stored ? scorerOf(stored) : null;
  const after = scorerOf({ ...r, note: '', history: [] });
  const byTransition: Record<string, number> = {};
  let total = 0;
  if (before) {
    for (const a of answers) {
      if (!a.comment || a.comment.trim() === '') continue;
      const x: SentimentLabel = before.score(a.comment).label;
      const y: SentimentLabel = after.score(a.comment).label;
      if (x !== y) {
        total++;
        byTransition[`${x}→${y}`] = (byTransition[`${x}→${y}`] ?? 0) + 1;
      }
    }
  }
  const moved = Object.entries(byTransition)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const note = `retrained: ${describeRecord(r)}${before ? `; ${total} of ${answers.length} comments change label${moved ? ` (${moved})` : ''}` : ''}`;
  const { model: _m, adapted: _a, history = [], ...prev } = stored ?? ({} as Partial<SentimentRecord>);
  const rec: SentimentRecord = {
    ...r,
    note,
    history: stored ? [prev as SentimentVersion, ...history] : [],
  };
  await writeMeta(db, SENTIMENT_MODEL_KEY, rec);
  const { model: _w, adapted: _aw, history: _h, ...current } = rec;
  return {
    previous: stored ? (prev as SentimentVersion) : null,
    current,
    changed: { total, comments: answers.length, byTransition },
  };
}
