import { armFor, createExperiment, defineMetric, importExposures } from '../experiments/index.js';
import { type Store, sql } from '../store/index.js';
import { readManifest, writeManifest } from './manifest.js';
import { streamFor } from './rng.js';
import { AS_OF, DAY } from './world.js';

/**
 * The demo's two experiments (docs/demo.md, "Experiments"), added by `touchpoint demo` after the
 * company is generated (the test fixture leaves them out, so other capabilities' tests see the same
 * data; tests that need them call this on a copy). Their draws come from the stream `experiments`
 * only: every existing draw, plant and figure is unchanged.
 *
 * - **delivery-sms** (a real, modest effect on the planted delivery pain point): customers with a
 *   delivery in the 53 days before the end of the data are assigned by the documented hash
 *   (control=50, sms=50) and exposed at their first such delivery; 35 % of each arm answer the
 *   post-delivery SMS survey (CSAT at `delivery`, channel `sms`) a day later, satisfied with
 *   probability 0.63 in control and 0.69 with the SMS (+6 points).
 * - **checkout-aa** (an A/A test, no effect): customers with a product-page view in the same
 *   weeks, assigned a/b by the hash; its primary metric (checkout within 7 days) reads the data as it
 *   is, so any difference is noise.
 */
export interface DemoExperimentTruth {
  readonly id: string;
  readonly kind: 'effect' | 'aa';
  readonly metric: string;
  readonly arms: string[];
  /** Planned satisfied share per arm (effect) or nothing (A/A). */
  readonly effect: Record<string, number>;
}
export type { DemoExperimentTruth as DemoExperiment };

const WINDOW_FROM = AS_OF - 56 * DAY;
const WINDOW_TO = AS_OF - 3 * DAY;
const RESPONSE = 0.35;
const SATISFIED = { control: 0.63, sms: 0.69 } as const;

export async function seedDemoExperiments(db: Store, seed: number): Promise<readonly DemoExperimentTruth[]> {
  const from = new Date(WINDOW_FROM).toISOString();
  const to = new Date(WINDOW_TO).toISOString();
  const delivered = await db.all<{ customer_id: string; t: string }>(sql`
    SELECT customer_id, strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%gZ') AS t FROM events
    WHERE touchpoint = 'delivery' AND customer_id IS NOT NULL AND ts >= ${from}::TIMESTAMP AND ts < ${to}::TIMESTAMP
    GROUP BY customer_id ORDER BY customer_id`);
  const viewed = await db.all<{ customer_id: string; t: string }>(sql`
    SELECT customer_id, strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%gZ') AS t FROM events
    WHERE touchpoint = 'product page' AND customer_id IS NOT NULL AND ts >= ${from}::TIMESTAMP
      AND ts < ${new Date(AS_OF - 10 * DAY).toISOString()}::TIMESTAMP
    GROUP BY customer_id ORDER BY customer_id`);

  await defineMetric(db, {
    id: 'delivery_sms_csat',
    name: 'CSAT of the post-delivery survey',
    description: 'satisfied share of CSAT answers at delivery by SMS',
    definition: { type: 'score', kind: 'csat' },
    touchpoint: 'delivery',
    channel: 'sms',
  });
  await defineMetric(db, {
    id: 'checkout_7d',
    name: 'Checkout within 7 days',
    definition: { type: 'conversion', reach: { touchpoint: 'checkout' }, withinDays: 7 },
  });
  const start = new Date(WINDOW_FROM).toISOString();
  const end = new Date(WINDOW_TO).toISOString();
  const delivery = await createExperiment(db, {
    id: 'delivery-sms',
    name: 'Delivery-day SMS with live tracking',
    hypothesis:
      'an SMS on delivery day with a live tracking link makes the delivery feel kept, raising CSAT at delivery',
    theme: 'delivery problem',
    variants: ['control=50', 'sms=50'],
    start,
    end,
    primary: 'delivery_sms_csat',
    guardrails: ['contact_rate'],
    owner: 'Delivery operations',
  });
  await createExperiment(db, {
    id: 'checkout-aa',
    name: 'Checkout button copy (A/A check)',
    hypothesis: 'an A/A test: both arms see the same page; any difference is noise',
    variants: ['a=50', 'b=50'],
    start,
    end: new Date(AS_OF - 10 * DAY).toISOString(),
    primary: 'checkout_7d',
    owner: 'Digital team',
  });

  const csv = (rows: readonly { customer_id: string; arm: string; t: string }[]) =>
    ['customer_id,arm,exposed_at', ...rows.map((r) => `${r.customer_id},${r.arm},${r.t}`)].join('\n');
  const exposed = delivered.map((r) => ({
    ...r,
    arm: armFor(delivery.id, r.customer_id, delivery.variants),
  }));
  await importExposures(db, { experiment: 'delivery-sms', csv: csv(exposed) });
  await importExposures(db, {
    experiment: 'checkout-aa',
    csv: csv(
      viewed.map((r) => ({
        ...r,
        arm: armFor('checkout-aa', r.customer_id, [
          { name: 'a', weight: 50 },
          { name: 'b', weight: 50 },
        ]),
      })),
    ),
  });

  // the survey answers of the real-effect experiment, one stream per customer (by its order)
  const answers: string[][] = [];
  for (const [i, r] of exposed.entries()) {
    const rng = streamFor(seed, i, 'experiments');
    if (!rng.chance(RESPONSE)) continue;
    const satisfied = rng.chance(SATISFIED[r.arm as keyof typeof SATISFIED]);
    const score = satisfied ? rng.range(4, 5) : rng.range(1, 3);
    const at = new Date(new Date(r.t).getTime() + DAY + rng.int(8 * 3600) * 1000);
    answers.push([`xp-${i}`, r.customer_id, at.toISOString(), String(score)]);
  }
  await db.transaction(async (tx) => {
    await tx.exec(sql`INSERT INTO feedback (id, customer_id, ts, channel, touchpoint, kind, score, properties)
      SELECT id, c, t::TIMESTAMP, 'sms', 'delivery', 'csat', s::DOUBLE, '{"survey":"post-delivery sms"}'::JSON
      FROM (SELECT unnest(${answers.map((a) => a[0]!)}::VARCHAR[]) AS id, unnest(${answers.map((a) => a[1]!)}::VARCHAR[]) AS c,
                   unnest(${answers.map((a) => a[2]!)}::VARCHAR[]) AS t, unnest(${answers.map((a) => a[3]!)}::VARCHAR[]) AS s)`);
  });

  const truth: DemoExperimentTruth[] = [
    {
      id: 'delivery-sms',
      kind: 'effect',
      metric: 'delivery_sms_csat',
      arms: ['control', 'sms'],
      effect: { ...SATISFIED },
    },
    { id: 'checkout-aa', kind: 'aa', metric: 'checkout_7d', arms: ['a', 'b'], effect: {} },
  ];
  const manifest = await readManifest(db);
  if (manifest) await writeManifest(db, { ...manifest, experiments: truth }, new Date(AS_OF));
  return truth;
}
