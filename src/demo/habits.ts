import type { Rng } from './rng.js';
import {
  AS_OF,
  type Channel,
  type CustomerState,
  DAY,
  HOUR,
  MINUTE,
  type Out,
  type Persona,
  START,
} from './world.js';

/**
 * Everyday habits of the demo's customers, between and beside their orders: wish lists and price
 * alerts, trail guides, product advice in store, on the phone or in chat, member workshops. This is
 * where the behavioural archetypes (customers.ts) show in *how* people engage — how often, on which
 * channels, how widely, with or without staff — so that personas found from behaviour can recover
 * them (docs/demo.md, "Archetypes"; issue 19).
 *
 * Every draw comes from the customer's own `habits` stream, and the module runs after journeys,
 * cases and feedback: it adds events but changes no earlier draw, plant or decoy. The habits are
 * probabilistic and overlap on purpose: each customer's channel weights are log-normal draws around
 * the archetype's (so shares spread and archetypes share channels — loyal regulars the store with
 * traditional shoppers and the app with digital natives; busy professionals the phone with
 * traditional shoppers), the visit rate is a log-normal draw around the archetype's, a blended
 * customer's habits sit between their two archetypes as their traits do, and a customer's history
 * is as long as their life (a customer who joined last month has a few events only).
 */

/** Channels of habit events, in the order of `HabitProfile.channels`. */
export const HABIT_CHANNELS = ['web', 'app', 'email', 'social', 'store', 'phone', 'chat'] as const;

export interface HabitProfile {
  /** Habit visits in the first 30 days after sign-up (settling in), before per-customer noise. */
  readonly onboarding: number;
  /** Habit visits a month after that, before per-customer noise. */
  readonly steady: number;
  /** Channel weights in the order of HABIT_CHANNELS, before per-customer noise. */
  readonly channels: readonly number[];
  /** Share of store visits that are a member workshop rather than product advice. */
  readonly workshop: number;
}

export const HABITS: Readonly<Record<Persona, HabitProfile>> = {
  // web deals, price alerts by e-mail
  'bargain hunter': {
    onboarding: 5.25,
    steady: 0.3,
    channels: [0.68, 0.05, 0.25, 0.01, 0.0, 0.0, 0.01],
    workshop: 0.1,
  },
  // frequent, on every channel, member workshops in store
  'loyal regular': {
    onboarding: 12.25,
    steady: 0.7,
    channels: [0.24, 0.28, 0.12, 0.04, 0.3, 0.01, 0.01],
    workshop: 0.6,
  },
  // the app, trail guides shared on social
  'digital native': {
    onboarding: 5.25,
    steady: 0.3,
    channels: [0.04, 0.8, 0.0, 0.15, 0.0, 0.0, 0.01],
    workshop: 0.2,
  },
  // the store and the phone
  'traditional shopper': {
    onboarding: 4.2,
    steady: 0.24,
    channels: [0.0, 0.0, 0.0, 0.0, 0.84, 0.15, 0.01],
    workshop: 0.15,
  },
  // quick questions in chat or by phone
  'busy professional': {
    onboarding: 4.2,
    steady: 0.24,
    channels: [0.0, 0.05, 0.0, 0.0, 0.0, 0.25, 0.7],
    workshop: 0.05,
  },
};

/** Log-normal spread (log scale) of each channel weight and of the visit rates around the archetype's. */
export const HABIT_CHANNEL_NOISE = 0.2;
export const HABIT_RATE_NOISE = 0.25;
/** Days of settling in after sign-up (the `onboarding` visits fall in them). */
export const ONBOARDING_DAYS = 30;
/**
 * A blended customer's habits move this fraction of their traits' blend toward the second archetype
 * (their traits, purchase channels and everything downstream blend fully).
 */
export const HABIT_BLEND = 0.5;

/**
 * The habit touchpoints. They are not steps of the purchase journey (no stage, not in the default
 * journey's map): a price alert or a workshop is not a stage a customer leaves or waits in, so the
 * journey analyses (funnels, pain points, moments) leave them out, as they do any event off the map.
 */
export const HABIT_TOUCHPOINTS = [
  'wishlist',
  'price alert',
  'trail guides',
  'product advice',
  'workshop',
] as const;

/** A customer's habit profile: the archetype's, moved toward the blend archetype when blended. */
export function habitProfileOf(c: CustomerState): HabitProfile {
  const a = HABITS[c.hidden.persona];
  if (!c.blend) return a;
  const b = HABITS[c.blend.other];
  const l = HABIT_BLEND * c.blend.share;
  const mix = (x: number, y: number) => (1 - l) * x + l * y;
  return {
    onboarding: mix(a.onboarding, b.onboarding),
    steady: mix(a.steady, b.steady),
    channels: a.channels.map((w, i) => mix(w, b.channels[i]!)),
    workshop: mix(a.workshop, b.workshop),
  };
}

/** Simulates one customer's habit events from sign-up to churn (or the demo's today). */
export function simulateHabits(c: CustomerState, rng: Rng, out: Out): void {
  const profile = habitProfileOf(c);
  const weights = profile.channels.map((w) => w * Math.exp(rng.normal(0, HABIT_CHANNEL_NOISE)));
  const pace = Math.exp(rng.normal(0, HABIT_RATE_NOISE));
  const end = Math.min(AS_OF, c.churnedAt ?? AS_OF);
  let visit = 0;
  const emit = (t: number) => {
    const channel: Channel = rng.weighted(HABIT_CHANNELS, weights);
    const touchpoint = habitTouchpoint(channel, profile, c.hidden.priceSensitivity, rng);
    const ts = Math.floor(t / DAY) * DAY + rng.range(8, 21) * HOUR + rng.int(60) * MINUTE;
    if (ts < START || ts >= end || ts < c.createdAt) return;
    const digital = channel === 'web' || channel === 'app';
    out.event({
      customerId: c.id,
      ts,
      channel,
      touchpoint,
      stage: null,
      name: HABIT_NAMES[touchpoint],
      direction: 'inbound',
      sessionId: digital ? `${c.id}-h${++visit}` : null,
    });
  };
  // settling in: the first weeks after sign-up carry a burst of visits
  const burst = rng.poisson(profile.onboarding * pace);
  for (let b = 0; b < burst; b++) emit(c.createdAt + rng.next() * ONBOARDING_DAYS * DAY);
  // then the steady habit
  const gap = (30 * DAY) / (profile.steady * pace);
  for (let t = c.createdAt + rng.exp(gap); t < end; t += rng.exp(gap)) emit(t);
}

type HabitTouchpoint = (typeof HABIT_TOUCHPOINTS)[number];

const HABIT_NAMES: Readonly<Record<HabitTouchpoint, string>> = {
  wishlist: 'wishlist update',
  'price alert': 'price alert click',
  'trail guides': 'guide read',
  'product advice': 'advice asked',
  workshop: 'workshop attended',
};

function habitTouchpoint(
  channel: Channel,
  profile: HabitProfile,
  priceSensitivity: number,
  rng: Rng,
): HabitTouchpoint {
  switch (channel) {
    case 'email':
      return 'price alert';
    case 'social':
      return 'trail guides';
    case 'store':
      return rng.chance(profile.workshop) ? 'workshop' : 'product advice';
    case 'phone':
    case 'chat':
      return 'product advice';
    default:
      // web and app: the price-sensitive watch prices, others keep wish lists or read guides
      return rng.weighted(['price alert', 'wishlist', 'trail guides'] as const, [
        0.1 + 0.8 * priceSensitivity,
        0.45,
        0.35,
      ]);
  }
}
