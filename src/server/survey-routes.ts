import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { getSurvey } from '../feedback/index.js';
import type { Handler, ServerContext } from './context.js';
import { answerSurvey, surveyDefinition } from './survey.js';

const SurveyTokens = z.strictObject({
  survey: z.string().min(1).max(200),
  count: z.number().int().min(1).max(10_000).default(1),
  customerIds: z.array(z.string().max(200)).max(10_000).optional(),
  expiresInDays: z.number().int().min(1).max(365).default(30),
});

/** Survey links: issuing single-use tokens (admin), and the public definition and answer routes. */
export function surveyHandlers(ctx: ServerContext): Record<string, Handler> {
  const { state, workspaces } = ctx;
  return {
    'admin.survey-tokens': async (req, _reply, g) => {
      const body = validate(SurveyTokens, req.body ?? {});
      const ws = await workspaces.get(g.workspace);
      const exists = await ws.read((db) =>
        getSurvey(db, body.survey).then(
          () => true,
          () => false,
        ),
      );
      if (!exists)
        throw new TouchpointError(
          'not_found',
          `survey: no survey ${body.survey} in workspace ${g.workspace}`,
          {
            details: [{ field: 'survey', message: 'no such survey' }],
          },
        );
      const customers = body.customerIds ?? Array.from({ length: body.count }, () => null);
      const tokens = await state.issueSurveyTokens({
        workspace: g.workspace,
        surveyId: body.survey,
        customerIds: customers,
        expiresAt: new Date(Date.now() + body.expiresInDays * 86_400_000),
      });
      await ctx.audit(req, g, 'survey.tokens', body.survey, { count: tokens.length });
      return {
        survey: body.survey,
        endpoint: `${ctx.url()}/s/${encodeURIComponent(body.survey)}/answers`,
        tokens: tokens.map((t, i) => ({ token: t, customerId: customers[i] ?? null })),
      };
    },
    'survey.definition': async (req) =>
      surveyDefinition({
        state,
        workspaces,
        survey: (req.params as { survey: string }).survey,
        token: (req.query as { t?: unknown }).t,
      }),
    'survey.answer': async (req) => {
      const survey = (req.params as { survey: string }).survey;
      return answerSurvey({ state, workspaces, survey, body: req.body, requestId: req.id });
    },
  };
}
