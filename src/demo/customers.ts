import type { Rng } from './rng.js';
import {
  type CustomerState,
  DAY,
  type Hidden,
  PERSONAS,
  type Persona,
  type Segment,
  START,
} from './world.js';

/**
 * Who the customers are. Visible fields (segment, plan, region, country, monthly value, attributes)
 * and hidden propensities (persona, engagement, patience, price sensitivity, digital affinity) are drawn
 * separately and only loosely related, so no visible field determines behaviour.
 */

interface PersonaCentre {
  readonly weight: number;
  readonly engagement: number;
  readonly patience: number;
  readonly priceSensitivity: number;
  readonly digitalAffinity: number;
}

export const PERSONA_CENTRES: Readonly<Record<Persona, PersonaCentre>> = {
  'bargain hunter': {
    weight: 0.24,
    engagement: 0.45,
    patience: 0.5,
    priceSensitivity: 0.8,
    digitalAffinity: 0.6,
  },
  'loyal regular': {
    weight: 0.18,
    engagement: 0.78,
    patience: 0.65,
    priceSensitivity: 0.35,
    digitalAffinity: 0.55,
  },
  'digital native': {
    weight: 0.24,
    engagement: 0.6,
    patience: 0.35,
    priceSensitivity: 0.5,
    digitalAffinity: 0.88,
  },
  'traditional shopper': {
    weight: 0.16,
    engagement: 0.5,
    patience: 0.7,
    priceSensitivity: 0.45,
    digitalAffinity: 0.22,
  },
  'busy professional': {
    weight: 0.18,
    engagement: 0.5,
    patience: 0.3,
    priceSensitivity: 0.25,
    digitalAffinity: 0.7,
  },
};

const REGIONS = {
  EU: ['DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'PL'],
  NA: ['US', 'CA'],
  APAC: ['AU', 'JP', 'SG', 'NZ'],
} as const;

const ACQUISITION = ['search', 'social', 'referral', 'store', 'affiliate', 'email'] as const;
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;

export const customerId = (index: number): string => `c${String(index + 1).padStart(8, '0')}`;

/** Bijective 32-bit scramble: distinct indices always give distinct anonymous ids. */
export function anonymousIdFor(n: number): string {
  let z = (n + 0x7f4a7c15) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return `anon-${z.toString(16).padStart(8, '0')}`;
}

export function makeCustomer(index: number, rng: Rng): CustomerState {
  const persona = rng.weighted(
    PERSONAS,
    PERSONAS.map((p) => PERSONA_CENTRES[p].weight),
  );
  const c = PERSONA_CENTRES[persona];
  const hidden: Hidden = {
    persona,
    engagement: rng.beta(c.engagement, 6),
    patience: rng.beta(c.patience, 6),
    priceSensitivity: rng.beta(c.priceSensitivity, 6),
    digitalAffinity: rng.beta(c.digitalAffinity, 8),
  };
  // Sign-ups grow through the year: more recent months hold more new customers.
  const createdAt = START + Math.floor(rng.next() ** 0.8 * 360 * DAY) + rng.int(DAY);
  const segment: Segment = rng.weighted(['consumer', 'smb', 'enterprise'] as const, [0.82, 0.14, 0.04]);
  const plan =
    segment === 'consumer'
      ? rng.chance(0.25 + 0.2 * hidden.engagement)
        ? 'plus'
        : 'standard'
      : segment === 'smb'
        ? 'business'
        : 'enterprise';
  const region = rng.weighted(['EU', 'NA', 'APAC'] as const, [0.5, 0.35, 0.15]);
  const country = rng.pick(REGIONS[region]);
  const baseValue = segment === 'consumer' ? 38 : segment === 'smb' ? 420 : 3200;
  const monthlyValue =
    Math.round(rng.lognormal(baseValue * (0.8 + 0.4 * hidden.engagement), 0.55) * 100) / 100;
  const da = hidden.digitalAffinity;
  const channelWeights = [
    0.5 + 0.2 * da,
    0.05 + 0.75 * da * da,
    0.55 * (1 - da) + 0.03,
    0.12 * (1 - da) + 0.01,
  ];
  const anonymousId = rng.chance(0.35 + 0.5 * da) ? anonymousIdFor(index) : null;
  return {
    index,
    id: customerId(index),
    createdAt,
    segment,
    plan,
    region,
    country,
    monthlyValue,
    attributes: {
      age_band: rng.pick(AGE_BANDS),
      acquisition: rng.weighted(ACQUISITION, [0.3, 0.2 + 0.1 * da, 0.12, 0.18 * (1 - da), 0.1, 0.1]),
      newsletter_opt_in: rng.chance(0.3 + 0.4 * hidden.engagement),
      marketing_consent: rng.chance(0.6),
    },
    hidden,
    channelWeights,
    anonymousId,
    orders: [],
    churnedAt: null,
    lastActivity: createdAt,
    cases: [],
  };
}

/** The visible row of a customer, in the staging column order. */
export function customerRow(c: CustomerState): (string | number | boolean | null)[] {
  return [
    c.id,
    c.createdAt,
    c.segment,
    c.plan,
    c.region,
    c.country,
    c.monthlyValue,
    c.churnedAt,
    JSON.stringify(c.attributes),
    c.churnedAt !== null,
  ];
}

/** Ground truth of a customer (table demo_truth_customers), never read by analyses. */
export function customerTruthRow(c: CustomerState): (string | number)[] {
  const h = c.hidden;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return [c.id, h.persona, r(h.engagement), r(h.patience), r(h.priceSensitivity), r(h.digitalAffinity)];
}
