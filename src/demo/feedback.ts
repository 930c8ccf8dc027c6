import { JOINERS, OFF_TOPIC, type Template, THEME_BY_NAME, THEMES, type Tone, typo } from './comments.js';
import type { Plant } from './manifest.js';
import type { Rng } from './rng.js';
import {
  AS_OF,
  type CustomerState,
  clamp,
  DAY,
  HOUR,
  MINUTE,
  type Out,
  type Persona,
  START,
} from './world.js';

/**
 * Surveys, answers and comments. NPS relationship survey (~30% of customers), CSAT after delivery and
 * after a case closes (with `case_id`), CES after checkout and after support, a few free-text reviews.
 *
 * Plant: a return fee introduced mid-year (`RETURN_FEE_POLICY`; journeys.ts charges it on returns
 * from that date): customers who paid it answer NPS lower, raise 'return fee' in their comments and
 * churn more. Decoy: 'packaging' is mentioned often but neutrally and moves no score.
 */
export const RETURN_FEE_POLICY = {
  from: Date.UTC(2026, 4, 1),
  fee: 4.95,
  /** Points off the 0–10 NPS answer of a customer who paid the fee (scaled by price sensitivity). */
  npsPenalty: 2.2,
  /** Drop in the chance of ordering again after paying the fee (journeys.ts). */
  continuePenalty: 0.12,
  /** Extra chance that a lapsing fee payer closes the account (journeys.ts). */
  churnBoost: 0.2,
} as const;

const NPS_BASE: Readonly<Record<Persona, number>> = {
  'bargain hunter': 7.0,
  'loyal regular': 8.6,
  'digital native': 7.6,
  'traditional shopper': 7.8,
  'busy professional': 7.3,
};

export const SURVEYS = [
  {
    id: 'nps-relationship',
    questionId: 'recommend',
    name: 'Relationship NPS',
    touchpoint: null,
    channel: 'email',
    question: 'How likely are you to recommend Lumen Outdoor to a friend or colleague?',
    kind: 'nps',
  },
  {
    id: 'csat-delivery',
    questionId: 'delivery',
    name: 'Delivery CSAT',
    touchpoint: 'delivery',
    channel: 'email',
    question: 'How satisfied are you with the delivery of your order?',
    kind: 'csat',
  },
  {
    id: 'csat-case',
    questionId: 'handling',
    name: 'Support case CSAT',
    touchpoint: 'support',
    channel: null,
    question: 'How satisfied are you with how we handled your request?',
    kind: 'csat',
  },
  {
    id: 'ces-checkout',
    questionId: 'effort',
    name: 'Checkout effort',
    touchpoint: 'checkout',
    channel: null,
    question: 'How easy was it to place your order? (7 = very easy)',
    kind: 'ces',
  },
  {
    id: 'ces-support',
    questionId: 'effort',
    name: 'Support effort',
    touchpoint: 'support',
    channel: null,
    question: 'How easy was it to get your issue resolved? (7 = very easy)',
    kind: 'ces',
  },
  {
    id: 'csat-gift-wrap',
    questionId: 'gift-wrap',
    name: 'Gift wrapping CSAT',
    touchpoint: 'gift wrapping',
    channel: 'email',
    question: 'How satisfied were you with the gift wrapping?',
    kind: 'csat',
  },
] as const;

/** The question id an answer carries in `feedback.question` (the survey definition's question id). */
const question = (id: string) => SURVEYS.find((s) => s.id === id)!.questionId;

export function surveyRows(): (string | number | null)[][] {
  return SURVEYS.map((s) => [
    s.id,
    s.name,
    s.touchpoint,
    s.channel,
    JSON.stringify([
      { id: s.questionId, type: s.kind, text: s.question, required: true },
      { id: 'comment', type: 'text', text: 'Anything you would like to add?', required: false },
    ]),
    START,
  ]);
}

interface Experience {
  late: number;
  feePaid: boolean;
  returned: boolean;
  apparelReturn: boolean;
  usedApp: boolean;
  abandoned: boolean;
  badCase: boolean;
  goodCase: boolean;
}

function experienceBefore(c: CustomerState, ts: number): Experience {
  const e: Experience = {
    late: 0,
    feePaid: false,
    returned: false,
    apparelReturn: false,
    usedApp: false,
    abandoned: false,
    badCase: false,
    goodCase: false,
  };
  for (const o of c.orders) {
    if (o.checkoutAt >= ts) break;
    if (o.channel === 'app') e.usedApp = true;
    if (!o.completed) e.abandoned = true;
    if (o.late && o.deliveredAt !== undefined && o.deliveredAt < ts) e.late++;
    if (o.returnedAt !== undefined && o.returnedAt < ts) {
      e.returned = true;
      if (o.product === 'jackets' || o.product === 'footwear') e.apparelReturn = true;
      if (o.returnFee) e.feePaid = true;
    }
  }
  for (const k of c.cases) {
    if (k.closedAt === null || k.closedAt >= ts) continue;
    if (k.csatShift < -0.5) e.badCase = true;
    else if (k.csatShift > -0.1) e.goodCase = true;
  }
  return e;
}

/** Theme weights for a comment, from what the customer went through. */
function themeWeights(e: Experience, priceSensitivity: number): [string, number][] {
  return [
    ['delivery delay', e.late > 0 ? 3 : 0.15],
    ['return fee', e.feePaid ? 4 * (0.5 + priceSensitivity) : 0],
    ['refund process', e.returned ? 1.2 : 0.1],
    ['rude agent', e.badCase ? 1.5 : 0.05],
    ['friendly staff', e.goodCase ? 1.2 : 0.25],
    ['product quality', 1.4],
    ['sizing', e.apparelReturn ? 1.5 : 0.35],
    ['app crashes', e.usedApp ? 0.6 : 0.05],
    ['checkout friction', e.abandoned ? 0.8 : 0.2],
    ['warranty', 0.2],
    ['packaging', 1.1],
  ];
}

function pickTemplate(themeName: string, tone: Tone, rng: Rng): Template {
  const def = THEME_BY_NAME.get(themeName)!;
  if (rng.chance(0.7)) {
    const matching = def.templates.filter((t) => t.tone === tone);
    if (matching.length > 0) return rng.pick(matching);
  }
  return rng.pick(def.templates);
}

const toneOf = (score: number, max: number): Tone => {
  const r = score / max;
  return r >= 0.85 ? 'pos' : r >= 0.65 ? 'neu' : 'neg';
};

/** Builds a comment from weighted themes; returns text and the templates used. */
function compose(
  weights: readonly [string, number][],
  tone: Tone,
  rng: Rng,
): { text: string; used: Template[] } {
  if (rng.chance(0.05)) {
    const t = rng.pick(OFF_TOPIC);
    return { text: t.text, used: [t] };
  }
  const names = weights.map((w) => w[0]);
  const ws = weights.map((w) => w[1]);
  const first = pickTemplate(rng.weighted(names, ws), tone, rng);
  const used = [first];
  let text = first.text;
  if (rng.chance(0.18)) {
    const otherNames = names.filter((n) => n !== first.theme);
    const otherWs = weights.filter((w) => w[0] !== first.theme).map((w) => w[1]);
    const second = pickTemplate(rng.weighted(otherNames, otherWs), tone, rng);
    used.push(second);
    const joiner = rng.pick(JOINERS);
    const tail =
      joiner.endsWith(' ') && joiner.length > 2
        ? second.text[0]!.toLowerCase() + second.text.slice(1)
        : second.text;
    text = `${text}${joiner}${tail}`;
  }
  if (rng.chance(0.15)) text = typo(text, () => rng.next());
  if (rng.chance(0.08)) text = text.toLowerCase();
  return { text, used };
}

function writeComment(out: Out, feedbackId: string, used: readonly Template[]): void {
  for (const t of used) out.truthComment(feedbackId, t.theme, t.id, t.heldOut);
}

export function simulateFeedback(c: CustomerState, rng: Rng, out: Out): void {
  const h = c.hidden;
  const end = Math.min(AS_OF, c.churnedAt ?? AS_OF);

  // Relationship NPS
  if (rng.chance(0.16 + 0.28 * h.engagement)) {
    const from = c.createdAt + 10 * DAY;
    const to = Math.min(end, c.lastActivity + 60 * DAY);
    if (to > from) {
      const ts = from + rng.int(to - from);
      const e = experienceBefore(c, ts);
      const latent =
        NPS_BASE[h.persona] +
        1.2 * (h.engagement - 0.5) -
        1.1 * Math.min(e.late, 2) -
        (e.feePaid ? RETURN_FEE_POLICY.npsPenalty * (0.5 + h.priceSensitivity) : 0) -
        (e.badCase ? 0.9 : 0) +
        (e.goodCase ? 0.4 : 0) +
        rng.normal(0, 1.7);
      const score = Math.round(clamp(latent, 0, 10));
      const hasComment = rng.chance(score <= 6 ? 0.65 : 0.45);
      const composed = hasComment
        ? compose(themeWeights(e, h.priceSensitivity), toneOf(score, 10), rng)
        : null;
      const id = out.feedback({
        customerId: c.id,
        ts,
        channel: h.digitalAffinity > 0.5 && rng.chance(0.5) ? 'app' : 'email',
        touchpoint: null,
        kind: 'nps',
        score,
        comment: composed?.text ?? null,
        surveyId: 'nps-relationship',
        question: question('nps-relationship'),
      });
      if (composed) writeComment(out, id, composed.used);
    }
  }

  for (const o of c.orders) {
    // CES after checkout
    if (o.completed && rng.chance(0.08)) {
      const ts = o.checkoutAt + rng.range(10, 90) * MINUTE;
      if (ts < end) {
        const score = Math.round(clamp(5.6 - (o.channel === 'app' ? 0.35 : 0) + rng.normal(0, 1.1), 1, 7));
        out.feedback({
          customerId: c.id,
          ts,
          channel: o.channel,
          touchpoint: 'checkout',
          kind: 'ces',
          score,
          comment: null,
          surveyId: 'ces-checkout',
          question: question('ces-checkout'),
        });
      }
    }
    // CSAT after delivery: collapses when late
    if (o.deliveredAt !== undefined && o.channel !== 'store' && rng.chance(0.22)) {
      const ts = o.deliveredAt + rng.range(2, 72) * HOUR;
      if (ts < end) {
        const score = Math.round(
          clamp((o.late ? 2.6 : 4.3) + 0.3 * (h.patience - 0.5) + rng.normal(0, 0.85), 1, 5),
        );
        let composed: { text: string; used: Template[] } | null = null;
        if (rng.chance(0.3)) {
          const weights: [string, number][] = [
            ['delivery delay', o.late ? 4 : 0.1],
            ['packaging', 1.2],
            ['product quality', 0.8],
            ['sizing', 0.4],
          ];
          composed = compose(weights, toneOf(score, 5), rng);
        }
        const id = out.feedback({
          customerId: c.id,
          ts,
          channel: o.channel,
          touchpoint: 'delivery',
          kind: 'csat',
          score,
          comment: composed?.text ?? null,
          surveyId: 'csat-delivery',
          question: question('csat-delivery'),
        });
        if (composed) writeComment(out, id, composed.used);
      }
    }
  }

  // After a case closes: CSAT (and sometimes CES), tied to the case
  for (const k of c.cases) {
    if (k.closedAt === null) continue;
    if (rng.chance(0.35)) {
      const ts = k.closedAt + rng.range(1, 48) * HOUR;
      if (ts < AS_OF) {
        const score = Math.round(clamp(4.15 + k.csatShift + rng.normal(0, 0.8), 1, 5));
        let composed: { text: string; used: Template[] } | null = null;
        if (rng.chance(0.35)) {
          const weights: [string, number][] = [
            ['friendly staff', score >= 4 ? 2 : 0.2],
            ['rude agent', score <= 2 ? 1.5 : 0.1],
            ['refund process', k.reason === 'refund status' || k.reason === 'billing dispute' ? 1.5 : 0.1],
            ['delivery delay', k.reason === 'order status' || k.reason === 'delivery problem' ? 1.5 : 0.05],
            ['warranty', k.reason === 'product defect' ? 1.2 : 0.05],
            ['app crashes', k.reason === 'app issue' ? 1.5 : 0.02],
          ];
          composed = compose(weights, toneOf(score, 5), rng);
        }
        const id = out.feedback({
          customerId: c.id,
          ts,
          channel: k.channel,
          touchpoint: 'support',
          kind: 'csat',
          score,
          comment: composed?.text ?? null,
          surveyId: 'csat-case',
          question: question('csat-case'),
          caseId: k.id,
        });
        if (composed) writeComment(out, id, composed.used);
      }
    }
    if (rng.chance(0.1)) {
      const ts = k.closedAt + rng.range(1, 24) * HOUR;
      if (ts < AS_OF) {
        out.feedback({
          customerId: c.id,
          ts,
          channel: k.channel,
          touchpoint: 'support',
          kind: 'ces',
          score: Math.round(clamp(5 + 1.2 * k.csatShift + rng.normal(0, 1.2), 1, 7)),
          comment: null,
          surveyId: 'ces-support',
          question: question('ces-support'),
          caseId: k.id,
        });
      }
    }
  }

  // Unsolicited text: app-store reviews and social posts
  if (rng.chance(0.04) && end > c.createdAt + DAY) {
    const ts = c.createdAt + rng.int(end - c.createdAt);
    const e = experienceBefore(c, ts);
    const composed = compose(
      themeWeights(e, h.priceSensitivity),
      rng.pick(['neg', 'neu', 'pos'] as const),
      rng,
    );
    const id = out.feedback({
      customerId: c.id,
      ts,
      channel: rng.chance(0.5) ? 'social' : 'app',
      touchpoint: null,
      kind: 'text',
      score: null,
      comment: composed.text,
      surveyId: null,
      question: null,
    });
    writeComment(out, id, composed.used);
  }
}

export function feedbackPlants(): { plants: Plant[]; decoys: Plant[] } {
  const p = RETURN_FEE_POLICY;
  const effect = {
    policyFrom: p.from,
    fee: p.fee,
    npsAnswerPenalty: p.npsPenalty,
    continuePenalty: p.continuePenalty,
    churnBoost: p.churnBoost,
  };
  return {
    plants: [
      {
        id: 'feedback-return-fee-theme',
        capability: 'feedback',
        analysis: 'feedback.themes',
        kind: 'theme',
        slice: { theme: 'return fee' },
        description:
          'A return fee introduced on 2026-05-01 raises detractor comments about it, lowers NPS and raises churn',
        effect,
      },
      {
        id: 'feedback-return-fee-driver',
        capability: 'feedback',
        analysis: 'feedback.drivers',
        kind: 'driver',
        slice: { theme: 'return fee' },
        description: 'Mentioning the return fee goes with a markedly lower NPS',
        effect,
      },
    ],
    decoys: [
      {
        id: 'feedback-packaging-theme',
        capability: 'feedback',
        analysis: 'feedback.themes',
        kind: 'theme',
        slice: { theme: 'packaging' },
        description: 'Packaging is mentioned often but neutrally',
        effect: { npsEffect: 0 },
      },
      {
        id: 'feedback-packaging-driver',
        capability: 'feedback',
        analysis: 'feedback.drivers',
        kind: 'driver',
        slice: { theme: 'packaging' },
        description: 'Packaging is mentioned often but moves no score',
        effect: { npsEffect: 0 },
      },
    ],
  };
}

/** The taxonomy of the demo's themes (for tests and docs). */
export const DEMO_THEMES = THEMES.map((t) => ({ theme: t.theme, p: t.p }));
