/**
 * The demo company's fixed facts and the simulated state the generator modules share. The
 * orchestrator (`generate.ts`) builds one `CustomerState` per customer (`customers.ts`), then hands it
 * in turn to `journeys.ts` (events, orders, churn), `cases.ts` (support cases) and `feedback.ts`
 * (surveys and comments); each module reads what earlier ones filled in and writes rows through `Out`.
 */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** "Today" of the demo company: data spans the 12 months before it. */
export const AS_OF = Date.UTC(2026, 9, 31);
export const START = AS_OF - 365 * DAY;

export const CHANNELS = ['web', 'app', 'email', 'phone', 'chat', 'store', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SEGMENTS = ['consumer', 'smb', 'enterprise'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Hidden archetypes: never stored in a visible column, only in `demo_truth_customers`. */
export const PERSONAS = [
  'bargain hunter',
  'loyal regular',
  'digital native',
  'traditional shopper',
  'busy professional',
] as const;
export type Persona = (typeof PERSONAS)[number];

/** Hidden propensities, each in (0, 1), drawn per customer around the persona's centre. */
export interface Hidden {
  readonly persona: Persona;
  readonly engagement: number;
  readonly patience: number;
  readonly priceSensitivity: number;
  readonly digitalAffinity: number;
}

export type PurchaseChannel = 'web' | 'app' | 'store' | 'phone';

export interface Order {
  readonly id: string;
  readonly channel: PurchaseChannel;
  readonly product: string;
  readonly checkoutAt: number;
  readonly completed: boolean;
  deliveredAt?: number;
  late?: boolean;
  returnedAt?: number;
  /** A return fee was charged (the return-fee policy plant). */
  returnFee?: boolean;
}

export interface CaseSummary {
  readonly id: string;
  readonly reason: string;
  readonly channel: Channel;
  readonly openedAt: number;
  /** Last close; null while open at AS_OF. */
  readonly closedAt: number | null;
  readonly teams: readonly string[];
  readonly handoffs: number;
  readonly pingPong: boolean;
  /** No update sent within 24 h while the case was open. */
  readonly overdue: boolean;
  readonly reopened: boolean;
  readonly lastTeam: string;
  readonly lastAgent: string;
  /**
   * Hidden effect of the handling on this case's CSAT, in points on the 1–5 scale (overdue updates,
   * ping-pong, the team's morale), set by cases.ts and read by feedback.ts.
   */
  readonly csatShift: number;
}

export interface CustomerState {
  readonly index: number;
  readonly id: string;
  readonly createdAt: number;
  readonly segment: Segment;
  readonly plan: string;
  readonly region: string;
  readonly country: string;
  readonly monthlyValue: number;
  readonly attributes: Record<string, string | number | boolean>;
  readonly hidden: Hidden;
  /**
   * The second archetype a blended customer sits toward and how far (0.2–0.45), else null; drawn in
   * customers.ts, read by habits.ts so the customer's habits blend the same way as their traits.
   */
  readonly blend: { readonly other: Persona; readonly share: number } | null;
  /** Purchase channel weights (web, app, store, phone) from digital affinity. */
  readonly channelWeights: readonly number[];
  /** The anonymous web/app id used before sign-up, if the customer browsed anonymously first. */
  readonly anonymousId: string | null;
  /** Filled by journeys.ts. */
  orders: Order[];
  churnedAt: number | null;
  lastActivity: number;
  /** Filled by cases.ts. */
  cases: CaseSummary[];
}

/** Purchase channels in the order of `channelWeights`. */
export const PURCHASE_CHANNELS: readonly PurchaseChannel[] = ['web', 'app', 'store', 'phone'];

export const PRODUCTS = ['jackets', 'footwear', 'backpacks', 'tents', 'accessories'] as const;

/** Ids of support agents per team, built by people.ts. */
export type Org = ReadonlyMap<string, readonly string[]>;

export interface EventInput {
  readonly customerId: string | null;
  readonly anonymousId?: string | null;
  readonly ts: number;
  readonly channel: Channel;
  readonly touchpoint: string;
  readonly stage: string | null;
  readonly name: string;
  readonly outcome?: string | null;
  readonly direction?: 'inbound' | 'outbound';
  readonly sessionId?: string | null;
  readonly properties?: Record<string, string | number | boolean> | null;
}

export interface FeedbackInput {
  readonly customerId: string | null;
  readonly ts: number;
  readonly channel: Channel | null;
  readonly touchpoint: string | null;
  readonly kind: 'nps' | 'csat' | 'ces' | 'text';
  readonly score: number | null;
  readonly comment: string | null;
  readonly surveyId: string | null;
  readonly question: string | null;
  readonly caseId?: string | null;
}

export interface CaseInput {
  readonly id: string;
  readonly customerId: string;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly channel: Channel;
  readonly reason: string;
  readonly status: string;
  readonly ownerTeam: string;
  readonly ownerAgent: string;
  readonly product: string | null;
  readonly priority: string;
}

export interface CaseEventInput {
  readonly caseId: string;
  readonly ts: number;
  readonly seq: number;
  readonly type:
    | 'opened'
    | 'assigned'
    | 'status'
    | 'update_sent'
    | 'customer_contact'
    | 'note'
    | 'reopened'
    | 'closed';
  readonly team?: string | null;
  readonly agent?: string | null;
  readonly status?: string | null;
  readonly channel?: Channel | null;
  readonly transferReason?: string | null;
  readonly promisedAt?: number | null;
  readonly note?: string | null;
}

/** Where generator modules write rows. Ids are assigned in emission order, so they are deterministic. */
export interface Out {
  event(e: EventInput): string;
  feedback(f: FeedbackInput): string;
  /** The true themes of a demo comment (ground truth, read only by tests). */
  truthComment(feedbackId: string, theme: string, templateId: string, heldOut: boolean): void;
  nextCaseId(): string;
  caseRow(c: CaseInput): void;
  caseEvent(e: CaseEventInput): void;
  identity(aliasType: string, alias: string, customerId: string, source: string, createdAt: number): void;
}

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
