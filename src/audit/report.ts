import { z } from 'zod';
import { getTeamHandoffsPerCase } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { type AnyOperation, defineOperation, type OperationContext } from '../core/operation.js';
import { resolveTimeFrame, TimeFrameParams } from '../core/time.js';
import { P_VALUES } from '../findings/index.js';
import { type EmotionFigure, getEmotion } from '../journeys/index.js';
import { getEnps } from '../people/index.js';
import { mean, nps, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { type Audit, type AuditItem, gatherItems, latestAudit } from './audit.js';
import { renderReportHtml } from './report-html.js';

/**
 * A section another capability contributes when it exists (feature detection): `src/capabilities.ts`
 * hands the report a loader that looks the operation up in the one table (e.g. `goals status`), so
 * the report imports nothing of a capability that may not be there.
 */
export interface ReportSource {
  readonly id: 'goals' | 'experiments';
  load(db: Store, ctx: OperationContext): Promise<unknown | null>;
}

/** A loader that runs `area verb` with its default parameters when the operation table has it. */
export function operationSource(
  id: ReportSource['id'],
  area: string,
  verb: string,
  find: (area: string, verb: string) => Promise<AnyOperation | undefined>,
): ReportSource {
  return {
    id,
    load: async (db, ctx) => {
      const op = await find(area, verb);
      if (!op) return null;
      return op.run(db, op.params.parse({}), ctx);
    },
  };
}

export const ReportParams = z.object({
  ...TimeFrameParams,
  out: z
    .string()
    .optional()
    .describe(
      'write the report here: FILE.html (self-contained) or FILE.pdf (headless Chromium); command line only',
    ),
});
export type ReportParams = z.output<typeof ReportParams>;

export interface Kpi {
  readonly id: string;
  readonly label: string;
  readonly family: 'loyalty' | 'success' | 'life cycle' | 'engagement';
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly unit: string;
}

export interface Goal {
  readonly id: string;
  readonly metric: string;
  readonly target: number;
  readonly due: string;
  readonly owner: string | null;
  readonly status: string;
  readonly current: number | null;
}

export interface ReportData {
  readonly title: string;
  readonly generatedAt: string;
  readonly from: string | null;
  readonly to: string | null;
  /** null when the goals capability is not there; [] when it is but no goal is set */
  readonly goals: readonly Goal[] | null;
  readonly kpis: readonly Kpi[];
  /** the touchpoints with the lowest CSAT in the period (1–5, with intervals) */
  readonly worstTouchpoints: readonly {
    touchpoint: string;
    value: number;
    low: number;
    high: number;
    n: number;
  }[];
  readonly handoffs: {
    readonly cases: number;
    readonly perCase: number | null;
    readonly top: readonly AuditItem[];
  };
  readonly audit: {
    readonly id: string | null;
    readonly createdAt: string | null;
    readonly byP: Readonly<Record<string, number>>;
    readonly top: readonly AuditItem[];
    readonly byPItems: Readonly<Record<string, readonly AuditItem[]>>;
  };
  readonly people: {
    readonly minGroup: number;
    readonly teams: readonly {
      team: string;
      teamName: string;
      enps: number | null;
      low: number | null;
      high: number | null;
      respondents: number | null;
      status: string;
    }[];
    readonly findings: readonly AuditItem[];
  };
  /** null when the experiments capability keeps no list of experiments */
  readonly experiments: readonly unknown[] | null;
  /**
   * The emotion curve of the default journey per stage, as the journey map draws it (`journey emotion`
   * for the same period): net sentiment of comments and NPS, CSAT, CES with intervals and n. Null when
   * no journey can be drawn.
   */
  readonly emotion: ReportEmotion | null;
}

export interface ReportEmotion {
  readonly journey: string;
  readonly analysedComments: number;
  readonly stages: readonly {
    readonly stage: string;
    readonly sentiment: EmotionFigure;
    readonly nps: EmotionFigure;
    readonly csat: EmotionFigure;
    readonly ces: EmotionFigure;
  }[];
}

async function emotionOf(db: Store, params: ReportParams): Promise<ReportEmotion | null> {
  try {
    const e = await getEmotion(db, {
      ...(params.from ? { from: params.from } : {}),
      ...(params.to ? { to: params.to } : {}),
      ...(params.asOf ? { asOf: params.asOf } : {}),
    });
    return {
      journey: e.journey,
      analysedComments: e.analysedComments,
      stages: e.stages.map((s) => ({
        stage: s.stage,
        sentiment: s.sentiment,
        nps: s.scores.nps,
        csat: s.scores.csat,
        ces: s.scores.ces,
      })),
    };
  } catch (err) {
    if (err instanceof TouchpointError) return null;
    throw err;
  }
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

async function kpis(db: Store, from: Date | null, to: Date | null, asOf: Date | null): Promise<Kpi[]> {
  const inFrame = sql`(${from}::TIMESTAMP IS NULL OR ts >= ${from}) AND (${to}::TIMESTAMP IS NULL OR ts < ${to})
    AND (${asOf}::TIMESTAMP IS NULL OR ts <= ${asOf})`;
  const n = await db.one<{ pro: number; pas: number; det: number }>(sql`
    SELECT count(*) FILTER (WHERE score >= 9) AS pro, count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS pas,
      count(*) FILTER (WHERE score <= 6) AS det FROM feedback WHERE kind = 'nps' AND ${inFrame}`);
  const c = await db.one<{ n: number; s: number | null; ss: number | null }>(sql`
    SELECT count(*) AS n, sum(score) AS s, sum(score * score) AS ss FROM feedback WHERE kind = 'csat' AND ${inFrame}`);
  const cc = await db.one<{ n: number; s: number | null; ss: number | null }>(sql`
    SELECT count(*) AS n, sum(score) AS s, sum(score * score) AS ss FROM feedback
    WHERE kind = 'csat' AND case_id IS NOT NULL AND ${inFrame}`);
  // life cycle: customers active before the period's end who closed their account within it
  const ch = await db.one<{ n: number; k: number }>(sql`
    SELECT count(*) AS n, count(*) FILTER (WHERE churned_at IS NOT NULL
      AND (${from}::TIMESTAMP IS NULL OR churned_at >= ${from}) AND (${to}::TIMESTAMP IS NULL OR churned_at < ${to})) AS k
    FROM customers WHERE (${to}::TIMESTAMP IS NULL OR created_at < ${to})
      AND (churned_at IS NULL OR ${from}::TIMESTAMP IS NULL OR churned_at >= ${from})`);
  const out: Kpi[] = [];
  const iv = (x: { value: number; low: number; high: number; n: number }, f: (v: number) => number) => ({
    value: Number.isFinite(x.value) ? f(x.value) : null,
    low: Number.isFinite(x.low) ? f(x.low) : null,
    high: Number.isFinite(x.high) ? f(x.high) : null,
    n: x.n,
  });
  out.push({
    id: 'nps',
    label: 'NPS',
    family: 'loyalty',
    unit: 'points',
    ...iv(nps(n!.pro, n!.pas, n!.det), r1),
  });
  out.push({
    id: 'csat',
    label: 'CSAT (all surveys)',
    family: 'success',
    unit: '1–5',
    ...iv(mean({ n: c!.n, sum: c!.s ?? 0, sumSq: c!.ss ?? 0 }), (v) => Math.round(v * 100) / 100),
  });
  out.push({
    id: 'case-csat',
    label: 'CSAT after a case',
    family: 'success',
    unit: '1–5',
    ...iv(mean({ n: cc!.n, sum: cc!.s ?? 0, sumSq: cc!.ss ?? 0 }), (v) => Math.round(v * 100) / 100),
  });
  out.push({
    id: 'churn',
    label: 'Customers who closed their account',
    family: 'life cycle',
    unit: 'share',
    ...iv(wilson(ch!.k, ch!.n), r3),
  });
  return out;
}

/**
 * The report a CX leader sends upward (issue 22.6): goals and KPIs, the worst touchpoints, handoffs,
 * the 4 P's findings of the latest stored audit (or the current findings when no audit is stored),
 * people findings with anonymity applied, and experiments. Every figure is the one the CLI's JSON
 * gives for the same period: the HTML is drawn from this object only.
 */
export async function buildReport(
  db: Store,
  params: ReportParams,
  sources: readonly ReportSource[] = [],
  ctx: OperationContext = {},
): Promise<ReportData> {
  const frame = await resolveTimeFrame(db, params);
  const now = ctx.now?.() ?? new Date();
  const audit: Audit | null = await latestAudit(db);
  const items = audit ? audit.items : (await gatherItems(db, null)).items;
  const inFrame = sql`(${frame.from}::TIMESTAMP IS NULL OR ts >= ${frame.from}) AND (${frame.to}::TIMESTAMP IS NULL OR ts < ${frame.to})`;
  const worst = await db.all<{ touchpoint: string; n: number; s: number; ss: number }>(sql`
    SELECT touchpoint, count(*) AS n, sum(score) AS s, sum(score * score) AS ss FROM feedback
    WHERE kind = 'csat' AND touchpoint IS NOT NULL AND ${inFrame} GROUP BY 1 HAVING count(*) >= 30`);
  const worstTouchpoints = worst
    .map((w) => {
      const m = mean({ n: w.n, sum: w.s, sumSq: w.ss });
      const r = (v: number) => Math.round(v * 100) / 100;
      return { touchpoint: w.touchpoint, value: r(m.value), low: r(m.low), high: r(m.high), n: w.n };
    })
    .sort((a, b) => a.value - b.value || a.touchpoint.localeCompare(b.touchpoint))
    .slice(0, 6);
  const h = await getTeamHandoffsPerCase(db);
  const enps = await getEnps(db, {});
  const load = async (id: ReportSource['id']) => {
    const s = sources.find((x) => x.id === id);
    if (!s) return null;
    try {
      return await s.load(db, ctx);
    } catch {
      return null;
    }
  };
  // `goals status` (the goals capability's contract): the current figure is { value, lo, hi, n }
  const goalsRaw = (await load('goals')) as {
    goals?: (Omit<Goal, 'current'> & { name?: string; current: { value: number } | number | null })[];
  } | null;
  const experimentsRaw = (await load('experiments')) as { experiments?: unknown[] } | null;
  const byPItems = Object.fromEntries(P_VALUES.map((p) => [p, items.filter((i) => i.p === p).slice(0, 5)]));
  return {
    title: 'Customer experience audit',
    generatedAt: now.toISOString(),
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    goals: goalsRaw
      ? (goalsRaw.goals ?? []).map((g) => ({
          id: g.id,
          metric: g.name ?? g.metric,
          target: g.target,
          due: g.due,
          owner: g.owner,
          status: g.status,
          current: typeof g.current === 'number' ? g.current : (g.current?.value ?? null),
        }))
      : null,
    kpis: [
      ...(await kpis(db, frame.from, frame.to, frame.asOf)),
      (() => {
        const org = enps.teams.find((t) => t.team === '*')?.overall;
        return {
          id: 'enps',
          label: 'Employee NPS (all pulse data)',
          family: 'engagement' as const,
          unit: 'points',
          value: org?.value ?? null,
          low: org?.low ?? null,
          high: org?.high ?? null,
          n: org?.respondents ?? 0,
        };
      })(),
    ],
    worstTouchpoints,
    handoffs: {
      cases: h.cases,
      perCase: h.perCase === null ? null : Math.round(h.perCase * 1000) / 1000,
      top: items
        .filter((i) => /handoff|ping-pong|empower|train|automate|access|own-it/.test(i.kind))
        .slice(0, 5),
    },
    audit: {
      id: audit?.id ?? null,
      createdAt: audit?.createdAt ?? null,
      byP: Object.fromEntries(P_VALUES.map((p) => [p, items.filter((i) => i.p === p).length])),
      top: items.slice(0, 10),
      byPItems,
    },
    people: {
      minGroup: enps.settings.minGroup,
      teams: enps.teams
        .filter((t) => t.team !== '*')
        .map((t) => ({
          team: t.team,
          teamName: t.teamName,
          enps: t.overall.value,
          low: t.overall.low,
          high: t.overall.high,
          respondents: t.overall.respondents,
          status: t.overall.status,
        })),
      findings: items.filter((i) => i.p === 'people').slice(0, 5),
    },
    experiments: experimentsRaw ? (experimentsRaw.experiments ?? []) : null,
    emotion: await emotionOf(db, params),
  };
}

export const CHROMIUM_PATH = process.env.TOUCHPOINT_CHROMIUM ?? '/usr/bin/chromium';

/** Prints the report's HTML to PDF with headless Chromium (playwright-core): the same document. */
export async function htmlToPdf(html: string): Promise<Uint8Array> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new TouchpointError(
      'unavailable',
      'PDF needs playwright-core and Chromium: write --out report.html instead',
    );
  }
  const browser = await chromium
    .launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--headless=new', '--disable-gpu'] })
    .catch((e: Error) => {
      throw new TouchpointError(
        'unavailable',
        `PDF needs Chromium at ${CHROMIUM_PATH} (set TOUCHPOINT_CHROMIUM): ${e.message.split('\n')[0]}`,
      );
    });
  try {
    const page = await browser.newPage();
    // no network: the document is self-contained, and any request is refused
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}

export function reportOperations(sources: readonly ReportSource[] = []) {
  return [
    defineOperation({
      area: 'report',
      verb: 'audit',
      summary: 'The audit report a CX leader sends upward: self-contained HTML or PDF (--out)',
      params: ReportParams,
      mode: 'read',
      // the CLI writes the HTML or PDF to --out; the server refuses --out and returns the HTML
      fileOutputs: { out: 'document' },
      run: async (db, params, ctx) => {
        if (params.out && !/\.(html?|pdf)$/i.test(params.out)) {
          throw new TouchpointError('invalid_input', `out: ${params.out} must end in .html or .pdf`, {
            details: [{ field: 'out', message: 'must end in .html or .pdf' }],
          });
        }
        const data = await buildReport(db, params, sources, ctx);
        const html = renderReportHtml(data);
        if (params.out) {
          const document = /\.pdf$/i.test(params.out) ? await htmlToPdf(html) : html;
          return { file: params.out, data, document };
        }
        return { file: null, data, html };
      },
      present: (r) => [
        {
          text: r.file
            ? `Report written to ${r.file}: ${r.data.audit.top.length} top findings, ${r.data.kpis.length} KPIs${r.data.goals ? `, ${r.data.goals.length} goals` : ''}.`
            : 'Give --out report.html or --out report.pdf to write the report (or --json for its figures).',
        },
      ],
    }),
  ] as const;
}
