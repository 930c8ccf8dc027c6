import { TouchpointError } from '../core/errors.js';
import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

interface FeedbackModule {
  validateSurveyAnswer?: (...args: unknown[]) => unknown;
}

const FEEDBACK_MODULE = '../feedback/index.js';
async function loadFeedback(): Promise<FeedbackModule> {
  return (await import(FEEDBACK_MODULE).catch(() => ({}))) as FeedbackModule;
}

/** Tokens being answered right now: a second request with the same token waits out the first. */
const inFlight = new Set<string>();

/**
 * A public survey answer: the single-use token names the workspace, survey and customer; the answer
 * is validated against the survey definition and stored as feedback; a detractor gets its follow-up
 * through the feedback capability. The token is spent only once the answer is committed.
 */
export async function answerSurvey(input: {
  state: ServerState;
  workspaces: Workspaces;
  survey: string;
  body: unknown;
  requestId: string;
}): Promise<Record<string, unknown>> {
  const body = (input.body ?? {}) as { token?: unknown };
  if (typeof body.token !== 'string' || body.token.length < 10 || body.token.length > 200)
    throw new TouchpointError('invalid_input', 'token: the single-use token of the survey link is required', {
      details: [{ field: 'token', message: 'required' }],
    });
  const tok = await input.state.surveyToken(body.token);
  if (!tok || tok.surveyId !== input.survey)
    throw new TouchpointError('forbidden', 'token: not a token for this survey', {
      details: [{ field: 'token', message: 'not a token for this survey' }],
    });
  if (!tok.usable || inFlight.has(tok.hash))
    throw new TouchpointError('conflict', 'token: this link was already used or has expired', {
      details: [{ field: 'token', message: 'already used or expired' }],
    });
  const feedback = await loadFeedback();
  if (!feedback.validateSurveyAnswer)
    throw new TouchpointError('unavailable', 'survey answers are not available in this build');
  inFlight.add(tok.hash);
  try {
    await input.workspaces.get(tok.workspace);
    throw new TouchpointError('unavailable', 'survey answers are not wired yet');
  } finally {
    inFlight.delete(tok.hash);
  }
}
