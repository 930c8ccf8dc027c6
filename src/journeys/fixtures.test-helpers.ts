import { bumpVersion, type Store, sql } from '../store/index.js';

/** Small fixture builders for journey tests (not shipped: only tests import this file). */
export interface Ev {
  readonly customer?: string;
  readonly anon?: string;
  readonly touchpoint: string;
  readonly at: string;
  readonly channel?: string;
  readonly stage?: string;
  readonly outcome?: string;
  readonly direction?: 'inbound' | 'outbound';
}

let seq = 0;

export async function addEvents(db: Store, events: readonly Ev[]): Promise<void> {
  const cols = [
    { name: 'id', type: 'varchar' },
    { name: 'customer_id', type: 'varchar' },
    { name: 'anonymous_id', type: 'varchar' },
    { name: 'ts', type: 'timestamp' },
    { name: 'channel', type: 'varchar' },
    { name: 'touchpoint', type: 'varchar' },
    { name: 'stage', type: 'varchar' },
    { name: 'outcome', type: 'varchar' },
    { name: 'direction', type: 'varchar' },
  ] as const;
  await db.createTemp('events_in', cols);
  await db.append(
    'events_in',
    cols,
    events.map((e) => [
      `e${++seq}`,
      e.customer ?? null,
      e.anon ?? null,
      new Date(e.at),
      e.channel ?? 'web',
      e.touchpoint,
      e.stage ?? null,
      e.outcome ?? null,
      e.direction ?? 'inbound',
    ]),
  );
  await db.exec(
    sql`INSERT INTO events (id, customer_id, anonymous_id, ts, channel, touchpoint, stage, outcome, direction)
        SELECT * FROM events_in`,
  );
  await db.exec(sql`DROP TABLE events_in`);
  await bumpVersion(db, 'events');
}

/** A journey a → b → c with touchpoints mapped: ad→a, site→a, search→b, cart→c, pay→c. */
export async function addJourney(
  db: Store,
  stages: readonly string[] = ['a', 'b', 'c'],
  touchpoints: Readonly<Record<string, string>> = { ad: 'a', site: 'a', search: 'b', cart: 'c', pay: 'c' },
): Promise<void> {
  await db.exec(sql`INSERT INTO journeys (id, name, is_default) VALUES ('j', 'Test journey', true)`);
  for (const [i, s] of stages.entries()) {
    await db.exec(sql`INSERT INTO journey_stages (journey_id, position, stage) VALUES ('j', ${i + 1}, ${s})`);
  }
  for (const [t, s] of Object.entries(touchpoints)) {
    await db.exec(
      sql`INSERT INTO journey_touchpoints (journey_id, touchpoint, stage) VALUES ('j', ${t}, ${s})`,
    );
  }
}

export async function addCustomers(
  db: Store,
  rows: readonly { id: string; segment?: string; createdAt?: string }[],
): Promise<void> {
  for (const r of rows) {
    await db.exec(
      sql`INSERT INTO customers (id, segment, created_at) VALUES (${r.id}, ${r.segment ?? null}, ${r.createdAt ? new Date(r.createdAt) : null})`,
    );
  }
}
