import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { getSurvey, recordSurveyAnswers, SurveyAnswerInput } from '../feedback/index.js';
import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

/** One answer (`question`, `score`, `comment`) or several (`answers: [...]`), with the link's token. */
const Body = z.union([
  z.strictObject({ token: z.string().min(10).max(200), answers: z.array(SurveyAnswerInput).min(1).max(50) }),
  SurveyAnswerInput.extend({ token: z.string().min(10).max(200) }),
]);

/**
 * The survey's questions for the respondent page, shown only to the holder of a token for that
 * survey (so definitions are not public); a spent or expired token answers 409.
 */
export async function surveyDefinition(input: {
  state: ServerState;
  workspaces: Workspaces;
  survey: string;
  token: unknown;
}): Promise<Record<string, unknown>> {
  if (typeof input.token !== 'string' || input.token.length < 10 || input.token.length > 200)
    throw new TouchpointError('invalid_input', 't: the token of the survey link is required', {
      details: [{ field: 't', message: 'required' }],
    });
  const tok = await input.state.surveys.surveyToken(input.token);
  if (!tok || tok.surveyId !== input.survey)
    throw new TouchpointError('forbidden', 't: not a token for this survey', {
      details: [{ field: 't', message: 'not a token for this survey' }],
    });
  if (!tok.usable)
    throw new TouchpointError('conflict', 't: this link was already used or has expired', {
      details: [{ field: 't', message: 'already used or expired' }],
    });
  const ws = await input.workspaces.get(tok.workspace);
  const s = await ws.read((db) => getSurvey(db, tok.surveyId));
  return { id: s.id, name: s.name, questions: s.questions };
}

/** Tokens being answered right now: a concurrent second request with the same token is refused. */
const inFlight = new Set<string>();

/**
 * A public survey answer: the single-use token names the workspace, survey and customer; the
 * feedback capability's `recordSurveyAnswers` (also `touchpoint feedback answer`) validates, stores
 * and opens follow-ups in one transaction, committed before the reply. Feedback ids derive from the
 * token and question, so a retry never duplicates, and the token is spent only after the answer is
 * stored.
 */
export async function answerSurvey(input: {
  state: ServerState;
  workspaces: Workspaces;
  survey: string;
  body: unknown;
  requestId: string;
}): Promise<Record<string, unknown>> {
  const raw = (input.body ?? {}) as { token?: unknown };
  if (typeof raw !== 'object' || typeof raw.token !== 'string')
    throw new TouchpointError('invalid_input', 'token: the single-use token of the survey link is required', {
      details: [{ field: 'token', message: 'required' }],
    });
  const body = validate(Body, input.body);
  const tok = await input.state.surveys.surveyToken(body.token);
  if (!tok || tok.surveyId !== input.survey)
    throw new TouchpointError('forbidden', 'token: not a token for this survey', {
      details: [{ field: 'token', message: 'not a token for this survey' }],
    });
  if (!tok.usable || inFlight.has(tok.hash))
    throw new TouchpointError('conflict', 'token: this link was already used or has expired', {
      details: [{ field: 'token', message: 'already used or expired' }],
    });
  inFlight.add(tok.hash);
  try {
    // re-read now that this request holds the token: an answer that finished meanwhile has spent it
    if (!(await input.state.surveys.surveyToken(body.token))?.usable)
      throw new TouchpointError('conflict', 'token: this link was already used or has expired', {
        details: [{ field: 'token', message: 'already used or expired' }],
      });
    const ws = await input.workspaces.get(tok.workspace);
    const answers =
      'answers' in body
        ? body.answers
        : [{ question: body.question, score: body.score, comment: body.comment }];
    // the feedback capability validates, stores and opens follow-ups, in one transaction
    const result = await ws.write((db) =>
      recordSurveyAnswers(db, {
        survey: tok.surveyId,
        answers,
        customerId: tok.customerId,
        submission: createHash('sha256').update(tok.hash).digest('hex').slice(0, 20),
        ts: new Date(),
        properties: { source: 'survey-link', request_id: input.requestId },
        source: `survey:${tok.surveyId}`,
      }),
    );
    await input.state.surveys.useSurveyToken(tok.hash);
    return { ...result };
  } finally {
    inFlight.delete(tok.hash);
  }
}
