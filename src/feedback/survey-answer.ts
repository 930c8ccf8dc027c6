import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type ErrorDetail, isTouchpointError, TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { instant, resolveInstant } from '../core/time.js';
import { importRecords } from '../ingest/index.js';
import type { Store } from '../store/index.js';
import { createFollowUps } from './follow-ups.js';
import { getSurvey, type SurveyAnswer, type ValidatedAnswer, validateSurveyAnswer } from './surveys.js';

/** A detractor: NPS 0–6 or CSAT 1–2 (the bands of src/core/score-scales.ts). */
const isDetractor = (a: ValidatedAnswer): boolean =>
  a.score !== null && ((a.kind === 'nps' && a.score <= 6) || (a.kind === 'csat' && a.score <= 2));

export interface SurveySubmission {
  readonly survey: string;
  readonly answers: readonly SurveyAnswer[];
  readonly customerId?: string | null;
  /** Names the submission: feedback ids are `sv-<submission>-<question>`, so a retry never duplicates. */
  readonly submission: string;
  readonly ts: Date;
  /** Where it came from (`survey-link`, `cli`, `api`), kept in each feedback row's properties. */
  readonly properties: Record<string, unknown>;
  /** The import's source label. */
  readonly source: string;
}

export interface SurveySubmissionResult {
  readonly stored: number;
  readonly feedbackIds: string[];
  readonly importId: string;
  readonly followUpsCreated: number;
}

/**
 * Records one survey submission, in one transaction: each answer is validated against the survey
 * definition (every wrong field named, required questions present, none twice), stored as feedback
 * (one row per question, sharing `properties.submission`); a detractor answer with a comment — its
 * own or the submission's text answer — gets its follow-up. Nothing is stored when anything is wrong.
 * The public survey link (server), `touchpoint feedback answer` and `POST /api/v1/feedback/answer`
 * all come here.
 */
export async function recordSurveyAnswers(db: Store, s: SurveySubmission): Promise<SurveySubmissionResult> {
  return db.transaction(async (tx) => {
    const survey = await getSurvey(tx, s.survey);
    const validated: ValidatedAnswer[] = [];
    const errors: ErrorDetail[] = [];
    for (const [i, a] of s.answers.entries()) {
      try {
        validated.push(await validateSurveyAnswer(tx, s.survey, a));
      } catch (e) {
        if (!isTouchpointError(e)) throw e;
        for (const d of e.details) errors.push({ ...d, field: `answers[${i}].${d.field ?? ''}` });
      }
    }
    const given = new Set(s.answers.map((a) => a.question));
    for (const q of survey.questions)
      if (q.required && !given.has(q.id))
        errors.push({ field: `answers.${q.id}`, message: 'this question is required' });
    const seen = new Set<string>();
    for (const a of validated) {
      if (seen.has(a.question)) errors.push({ field: `answers.${a.question}`, message: 'answered twice' });
      seen.add(a.question);
    }
    if (errors.length > 0)
      throw new TouchpointError('invalid_input', `${errors[0]!.field}: ${errors[0]!.message}`, {
        details: errors,
      });
    const ts = s.ts.toISOString();
    const records = validated.map((a) => ({
      id: `sv-${s.submission}-${a.question}`,
      customer_id: s.customerId ?? undefined,
      ts,
      kind: a.kind,
      score: a.score ?? undefined,
      comment: a.comment ?? undefined,
      survey_id: a.survey_id,
      question: a.question,
      touchpoint: a.touchpoint ?? undefined,
      channel: a.channel ?? 'survey',
      properties: { ...s.properties, submission: s.submission },
    }));
    const report = await importRecords(tx, 'feedback', records, { source: s.source });
    const followUps =
      validated.some(isDetractor) && validated.some((a) => a.comment !== null)
        ? await createFollowUps(tx)
        : { created: 0 };
    return {
      stored: records.length,
      feedbackIds: records.map((r) => r.id),
      importId: report.importId,
      followUpsCreated: followUps.created,
    };
  });
}

/** One answer as a caller sends it (the survey link's body, `feedback answer --answers`). */
export const SurveyAnswerInput = z.strictObject({
  question: z.string().min(1).max(200),
  score: z.number().nullable().optional(),
  comment: z.string().max(10_000).nullable().optional(),
});
/** A JSON array of answers, as text (a flag, a file) or already parsed (a JSON body). */
const Answers = z.preprocess((v, ctx) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (e) {
    ctx.issues.push({ code: 'custom', message: `not JSON: ${(e as Error).message}`, input: v });
    return z.NEVER;
  }
}, z.array(SurveyAnswerInput).min(1).max(50));

export const answerOperation = defineOperation({
  area: 'feedback',
  verb: 'answer',
  summary:
    'Record a survey answer (a phone or paper survey, another tool): one question (--question --score --comment) or several (--answers JSON or --answers-file)',
  params: z.strictObject({
    survey: z.string().min(1).max(200).describe('the survey id'),
    question: z.string().min(1).max(200).optional().describe('one answer: the question id'),
    score: z.coerce.number().optional().describe('one answer: its score'),
    comment: z.string().max(10_000).optional().describe('one answer: its text'),
    answers: Answers.optional().describe('several answers: [{"question":…,"score":…,"comment":…}]'),
    answersFile: z.string().optional().describe('a JSON file of answers (CLI)'),
    customer: z.string().max(200).optional().describe('the customer who answered'),
    ts: instant.optional().describe('when they answered (default now)'),
    submission: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .describe('an id for this submission: sending it again stores nothing twice (default: a new one)'),
  }),
  mode: 'write',
  permission: 'ingest',
  positional: ['survey'],
  fileInputs: { answersFile: 'answers' },
  async run(db, p, ctx) {
    if ((p.answers === undefined) === (p.question === undefined))
      throw new TouchpointError(
        'invalid_input',
        'answers: give either --question (one answer) or --answers (several)',
        {
          details: [{ field: 'answers', message: 'give either question (one answer) or answers (several)' }],
        },
      );
    const answers = p.answers ?? [
      { question: p.question!, score: p.score ?? null, comment: p.comment ?? null },
    ];
    return recordSurveyAnswers(db, {
      survey: p.survey,
      answers,
      customerId: p.customer,
      submission: p.submission ?? randomUUID().replaceAll('-', '').slice(0, 20),
      ts: (await resolveInstant(db, p.ts, 'ts')) ?? ctx.now?.() ?? new Date(),
      properties: { source: 'answer', recorded_by: ctx.actor ?? null },
      source: `survey:${p.survey}`,
    });
  },
  present: (r, p) => [
    {
      text: `Stored ${r.stored} answer${r.stored === 1 ? '' : 's'} to ${p.survey} (import ${r.importId})${
        r.followUpsCreated
          ? `; ${r.followUpsCreated} follow-up${r.followUpsCreated === 1 ? '' : 's'} opened`
          : ''
      }.`,
    },
  ],
});
