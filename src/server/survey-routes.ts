import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { validate } from '../core/params.js';
import { getSurvey } from '../feedback/index.js';
import { actorOf, type Handler, type ServerContext } from './context.js';
import { Limiter } from './limits.js';
import { answerSurvey, surveyDefinition } from './survey.js';

const CreateLink = z.strictObject({
  survey: z.string().min(1).max(200),
  perHour: z.number().int().min(1).max(100_000).default(600),
});
const RevokeLink = z.strictObject({ link: z.string().min(1).max(100) });
const LinkToken = z.strictObject({ link: z.string().min(1).max(100) });

const SurveyTokens = z.strictObject({
  survey: z.string().min(1).max(200),
  count: z.number().int().min(1).max(10_000).default(1),
  customerIds: z.array(z.string().max(200)).max(10_000).optional(),
  expiresInDays: z.number().int().min(1).max(365).default(30),
});

/** Survey links: issuing single-use tokens (admin), and the public definition and answer routes. */
export function surveyHandlers(ctx: ServerContext): Record<string, Handler> {
  const { state, workspaces } = ctx;
  /** Tokens handed out per public link and hour, one limiter per configured rate. */
  const perLink = new Map<number, Limiter>();
  const surveyExists = async (workspace: string, survey: string) => {
    const ws = await workspaces.get(workspace);
    const exists = await ws.read((db) =>
      getSurvey(db, survey).then(
        () => true,
        () => false,
      ),
    );
    if (!exists)
      throw new TouchpointError('not_found', `survey: no survey ${survey} in workspace ${workspace}`, {
        details: [{ field: 'survey', message: 'no such survey' }],
      });
  };
  return {
    'admin.survey-links.create': async (req, _reply, g) => {
      const body = validate(CreateLink, req.body ?? {});
      await surveyExists(g.workspace, body.survey);
      const link = await state.surveys.createPublicLink({
        workspace: g.workspace,
        surveyId: body.survey,
        perHour: body.perHour,
        createdBy: actorOf(g.principal),
      });
      await ctx.audit(req, g, 'survey.link.create', body.survey, { link, perHour: body.perHour });
      const page = `${ctx.url()}/s/${encodeURIComponent(body.survey)}?link=${link}`;
      return {
        survey: body.survey,
        link,
        perHour: body.perHour,
        page,
        tokens: `${ctx.url()}/s/${encodeURIComponent(body.survey)}/tokens`,
      };
    },
    'admin.survey-links.revoke': async (req, _reply, g) => {
      const body = validate(RevokeLink, req.body ?? {});
      if (!(await state.surveys.revokePublicLink(g.workspace, body.link)))
        throw new TouchpointError('not_found', 'link: no active public link with this id in this workspace', {
          details: [{ field: 'link', message: 'no active public link with this id in this workspace' }],
        });
      await ctx.audit(req, g, 'survey.link.revoke', body.link);
      return { revoked: body.link };
    },
    'survey.token': async (req) => {
      const survey = (req.params as { survey: string }).survey;
      const body = validate(LinkToken, req.body ?? {});
      const link = await state.surveys.publicLink(body.link);
      if (!link?.active || link.surveyId !== survey)
        throw new TouchpointError('forbidden', 'link: not an active public link of this survey', {
          details: [{ field: 'link', message: 'not an active public link of this survey' }],
        });
      const limiter = perLink.get(link.perHour) ?? new Limiter(link.perHour, 3_600_000);
      perLink.set(link.perHour, limiter);
      limiter.take(`link:${body.link}`, 'tokens of one public link');
      const [t] = await state.surveys.issueSurveyTokens({
        workspace: link.workspace,
        surveyId: survey,
        customerIds: [null],
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      const base = `${ctx.url()}/s/${encodeURIComponent(survey)}`;
      return { token: t, page: `${base}?t=${t}`, endpoint: `${base}/answers`, expiresInHours: 24 };
    },
    'admin.survey-tokens': async (req, _reply, g) => {
      const body = validate(SurveyTokens, req.body ?? {});
      await surveyExists(g.workspace, body.survey);
      const customers = body.customerIds ?? Array.from({ length: body.count }, () => null);
      const tokens = await state.surveys.issueSurveyTokens({
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
