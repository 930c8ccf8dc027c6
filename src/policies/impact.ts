import { z } from 'zod';
import { defineOperation, type OperationContext, type Section } from '../core/operation.js';
import { ensureAnalysis, loadTaxonomy } from '../feedback/index.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { nps, npsDifference, type TestResult, twoProportions, welch, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { listPolicies, type Policy } from './catalogue.js';

const DAY = 86_400_000;

export const ImpactParams = z.object({
  policy: z.string().optional().describe('one policy (id); default every policy in the catalogue'),
  windowDays: z
    .number()
    .int()
    .min(7)
    .max(365)
    .default(90)
    .describe('days compared on each side of the effective date'),
  churnDays: z
    .number()
    .int()
    .min(7)
    .max(365)
    .default(90)
    .describe('churn: closed the account within this many days'),
});
export type ImpactParams = z.output<typeof ImpactParams>;

/** One measure before and after the effective date, with its change and the change's 95% interval. */
export interface Change {
  readonly measure: string;
  readonly scope: string;
  readonly before: number | null;
  readonly after: number | null;
  readonly nBefore: number;
  readonly nAfter: number;
  /** after − before, in the measure's unit */
  readonly change: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly p: number | null;
  /** `worse`, `better` or `no clear change` (interval includes 0) */
  readonly verdict: 'worse' | 'better' | 'no clear change' | 'not measurable';
}

export interface PolicyImpact {
  readonly policy: Policy;
  readonly windowDays: number;
  readonly changes: readonly Change[];
  /** linked themes whose comments after the date go with a lower NPS (or are mostly negative) */
  readonly negativeThemes: readonly {
    theme: string;
    mentions: number;
    npsGap: number;
    low: number;
    high: number;
  }[];
  readonly flagged: boolean;
  readonly reasons: readonly string[];
}

export interface ImpactResult {
  readonly policies: readonly PolicyImpact[];
  readonly note: string;
  readonly findings: readonly StoredFinding[];
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

function change(
  measure: string,
  scope: string,
  before: number | null,
  after: number | null,
  nBefore: number,
  nAfter: number,
  t: TestResult | null,
  worseWhen: 'up' | 'down',
  round = r4,
): Change {
  const measured = { measure, scope, before, after, nBefore, nAfter };
  if (t === null || !Number.isFinite(t.difference) || !Number.isFinite(t.low)) {
    return {
      ...measured,
      change: null,
      low: null,
      high: null,
      p: null,
      verdict: 'not measurable',
    };
  }
  // TestResult is a − b; we pass (after, before)
  const clear = t.low > 0 || t.high < 0;
  const up = t.difference > 0;
  return {
    ...measured,
    change: round(t.difference),
    low: round(t.low),
    high: round(t.high),
    p: r4(t.p),
    verdict: !clear ? 'no clear change' : up === (worseWhen === 'up') ? 'worse' : 'better',
  };
}

/**
 * Does a comment raise the theme: the latest text analysis tagged it with a taxonomy theme whose id
 * or name is the catalogue's theme, or the comment names it literally.
 */
const mentionsOf = (ids: ReadonlyMap<string, readonly string[]>) => (theme: string) =>
  sql`(list_has_any(coalesce(ft.themes, []::VARCHAR[]), ${[...(ids.get(theme) ?? [theme])]}::VARCHAR[])
    OR contains(lower(f.comment), lower(${theme})))`;

/**
 * The row of the window before the date and the one after (of a query grouped by `after`), each
 * mapped; null where that side of the window has no row.
 */
function beforeAndAfter<R extends { after: boolean }, T>(
  rows: readonly R[],
  f: (r: R) => T,
): [before: T | null, after: T | null] {
  const pick = (after: boolean) => {
    const r = rows.find((x) => x.after === after);
    return r ? f(r) : null;
  };
  return [pick(false), pick(true)];
}

async function impactOf(
  db: Store,
  p: Policy,
  params: ImpactParams,
  mentions: (theme: string) => ReturnType<typeof sql>,
): Promise<PolicyImpact> {
  const at = new Date(p.effectiveAt);
  const from = new Date(at.getTime() - params.windowDays * DAY);
  const to = new Date(at.getTime() + params.windowDays * DAY);
  const changes: Change[] = [];
  const negativeThemes: PolicyImpact['negativeThemes'][number][] = [];

  for (const theme of p.themes) {
    const r = await db.one<{ nb: number; kb: number; na: number; ka: number }>(sql`
      SELECT count(*) FILTER (WHERE f.ts < ${at}) AS nb,
        count(*) FILTER (WHERE f.ts < ${at} AND ${mentions(theme)}) AS kb,
        count(*) FILTER (WHERE f.ts >= ${at}) AS na,
        count(*) FILTER (WHERE f.ts >= ${at} AND ${mentions(theme)}) AS ka
      FROM feedback f LEFT JOIN feedback_text ft ON ft.feedback_id = f.id
      WHERE f.comment IS NOT NULL AND f.ts >= ${from} AND f.ts < ${to}`);
    const { nb, kb, na, ka } = r!;
    changes.push(
      change(
        `comments raising “${theme}” (share)`,
        'all comments',
        nb ? r4(kb / nb) : null,
        na ? r4(ka / na) : null,
        nb,
        na,
        nb && na ? twoProportions(ka, na, kb, nb) : null,
        'up',
      ),
    );
    // a negative theme: after the date, answers raising it score a lower NPS than the others
    const g = await db.all<{ m: boolean; pro: number; pas: number; det: number }>(sql`
      SELECT ${mentions(theme)} AS m, count(*) FILTER (WHERE f.score >= 9) AS pro,
        count(*) FILTER (WHERE f.score BETWEEN 7 AND 8) AS pas, count(*) FILTER (WHERE f.score <= 6) AS det
      FROM feedback f LEFT JOIN feedback_text ft ON ft.feedback_id = f.id
      WHERE f.kind = 'nps' AND f.comment IS NOT NULL AND f.ts >= ${at} AND f.ts < ${to}
      GROUP BY 1`);
    const yes = g.find((x) => x.m);
    const no = g.find((x) => !x.m);
    if (yes && no && yes.pro + yes.pas + yes.det >= 5) {
      const d = npsDifference(
        { promoters: yes.pro, passives: yes.pas, detractors: yes.det },
        { promoters: no.pro, passives: no.pas, detractors: no.det },
      );
      if (d.high < 0) {
        negativeThemes.push({
          theme,
          mentions: yes.pro + yes.pas + yes.det,
          npsGap: r2(d.difference),
          low: r2(d.low),
          high: r2(d.high),
        });
      }
    }
  }

  // NPS: answers at the linked touchpoints when there are some, else every NPS answer
  const tps = p.touchpoints as string[];
  const atTps = tps.length
    ? ((
        await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM feedback
        WHERE kind = 'nps' AND list_contains(${tps}::VARCHAR[], touchpoint) AND ts >= ${from} AND ts < ${to}`)
      )?.n ?? 0)
    : 0;
  const scope = atTps > 0 ? sql`AND list_contains(${tps}::VARCHAR[], touchpoint)` : sql``;
  const s = await db.all<{ after: boolean; pro: number; pas: number; det: number }>(sql`
    SELECT ts >= ${at} AS after, count(*) FILTER (WHERE score >= 9) AS pro,
      count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS pas, count(*) FILTER (WHERE score <= 6) AS det
    FROM feedback WHERE kind = 'nps' AND ts >= ${from} AND ts < ${to} ${scope} GROUP BY 1`);
  const [b, a] = beforeAndAfter(s, (x) => ({ promoters: x.pro, passives: x.pas, detractors: x.det }));
  changes.push(
    change(
      'NPS (points)',
      atTps > 0 ? `answers at ${tps.join(', ')}` : 'all NPS answers',
      b ? r2(nps(b.promoters, b.passives, b.detractors).value) : null,
      a ? r2(nps(a.promoters, a.passives, a.detractors).value) : null,
      b ? b.promoters + b.passives + b.detractors : 0,
      a ? a.promoters + a.passives + a.detractors : 0,
      a && b ? npsDifference(a, b) : null,
      'down',
      r2,
    ),
  );

  // contacts: cases opened per day
  const days = await db.all<{ after: boolean; n: number; sum: number; sum_sq: number }>(sql`
    WITH d AS (SELECT range AS day FROM range(${from}::TIMESTAMP, ${to}::TIMESTAMP, INTERVAL 1 DAY)),
      c AS (SELECT date_trunc('day', opened_at) AS day, count(*) AS k FROM cases
        WHERE opened_at >= ${from} AND opened_at < ${to} GROUP BY 1)
    SELECT d.day >= ${at} AS after, count(*) AS n, sum(coalesce(k, 0)) AS sum, sum(coalesce(k, 0) ^ 2) AS sum_sq
    FROM d LEFT JOIN c USING (day) GROUP BY 1`);
  const [mb, ma] = beforeAndAfter(days, (x) => ({ n: x.n, sum: x.sum, sumSq: x.sum_sq }));
  changes.push(
    change(
      'cases opened per day',
      'all cases',
      mb?.n ? r2(mb.sum / mb.n) : null,
      ma?.n ? r2(ma.sum / ma.n) : null,
      mb?.n ?? 0,
      ma?.n ?? 0,
      mb && ma && mb.sum + ma.sum > 0 ? welch(ma, mb) : null,
      'up',
      r2,
    ),
  );

  // churn: customers meeting a linked touchpoint in the window, closed within churnDays of it
  if (tps.length) {
    const c = await db.all<{ after: boolean; n: number; k: number }>(sql`
      WITH first AS (SELECT customer_id, min(ts) AS ts FROM events
        WHERE list_contains(${tps}::VARCHAR[], touchpoint) AND ts >= ${from} AND ts < ${to} AND customer_id IS NOT NULL
        GROUP BY 1)
      SELECT first.ts >= ${at} AS after, count(*) AS n,
        count(*) FILTER (WHERE cu.churned_at >= first.ts AND cu.churned_at < first.ts + to_days(${params.churnDays}::INTEGER)) AS k
      FROM first JOIN customers cu ON cu.id = first.customer_id GROUP BY 1`);
    const [cb, ca] = beforeAndAfter(c, (x) => x);
    changes.push(
      change(
        `churn within ${params.churnDays} days (share)`,
        `customers at ${tps.join(', ')}`,
        cb ? r4(wilson(cb.k, cb.n).value) : null,
        ca ? r4(wilson(ca.k, ca.n).value) : null,
        cb?.n ?? 0,
        ca?.n ?? 0,
        cb && ca ? twoProportions(ca.k, ca.n, cb.k, cb.n) : null,
        'up',
      ),
    );
  }

  const reasons: string[] = [];
  for (const t of negativeThemes) {
    reasons.push(
      `“${t.theme}” is a negative theme: answers raising it after the date score ${t.npsGap} NPS points below the others [${t.low}, ${t.high}]`,
    );
  }
  // a volume (cases per day) moves with the size of the customer base: shown, never a reason alone
  for (const c of changes)
    if (c.verdict === 'worse' && !c.measure.startsWith('cases opened'))
      reasons.push(`${c.measure} worse after the date (${c.before} → ${c.after})`);
  return {
    policy: p,
    windowDays: params.windowDays,
    changes,
    negativeThemes,
    flagged: negativeThemes.length > 0,
    reasons,
  };
}

/**
 * `policies impact`: each catalogued policy's before/after at its effective date — `windowDays` on
 * each side — on its linked themes (share of comments raising them), NPS (at its touchpoints when
 * answers are there), cases opened per day and churn of the customers meeting its touchpoints, each
 * with the change's 95% interval. A policy whose linked theme is negative after the date (answers
 * raising it score a lower NPS, interval below 0) is flagged for review. Before/after is not a
 * controlled comparison: a season or another change in the same window moves the figures too.
 * Findings of kind `policy` (p = policy) for flagged policies and those with a rate clearly worse
 * (cases per day is a volume that grows with the customer base: shown, not a reason on its own).
 */
export async function getImpact(
  db: Store,
  params: ImpactParams,
  now = new Date(),
  ctx: OperationContext = {},
): Promise<ImpactResult> {
  // themes come from the text analysis (scores and themes every comment once; new comments only after)
  await ensureAnalysis(db, ctx);
  const all = await listPolicies(db);
  const chosen = params.policy === undefined ? all : all.filter((p) => p.id === params.policy);
  const policies: PolicyImpact[] = [];
  const taxonomy = await loadTaxonomy(db);
  const ids = new Map<string, string[]>();
  for (const p of chosen)
    for (const t of p.themes) {
      const low = t.toLowerCase();
      ids.set(t, [
        t,
        ...taxonomy.themes.filter((x) => x.id === t || x.name.toLowerCase() === low).map((x) => x.id),
      ]);
    }
  for (const p of chosen) policies.push(await impactOf(db, p, params, mentionsOf(ids)));
  const findings: Finding[] = [];
  for (const pi of policies) {
    if (pi.reasons.length === 0) continue;
    const worst = pi.changes
      .filter((c) => c.verdict === 'worse' && c.p !== null)
      .sort((a, b) => a.p! - b.p!)[0];
    const theme = pi.negativeThemes[0];
    const main = worst ?? pi.changes[0]!;
    findings.push({
      kind: 'policy',
      p: 'policy',
      title: `Policy “${pi.policy.name}” (from ${pi.policy.effectiveAt.slice(0, 10)}): ${pi.reasons[0]}`,
      slice: { policy: pi.policy.id },
      metric: main.measure,
      value: main.after,
      baseline: main.before,
      ciLow: main.low,
      ciHigh: main.high,
      n: main.nAfter,
      smallSample: main.nAfter < 30 || main.nBefore < 30,
      score: pi.reasons.length + (theme ? Math.abs(theme.npsGap) / 10 : 0),
      customersAffected: main.measure.startsWith('churn') ? main.nAfter : null,
      evidence: {
        analysis: 'policies.impact',
        params: { policy: pi.policy.id, windowDays: pi.windowDays },
        changes: pi.changes,
        negativeThemes: pi.negativeThemes,
      },
      ownerTeam: pi.policy.owner,
    });
  }
  const stored = await writeFindings(db, 'policies.impact', { windowDays: params.windowDays }, findings, now);
  return {
    policies,
    note: 'Before/after at the effective date is not a controlled comparison: seasons and other changes in the same window move these figures too.',
    findings: stored,
  };
}

export const impactOperation = defineOperation({
  area: 'policies',
  verb: 'impact',
  summary: 'Each policy’s before/after at its effective date on themes, NPS, contacts and churn',
  params: ImpactParams,
  mode: 'write',
  listField: 'policies',
  run: (db, params, ctx) => getImpact(db, params, ctx.now?.(), ctx),
  present: (r): Section[] => [
    ...r.policies.map((pi) => ({
      title: `${pi.flagged ? '⚑ ' : ''}${pi.policy.name} — effective ${pi.policy.effectiveAt.slice(0, 10)}, owner ${pi.policy.owner ?? '—'} (${pi.windowDays} days each side)`,
      rows: pi.changes.map((c) => ({
        measure: c.measure,
        scope: c.scope,
        before: c.before ?? '',
        after: c.after ?? '',
        change: c.change === null ? '' : `${c.change} [${c.low}, ${c.high}]`,
        verdict: c.verdict,
      })),
    })),
    { text: r.note },
  ],
});
