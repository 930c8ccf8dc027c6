import { type Store, sql } from '../store/index.js';
import { RETURN_FEE_POLICY } from './feedback.js';
import { AS_OF } from './world.js';

/**
 * The demo's policy catalogue: the return fee planted by feedback.ts / journeys.ts, catalogued the
 * way a company would (touchpoint, linked theme, owner), so `policies impact` has a real change to
 * detect. No random draws: the row is the plant's own parameters.
 */
export const DEMO_POLICIES = [
  {
    id: 'return-fee',
    name: `Return fee (€${RETURN_FEE_POLICY.fee} per return)`,
    effectiveAt: new Date(RETURN_FEE_POLICY.from),
    touchpoints: ['returns'],
    themes: ['return fee'],
    owner: 'returns',
    description: 'Customers pay a fee for each return; the refund is reduced by the fee.',
  },
  {
    id: 'free-shipping-threshold',
    name: 'Free shipping from €50',
    effectiveAt: new Date(Date.UTC(2026, 1, 1)),
    touchpoints: ['checkout'],
    themes: ['shipping cost'],
    owner: 'ecommerce',
    description: 'Orders of €50 or more ship free (a catalogued policy with no planted effect).',
  },
] as const;

export async function writeDemoPolicies(db: Store): Promise<void> {
  for (const p of DEMO_POLICIES) {
    await db.exec(sql`INSERT OR REPLACE INTO policies
      (id, name, effective_at, touchpoints, themes, owner, description, source, updated_at)
      VALUES (${p.id}, ${p.name}, ${p.effectiveAt}, from_json(${JSON.stringify(p.touchpoints)}, '["VARCHAR"]'),
        from_json(${JSON.stringify(p.themes)}, '["VARCHAR"]'), ${p.owner}, ${p.description}, 'demo', ${new Date(AS_OF)})`);
  }
}
