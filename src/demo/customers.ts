import type { PersonaTruth } from './manifest.js';
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
  /** Purchase channel preference (web, app, store, phone), before per-customer noise. */
  readonly channels: readonly [number, number, number, number];
}

/**
 * The behavioural archetypes (docs/personas.md, "The demo's archetypes"). They overlap on purpose:
 * digital natives and busy professionals share the app, loyal regulars shop on every channel but more
 * often, bargain hunters browse and read reviews on the web; every customer's traits are noisy draws
 * around the centre, and `BLEND_SHARE` of customers sit between two archetypes.
 */
export const PERSONA_CENTRES: Readonly<Record<Persona, PersonaCentre>> = {
  'bargain hunter': {
    weight: 0.24,
    engagement: 0.5,
    patience: 0.5,
    priceSensitivity: 0.85,
    digitalAffinity: 0.6,
    channels: [0.8, 0.1, 0.06, 0.04],
  },
  'loyal regular': {
    weight: 0.18,
    engagement: 0.9,
    patience: 0.65,
    priceSensitivity: 0.35,
    digitalAffinity: 0.55,
    channels: [0.34, 0.33, 0.3, 0.03],
  },
  'digital native': {
    weight: 0.24,
    engagement: 0.6,
    patience: 0.35,
    priceSensitivity: 0.45,
    digitalAffinity: 0.88,
    channels: [0.2, 0.76, 0.02, 0.02],
  },
  'traditional shopper': {
    weight: 0.16,
    engagement: 0.45,
    patience: 0.7,
    priceSensitivity: 0.45,
    digitalAffinity: 0.22,
    channels: [0.12, 0.01, 0.72, 0.15],
  },
  'busy professional': {
    weight: 0.18,
    engagement: 0.4,
    patience: 0.3,
    priceSensitivity: 0.2,
    digitalAffinity: 0.7,
    channels: [0.2, 0.1, 0.02, 0.68],
  },
};

/** Share of customers drawn between two archetypes (their label is the nearer one). */
export const BLEND_SHARE = 0.1;
/** A blended customer's traits move this far (uniform in the range) toward the second archetype. */
export const BLEND_RANGE = [0.2, 0.45] as const;
/** Log-normal spread of each channel preference around its archetype's centre. */
export const CHANNEL_NOISE = 0.25;

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
  const c1 = PERSONA_CENTRES[persona];
  let c: PersonaCentre = c1;
  let blend: CustomerState['blend'] = null;
  if (rng.chance(BLEND_SHARE)) {
    const other = rng.pick(PERSONAS.filter((p) => p !== persona));
    const c2 = PERSONA_CENTRES[other];
    const l = rng.range(BLEND_RANGE[0], BLEND_RANGE[1]);
    blend = { other, share: l };
    const mixNum = (a: number, b: number) => (1 - l) * a + l * b;
    c = {
      weight: c1.weight,
      engagement: mixNum(c1.engagement, c2.engagement),
      patience: mixNum(c1.patience, c2.patience),
      priceSensitivity: mixNum(c1.priceSensitivity, c2.priceSensitivity),
      digitalAffinity: mixNum(c1.digitalAffinity, c2.digitalAffinity),
      channels: c1.channels.map((w, i) => mixNum(w, c2.channels[i]!)) as unknown as PersonaCentre['channels'],
    };
  }
  const hidden: Hidden = {
    persona,
    engagement: rng.beta(c.engagement, 10),
    patience: rng.beta(c.patience, 6),
    priceSensitivity: rng.beta(c.priceSensitivity, 10),
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
  const drawn = c.channels.map((w) => w * Math.exp(rng.normal(0, CHANNEL_NOISE)));
  const total = drawn.reduce((a, b) => a + b, 0);
  const channelWeights = drawn.map((w) => w / total);
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
    blend,
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

/**
 * The archetypes as the manifest records them. The decoy is the smb segment: its own plan and ten
 * times the monthly value, but drawn independently of the archetype, so it behaves like everyone.
 */
export function personaTruth(): PersonaTruth {
  return {
    archetypes: PERSONAS.map((p) => ({
      name: p,
      weight: PERSONA_CENTRES[p].weight,
      channels: [...PERSONA_CENTRES[p].channels],
    })),
    truthTable: 'demo_truth_customers',
    labelColumn: 'persona',
    blendShare: BLEND_SHARE,
    decoySegment: 'smb',
  };
}
