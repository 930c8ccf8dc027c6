import { z } from 'zod';
import { type ErrorDetail, TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { type Store, sql } from '../store/index.js';

export const QUESTION_TYPES = ['nps', 'csat', 'ces', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Score range per question type (NPS 0–10, CSAT 1–5, CES 1–7; text has none), from score-scales.ts. */
export const SCALE: Record<Exclude<QuestionType, 'text'>, readonly [number, number]> = {
  nps: [SCORE_SCALES.nps.min, SCORE_SCALES.nps.max],
  csat: [SCORE_SCALES.csat.min, SCORE_SCALES.csat.max],
  ces: [SCORE_SCALES.ces.min, SCORE_SCALES.ces.max],
};

export const SurveyQuestion = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a question id is letters, digits, - or _'),
  type: z.enum(QUESTION_TYPES),
  text: z.string().min(1),
  required: z.boolean().default(false),
});
export type SurveyQuestion = z.output<typeof SurveyQuestion>;

export interface Survey {
  readonly id: string;
  readonly name: string;
  /** the touchpoint whose event triggers the survey */
  readonly touchpoint: string | null;
  readonly channel: string | null;
  readonly questions: readonly SurveyQuestion[];
  readonly createdAt: string;
}

export async function getSurvey(db: Store, id: string): Promise<Survey> {
  const r = await db.one<{
    id: string;
    name: string;
    touchpoint: string | null;
    channel: string | null;
    questions: string;
    created_at: string;
  }>(sql`SELECT * FROM surveys WHERE id = ${id}`);
  if (!r) throw new TouchpointError('not_found', `no survey ${id}`);
  return {
    id: r.id,
    name: r.name,
    touchpoint: r.touchpoint,
    channel: r.channel,
    questions: z.array(SurveyQuestion).parse(storedQuestions(r.questions)),
    createdAt: r.created_at,
  };
}

/** Stored questions; imported definitions may spell the type `kind` (as the demo does). */
function storedQuestions(value: unknown): unknown[] {
  const list = (typeof value === 'string' ? JSON.parse(value) : value) as unknown;
  if (!Array.isArray(list)) return [];
  return list.map((q) => {
    const o = (q ?? {}) as Record<string, unknown>;
    return o.type === undefined && o.kind !== undefined ? { ...o, type: o.kind } : o;
  });
}

export async function listSurveys(db: Store): Promise<Survey[]> {
  const ids = await db.all<{ id: string }>(sql`SELECT id FROM surveys ORDER BY id`);
  return Promise.all(ids.map((r) => getSurvey(db, r.id)));
}

/**
 * Defines (or redefines) a survey. Questions come as `type:id:text` strings, e.g.
 * `nps:recommend:How likely are you to recommend us?`; a trailing `*` on the type marks it required
 * (`nps*:…`).
 */
export async function defineSurvey(
  db: Store,
  input: { id: string; name: string; touchpoint?: string; channel?: string; questions: readonly string[] },
  now: Date = new Date(),
): Promise<Survey> {
  const questions = input.questions.map((q, i) => {
    const m = /^([a-z]+)(\*?):([^:]+):(.+)$/.exec(q.trim());
    if (!m)
      throw new TouchpointError(
        'invalid_input',
        `question ${i + 1}: write it as type:id:text (e.g. nps:recommend:How likely…?)`,
        {
          details: [{ field: `questions.${i}`, message: 'expected type:id:text' }],
        },
      );
    const r = SurveyQuestion.safeParse({ type: m[1], required: m[2] === '*', id: m[3], text: m[4] });
    if (!r.success)
      throw new TouchpointError('invalid_input', `question ${i + 1}: ${r.error.issues[0]!.message}`, {
        details: r.error.issues.map((x) => ({
          field: `questions.${i}.${x.path.join('.')}`,
          message: x.message,
        })),
      });
    return r.data;
  });
  if (questions.length === 0)
    throw new TouchpointError('invalid_input', 'a survey needs at least one question');
  const ids = new Set<string>();
  for (const q of questions) {
    if (ids.has(q.id)) throw new TouchpointError('invalid_input', `question id ${q.id} appears twice`);
    ids.add(q.id);
  }
  await db.exec(sql`INSERT OR REPLACE INTO surveys (id, name, touchpoint, channel, questions, created_at)
    VALUES (${input.id}, ${input.name}, ${input.touchpoint ?? null}, ${input.channel ?? null}, ${JSON.stringify(questions)}, ${now})`);
  return getSurvey(db, input.id);
}

export interface SurveyAnswer {
  readonly question: string;
  readonly score?: number | null;
  readonly comment?: string | null;
}

/** A validated answer, in the shape of a `feedback` record (the ingest API's canonical fields). */
export interface ValidatedAnswer {
  readonly survey_id: string;
  readonly question: string;
  readonly kind: QuestionType;
  readonly score: number | null;
  readonly comment: string | null;
  readonly touchpoint: string | null;
  readonly channel: string | null;
}

/**
 * Checks an answer against its survey's definition: the question exists, a scored question has an
 * integer score in its range, a text question has a comment and no score. Throws one
 * `TouchpointError('invalid_input')` naming every wrong field; returns the feedback record to store.
 */
export async function validateSurveyAnswer(
  db: Store,
  surveyId: string,
  answer: SurveyAnswer,
): Promise<ValidatedAnswer> {
  const survey = await getSurvey(db, surveyId);
  const q = survey.questions.find((x) => x.id === answer.question);
  const details: ErrorDetail[] = [];
  if (!q) {
    details.push({
      field: 'question',
      message: `survey ${surveyId} has no question ${JSON.stringify(answer.question)}; it has ${survey.questions.map((x) => x.id).join(', ')}`,
    });
  } else if (q.type === 'text') {
    if (answer.score !== undefined && answer.score !== null)
      details.push({ field: 'score', message: 'a text question takes no score' });
    if (!answer.comment || answer.comment.trim() === '')
      details.push({ field: 'comment', message: 'a text question needs a comment' });
  } else {
    const [lo, hi] = SCALE[q.type];
    const s = answer.score;
    if (s === undefined || s === null)
      details.push({
        field: 'score',
        message: `a ${q.type.toUpperCase()} question needs a score ${lo}–${hi}`,
      });
    else if (typeof s !== 'number' || !Number.isInteger(s) || s < lo || s > hi)
      details.push({
        field: 'score',
        message: `${String(s)} is not a whole number in the ${q.type.toUpperCase()} range ${lo}–${hi}`,
      });
  }
  if (answer.comment && answer.comment.length > 10_000)
    details.push({ field: 'comment', message: 'a comment is at most 10,000 characters' });
  if (details.length > 0) {
    const d = details[0]!;
    throw new TouchpointError('invalid_input', `${d.field}: ${d.message}`, { details });
  }
  return {
    survey_id: survey.id,
    question: q!.id,
    kind: q!.type,
    score: q!.type === 'text' ? null : (answer.score as number),
    comment: answer.comment?.trim() ? answer.comment : null,
    touchpoint: survey.touchpoint,
    channel: survey.channel,
  };
}

export const surveyOperations = [
  defineOperation({
    area: 'feedback',
    verb: 'surveys',
    summary: 'Survey definitions: questions (NPS, CSAT, CES, text) and the touchpoint that triggers each',
    params: z.object({}),
    mode: 'read',
    listField: 'surveys',
    run: async (db) => ({ surveys: await listSurveys(db) }),
    present: (r) => [
      {
        rows: r.surveys.map((s) => ({
          id: s.id,
          name: s.name,
          touchpoint: s.touchpoint ?? '',
          channel: s.channel ?? '',
          questions: s.questions.map((q) => `${q.type}:${q.id}${q.required ? '*' : ''}`).join(', '),
        })),
      },
    ],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'survey-define',
    summary: 'Define or replace a survey: --question nps:recommend:How likely…? (repeat; type* = required)',
    params: z.object({
      id: z.string().regex(/^[A-Za-z0-9_-]+$/),
      name: z.string().min(1),
      touchpoint: z.string().optional().describe('the touchpoint that triggers the survey'),
      channel: z.string().optional(),
      question: z
        .array(z.string())
        .min(1)
        .describe('type:id:text, e.g. csat:support:How satisfied were you?'),
    }),
    mode: 'write',
    positional: ['id'],
    run: (db, p, ctx) =>
      defineSurvey(
        db,
        { id: p.id, name: p.name, touchpoint: p.touchpoint, channel: p.channel, questions: p.question },
        ctx.now?.() ?? new Date(),
      ),
  }),
] as const;
