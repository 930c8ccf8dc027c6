import { normalCdf } from '../stats/index.js';
import { RETURN_FEE_POLICY } from './feedback.js';
import type { Plant } from './manifest.js';
import type { Rng } from './rng.js';
import {
  AS_OF,
  type Channel,
  type CustomerState,
  DAY,
  HOUR,
  MINUTE,
  type Order,
  type Out,
  PRODUCTS,
  PURCHASE_CHANNELS,
  type PurchaseChannel,
  START,
} from './world.js';

/**
 * Journeys of the demo company: the default journey (awareness → discovery → purchase → delivery →
 * retention), touchpoint owners, and every customer's and anonymous visitor's events.
 *
 * Plants: checkout on the app converts a few points below the other channels; delivery is the long
 * wait of the journey, and a late delivery (its bad outcome) lowers later retention and collapses the
 * delivery CSAT (feedback.ts reads `order.late`). Decoys: 'product page' is the busiest touchpoint
 * with an ordinary rate; 'gift wrapping' gets a dreadful CSAT from four answers.
 */

export const JOURNEY_ID = 'default';
export const STAGES = ['awareness', 'discovery', 'purchase', 'delivery', 'retention'] as const;

export const TOUCHPOINT_STAGE: Readonly<Record<string, (typeof STAGES)[number]>> = {
  'ad click': 'awareness',
  'social post': 'awareness',
  newsletter: 'awareness',
  'search result': 'discovery',
  'product page': 'discovery',
  reviews: 'discovery',
  'store visit': 'discovery',
  cart: 'purchase',
  checkout: 'purchase',
  payment: 'purchase',
  'order confirmation': 'purchase',
  'delivery tracking': 'delivery',
  delivery: 'delivery',
  'gift wrapping': 'delivery',
  returns: 'retention',
  account: 'retention',
  reorder: 'retention',
  'loyalty program': 'retention',
};

/** touchpoint, channel ('*' = any), owning team. */
export const OWNERS: readonly (readonly [string, string, string])[] = [
  ['ad click', '*', 'marketing'],
  ['social post', '*', 'marketing'],
  ['newsletter', '*', 'marketing'],
  ['search result', '*', 'ecommerce'],
  ['product page', '*', 'ecommerce'],
  ['product page', 'app', 'mobile-app'],
  ['reviews', '*', 'ecommerce'],
  ['store visit', '*', 'store-ops'],
  ['cart', '*', 'ecommerce'],
  ['checkout', '*', 'ecommerce'],
  ['checkout', 'app', 'mobile-app'],
  ['checkout', 'store', 'store-ops'],
  ['payment', '*', 'ecommerce'],
  ['order confirmation', '*', 'ecommerce'],
  ['delivery tracking', '*', 'fulfilment'],
  ['delivery', '*', 'fulfilment'],
  ['gift wrapping', '*', 'fulfilment'],
  ['returns', '*', 'returns'],
  ['account', '*', 'ecommerce'],
  ['reorder', '*', 'ecommerce'],
  ['loyalty program', '*', 'loyalty'],
  ['wishlist', '*', 'ecommerce'],
  ['price alert', '*', 'marketing'],
  ['trail guides', '*', 'marketing'],
  ['product advice', '*', 'care-frontline'],
  ['product advice', 'store', 'store-ops'],
  ['workshop', '*', 'loyalty'],
  ['support contact', '*', 'care-frontline'],
  ['support contact', 'store', 'store-service'],
  ['support update', '*', 'care-frontline'],
];

/** The knobs of the journey plants. */
export const JOURNEY_PLANT = {
  checkoutBase: 0.8,
  /** Points of checkout conversion the app loses, scaled by (1.5 − patience): impatient people give up more. */
  appCheckoutPenalty: 0.05,
  deliveryMedianDays: 3.2,
  deliverySigma: 0.45,
  promisedDays: 5,
  /** Drop in the chance of coming back after a late delivery, scaled by (1.5 − patience). */
  lateContinuePenalty: 0.14,
  giftWrapAnswers: 4,
} as const;

export interface JourneySim {
  customer(c: CustomerState, rng: Rng, out: Out): void;
  visitor(index: number, anonymousId: string, rng: Rng, out: Out): void;
}

const stageOf = (tp: string): string | null => TOUCHPOINT_STAGE[tp] ?? null;

/** Creates the journey simulation for one run (it holds the decoy's answer count). */
export function createJourneySim(): JourneySim {
  let giftWrapAnswers = 0;

  function customer(c: CustomerState, rng: Rng, out: Out): void {
    let session = 0;
    const sid = () => `${c.id}-s${++session}`;
    const h = c.hidden;
    const ev = (
      ts: number,
      channel: Channel,
      touchpoint: string,
      name: string,
      s: string | null,
      extra: Partial<{
        outcome: string;
        direction: 'inbound' | 'outbound';
        anonymousId: string;
        properties: Record<string, string | number | boolean>;
      }> = {},
    ) => {
      if (ts < START || ts >= AS_OF || (c.churnedAt !== null && ts >= c.churnedAt)) return;
      out.event({
        customerId: c.id,
        anonymousId: extra.anonymousId ?? null,
        ts,
        channel,
        touchpoint,
        stage: stageOf(touchpoint),
        name,
        outcome: extra.outcome ?? null,
        direction: extra.direction ?? 'inbound',
        sessionId: s,
        properties: extra.properties ?? null,
      });
      if (ts > c.lastActivity) c.lastActivity = ts;
    };

    // Before sign-up: anonymous browsing, stitched to the customer through an identity.
    if (c.anonymousId) {
      const anon = c.anonymousId;
      let t = c.createdAt - Math.round(rng.exp(4 * DAY)) - HOUR;
      const s = sid();
      const ch: Channel = rng.weighted(['web', 'social', 'app'] as const, [
        0.55,
        0.3,
        0.15 + 0.3 * h.digitalAffinity,
      ]);
      ev(t, ch === 'social' ? 'social' : ch, ch === 'social' ? 'social post' : 'ad click', 'click', s, {
        anonymousId: anon,
      });
      t += rng.range(1, 20) * MINUTE;
      if (rng.chance(0.4))
        ev(t, ch === 'app' ? 'app' : 'web', 'search result', 'search', s, { anonymousId: anon });
      t += rng.range(1, 10) * MINUTE;
      ev(t, ch === 'app' ? 'app' : 'web', 'product page', 'view', s, { anonymousId: anon });
      out.identity('anonymous_id', anon, c.id, ch === 'app' ? 'app' : 'web', c.createdAt);
    } else if (rng.chance(0.5)) {
      ev(
        c.createdAt - rng.range(1, 72) * HOUR,
        rng.pick(['social', 'web'] as const),
        'ad click',
        'click',
        sid(),
      );
    }

    let t = c.createdAt;
    let k = 0;
    let retry = false;
    while (t < AS_OF && k < 14) {
      k++;
      const channel: PurchaseChannel = rng.weighted(PURCHASE_CHANNELS, c.channelWeights);
      const product = rng.weighted(PRODUCTS, [0.3, 0.28, 0.16, 0.08, 0.18]);
      const s = sid();
      const digital = channel === 'web' || channel === 'app';
      const browse: Channel = channel === 'app' ? 'app' : 'web';
      // discovery
      if (k > 1 && !retry && rng.chance(0.55)) ev(t, browse, 'reorder', 'reorder', s);
      else if (channel === 'store') ev(t, 'store', 'store visit', 'visit', null);
      else if (rng.chance(0.4)) ev(t, browse, 'search result', 'search', s);
      t += rng.range(1, 8) * MINUTE;
      if (digital || rng.chance(0.5)) {
        ev(t, browse, 'product page', 'view', s, { properties: { product } });
        if (rng.chance(0.12)) {
          t += rng.range(1, 6) * MINUTE;
          ev(t, browse, 'product page', 'view', s);
        }
        t += rng.range(1, 8) * MINUTE;
        // price-sensitive shoppers compare: reviews read in ~45% of bargain hunters' orders, ~25% overall
        if (rng.chance(0.05 + 0.45 * h.priceSensitivity)) {
          t += rng.range(1, 6) * MINUTE;
          ev(t, browse, 'reviews', 'read', s);
        }
      }
      // purchase
      if (digital) {
        t += rng.range(1, 15) * MINUTE;
        ev(t, channel, 'cart', 'add to cart', s);
      }
      t += rng.range(1, 10) * MINUTE;
      const p =
        JOURNEY_PLANT.checkoutBase +
        0.08 * (h.engagement - 0.5) -
        (channel === 'app' ? JOURNEY_PLANT.appCheckoutPenalty * (1.5 - h.patience) : 0);
      const completed = rng.chance(p);
      const value = Math.round(rng.lognormal(85, 0.6) * 100) / 100;
      ev(t, channel, 'checkout', 'checkout', digital ? s : null, {
        outcome: completed ? 'completed' : 'abandoned',
        properties: { value },
      });
      const order: Order = { id: `${c.id}-o${k}`, channel, product, checkoutAt: t, completed };
      if (t < AS_OF) c.orders.push(order);
      if (!completed) {
        retry = rng.chance(0.3 + 0.25 * h.patience);
        if (retry) {
          t += rng.range(2, 96) * HOUR;
          continue;
        }
        t += Math.round(rng.exp((30 + 60 * (1 - h.engagement)) * DAY));
        if (!rng.chance(0.35 + 0.35 * h.engagement)) break;
        continue;
      }
      retry = false;
      t += rng.range(20, 180) * 1000;
      ev(t, channel, 'payment', 'pay', digital ? s : null, {
        outcome: rng.chance(0.985) ? 'approved' : 'approved after retry',
      });
      ev(t + MINUTE, 'email', 'order confirmation', 'order confirmation e-mail', null, {
        direction: 'outbound',
      });
      let end = t;
      let late = false;
      if (channel !== 'store') {
        const notify: Channel =
          channel === 'app' || (h.digitalAffinity > 0.6 && rng.chance(0.5)) ? 'app' : 'email';
        ev(t + rng.range(18, 30) * HOUR, notify, 'delivery tracking', 'shipped notification', null, {
          direction: 'outbound',
        });
        const days = rng.lognormal(JOURNEY_PLANT.deliveryMedianDays, JOURNEY_PLANT.deliverySigma);
        late = days > JOURNEY_PLANT.promisedDays;
        const deliveredAt = t + Math.round(days * DAY);
        if (rng.chance(late ? 0.6 : 0.25)) {
          const view = t + Math.round(days * (0.5 + 0.5 * rng.next()) * DAY);
          ev(
            view,
            rng.chance(0.6) ? browse : h.digitalAffinity > 0.5 ? 'app' : 'web',
            'delivery tracking',
            'track',
            null,
            {
              outcome: late && view > t + JOURNEY_PLANT.promisedDays * DAY ? 'delayed' : 'in transit',
            },
          );
        }
        ev(deliveredAt, channel, 'delivery', 'delivered', null, {
          outcome: late ? 'late' : 'on time',
          properties: { days: Math.round(days * 10) / 10, promised_days: JOURNEY_PLANT.promisedDays },
        });
        if (deliveredAt < AS_OF) {
          order.deliveredAt = deliveredAt;
          order.late = late;
        }
        end = deliveredAt;
        if (rng.chance(0.002)) {
          const wrapAt = t + 2 * HOUR;
          ev(wrapAt, channel, 'gift wrapping', 'gift wrap', null, { outcome: 'done' });
          if (giftWrapAnswers < JOURNEY_PLANT.giftWrapAnswers && wrapAt < AS_OF) {
            giftWrapAnswers++;
            out.feedback({
              customerId: c.id,
              ts: deliveredAt + 6 * HOUR,
              channel: 'email',
              touchpoint: 'gift wrapping',
              kind: 'csat',
              score: 1,
              comment: null,
              surveyId: 'csat-gift-wrap',
              question: 'gift-wrap',
            });
          }
        }
      } else {
        // bought in store: handed over at the till, or collected a day or two later
        const collect = rng.chance(0.3);
        const handedAt = t + (collect ? rng.range(20, 60) * HOUR : rng.range(2, 10) * MINUTE);
        ev(handedAt, 'store', 'delivery', collect ? 'collected' : 'handed over', null, {
          outcome: 'on time',
        });
        if (handedAt < AS_OF) {
          order.deliveredAt = handedAt;
          order.late = false;
        }
        end = handedAt;
      }
      // returns (the return fee applies from the policy date)
      const sizing = product === 'footwear' || product === 'jackets' ? 0.06 : 0;
      if (rng.chance(0.07 + sizing + (late ? 0.05 : 0))) {
        const rt = end + rng.range(2, 20) * DAY + rng.range(8, 20) * HOUR;
        const fee = rt >= RETURN_FEE_POLICY.from;
        ev(
          rt,
          rng.weighted(['web', 'store', 'phone', 'app'] as const, [0.5, 0.25, 0.08, 0.17]),
          'returns',
          'return',
          null,
          {
            outcome: fee ? 'refunded minus fee' : 'refunded',
            properties: fee ? { fee: RETURN_FEE_POLICY.fee, product } : { product },
          },
        );
        if (rt < AS_OF) {
          order.returnedAt = rt;
          order.returnFee = fee;
        }
        end = Math.max(end, rt);
      }
      // lingering retention touches
      if (rng.chance(0.15 + 0.15 * h.engagement))
        ev(end + rng.range(1, 80) * DAY, browse, 'account', 'account visit', null);
      // the loyalty programme is the regulars' habit: ~55% of orders at engagement 0.85, ~10% at 0.5
      if (rng.chance(0.9 * h.engagement ** 3)) {
        ev(
          end + rng.range(3, 85) * DAY,
          rng.pick(['app', 'web', 'email'] as const),
          'loyalty program',
          'points',
          null,
        );
      }
      // coming back, or not
      const feePenalty = order.returnFee ? RETURN_FEE_POLICY.continuePenalty * (0.5 + h.priceSensitivity) : 0;
      const pContinue =
        0.08 +
        0.42 * h.engagement -
        (late ? JOURNEY_PLANT.lateContinuePenalty * (1.5 - h.patience) : 0) -
        feePenalty;
      const gap = Math.round((5 + rng.exp(25 + 80 * (1 - h.engagement))) * DAY);
      if (c.attributes.newsletter_opt_in === true && rng.chance(0.45)) {
        ev(end + Math.round(gap / 2), 'email', 'newsletter', 'newsletter', null, { direction: 'outbound' });
      }
      if (!rng.chance(pContinue)) {
        const lapse = end + rng.range(45, 150) * DAY;
        if (rng.chance(0.55 + (order.returnFee ? RETURN_FEE_POLICY.churnBoost : 0)) && lapse < AS_OF)
          c.churnedAt = lapse;
        break;
      }
      t = end + gap;
    }
  }

  function visitor(index: number, anonymousId: string, rng: Rng, out: Out): void {
    void index;
    let t = START + rng.int(365 * DAY);
    const app = rng.chance(0.25);
    const browse: Channel = app ? 'app' : 'web';
    const s = `${anonymousId}-s1`;
    const ev = (touchpoint: string, name: string, channel: Channel = browse) => {
      if (t >= AS_OF) return;
      out.event({
        customerId: null,
        anonymousId,
        ts: t,
        channel,
        touchpoint,
        stage: stageOf(touchpoint),
        name,
        direction: 'inbound',
        sessionId: s,
      });
    };
    if (rng.chance(0.6)) {
      const social = rng.chance(0.35);
      ev(social ? 'social post' : 'ad click', 'click', social ? 'social' : browse);
      t += rng.range(1, 5) * MINUTE;
    }
    if (rng.chance(0.45)) {
      ev('search result', 'search');
      t += rng.range(1, 5) * MINUTE;
    }
    const views = 1 + rng.poisson(0.3);
    for (let i = 0; i < views; i++) {
      ev('product page', 'view');
      t += rng.range(1, 8) * MINUTE;
    }
    if (rng.chance(0.15)) ev('reviews', 'read');
    if (rng.chance(0.06)) ev('cart', 'add to cart');
  }

  return { customer, visitor };
}

/** Rows of the journey definition and the ownership map. */
export function journeyDefinition(): {
  journeys: (string | boolean)[][];
  stages: (string | number)[][];
  touchpoints: string[][];
  owners: string[][];
} {
  return {
    journeys: [
      [JOURNEY_ID, 'Shop and delivery', 'From first contact to coming back: the default journey', true],
    ],
    stages: STAGES.map((s, i) => [JOURNEY_ID, i + 1, s]),
    touchpoints: Object.entries(TOUCHPOINT_STAGE).map(([tp, st]) => [JOURNEY_ID, tp, st]),
    owners: OWNERS.map((o) => [...o]),
  };
}

export function journeyPlants(): { plants: Plant[]; decoys: Plant[] } {
  const P = JOURNEY_PLANT;
  const z = Math.log(P.promisedDays / P.deliveryMedianDays) / P.deliverySigma;
  const lateShare = Math.round((1 - normalCdf(z)) * 1000) / 1000;
  return {
    plants: [
      {
        id: 'journeys-checkout-app',
        capability: 'journeys',
        analysis: 'journey.pain-points',
        kind: 'drop-off',
        slice: { touchpoint: 'checkout', channel: 'app' },
        description: 'Checkout on the app converts a few points below the other channels',
        effect: {
          baseline: P.checkoutBase,
          value: P.checkoutBase - P.appCheckoutPenalty,
          difference: -P.appCheckoutPenalty,
        },
      },
      {
        id: 'journeys-delivery-wait',
        capability: 'journeys',
        analysis: 'journey.pain-points',
        kind: 'wait',
        slice: { touchpoint: 'delivery' },
        description:
          'Delivery is the long wait of the journey; a share of shipped orders (lateShare) arrive after the promised date',
        effect: { medianDays: P.deliveryMedianDays, promisedDays: P.promisedDays, lateShare },
      },
      {
        id: 'journeys-delivery-moment',
        capability: 'journeys',
        analysis: 'journey.moments',
        kind: 'moment-of-truth',
        slice: { touchpoint: 'delivery' },
        description:
          'A late delivery lowers the chance of coming back (any event 30–90 days later) and collapses the delivery CSAT',
        effect: { continueDrop: -P.lateContinuePenalty, lateShare },
      },
    ],
    decoys: [
      {
        id: 'journeys-busy-product-page',
        capability: 'journeys',
        analysis: 'journey.pain-points',
        kind: 'drop-off',
        slice: { touchpoint: 'product page' },
        description: 'The busiest touchpoint, with an ordinary conversion rate',
        effect: { difference: 0 },
      },
      {
        id: 'journeys-gift-wrap-few-answers',
        capability: 'journeys',
        analysis: 'journey.moments',
        kind: 'moment-of-truth',
        slice: { touchpoint: 'gift wrapping' },
        description: 'A dreadful CSAT from a handful of answers',
        effect: { answers: P.giftWrapAnswers, score: 1 },
      },
    ],
  };
}
