import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type Store, sql } from '../store/index.js';
import { destinationsWithSecrets } from './destinations.js';

/** A message to deliver: what every producer (alerts, automations, the report, a test) hands over. */
export interface Message {
  /**
   * The idempotency key: one firing, one key. Enqueuing the same key again is a no-op, and the key is
   * the `webhook-id` the receiver sees, so it can drop a repeat after a crash between send and commit.
   */
  readonly key: string;
  /** What it is about: `alert`, `automation`, `report`, `test`… (destinations subscribe to topics). */
  readonly topic: string;
  readonly subject: string;
  readonly text: string;
  /** Machine-readable detail (ids, figures, links) sent with the message. */
  readonly data?: Record<string, unknown>;
  /**
   * The team the message is for (a reminder to a case's owner, an alert to a touchpoint's owner):
   * by default it goes to destinations subscribed to the topic whose teams include it or `*`.
   */
  readonly team?: string | null;
  /** Destination ids or names (exactly these); default every destination subscribed to the topic (and team). */
  readonly destinations?: readonly string[];
  /** Not sent before this time (an alert raised in quiet hours waits for their end). */
  readonly notBefore?: Date;
}

export type OutboxStatus = 'pending' | 'sending' | 'retrying' | 'sent' | 'failed';

export interface OutboxItem {
  readonly key: string;
  readonly destinationId: string;
  readonly destination: string | null;
  readonly topic: string;
  readonly subject: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

export interface EnqueueResult {
  readonly key: string;
  /** New outbox rows, one per destination. */
  readonly queued: number;
  /** Destinations that already had this key: nothing added for them. */
  readonly duplicates: number;
  readonly destinations: readonly string[];
}

/** An idempotency key: safe in a webhook-id header and an e-mail Message-ID (an alert id has `=`). */
const KEY = /^[\w.:@/%=+-]{1,500}$/;

/**
 * Puts a message in the outbox for each destination (idempotent on `key`: a key already queued for a
 * destination adds nothing, whatever its state). Committed before anything is sent: delivery reads
 * the outbox, never the caller's memory. With no matching destination nothing is queued.
 */
export async function enqueue(db: Store, m: Message, now: Date = new Date()): Promise<EnqueueResult> {
  if (!KEY.test(m.key))
    throw new TouchpointError(
      'invalid_input',
      `key: "${m.key}" must be 1–500 letters, digits or . _ : @ / % = + -`,
      {
        details: [{ field: 'key', message: 'letters, digits or . _ : @ / % = + -' }],
      },
    );
  const all = await destinationsWithSecrets(db);
  let targets = all.filter(
    (d) =>
      (d.topics.includes('*') || d.topics.includes(m.topic)) &&
      (d.teams.includes('*') || (m.team != null && d.teams.includes(m.team))),
  );
  if (m.destinations) {
    const wanted = new Set(m.destinations);
    targets = all.filter((d) => wanted.has(d.id) || wanted.has(d.name));
    const missing = [...wanted].filter((w) => !all.some((d) => d.id === w || d.name === w));
    if (missing.length > 0)
      throw new TouchpointError('not_found', `no destination "${missing[0]}" (see notify destinations)`);
  }
  return db.transaction(async (tx) => {
    let queued = 0;
    for (const d of targets) {
      const had = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM notify_outbox WHERE key = ${m.key} AND destination_id = ${d.id}`,
      );
      if ((had?.n ?? 0) > 0) continue;
      await tx.exec(sql`INSERT INTO notify_outbox (key, destination_id, topic, subject, text, data, status,
          attempts, next_attempt_at, created_at)
        VALUES (${m.key}, ${d.id}, ${m.topic}, ${m.subject}, ${m.text},
          ${JSON.stringify(m.team ? { ...m.data, team: m.team } : (m.data ?? {}))}::JSON,
          'pending', 0, ${m.notBefore && m.notBefore > now ? m.notBefore : now}, ${now})`);
      queued++;
    }
    return {
      key: m.key,
      queued,
      duplicates: targets.length - queued,
      destinations: targets.map((d) => d.name),
    };
  });
}

export const OutboxParams = z.object({
  status: z
    .enum(['all', 'pending', 'sending', 'retrying', 'sent', 'failed', 'unsent'])
    .default('all')
    .describe('unsent = pending, sending or retrying'),
  key: z.string().optional().describe('only this idempotency key'),
  limit: z.number().int().min(1).max(10_000).default(100),
});
export type OutboxParams = z.input<typeof OutboxParams>;

export interface OutboxResult {
  readonly counts: Readonly<Record<OutboxStatus, number>>;
  readonly items: readonly OutboxItem[];
}

/** The outbox, newest first, with the count of messages in each state. */
export async function listOutbox(db: Store, params: OutboxParams = {}): Promise<OutboxResult> {
  const p = OutboxParams.parse(params);
  const statusFilter =
    p.status === 'all'
      ? sql`true`
      : p.status === 'unsent'
        ? sql`o.status IN ('pending', 'sending', 'retrying')`
        : sql`o.status = ${p.status}`;
  const rows = await db.all<{
    key: string;
    destination_id: string;
    destination: string | null;
    topic: string;
    subject: string;
    status: OutboxStatus;
    attempts: number;
    next_attempt_at: string | null;
    last_attempt_at: string | null;
    last_error: string | null;
    created_at: string;
    sent_at: string | null;
  }>(sql`SELECT o.key, o.destination_id, d.name AS destination, o.topic, o.subject, o.status, o.attempts,
      CASE WHEN o.status IN ('sent', 'failed') THEN NULL ELSE o.next_attempt_at END AS next_attempt_at,
      o.last_attempt_at, o.last_error, o.created_at, o.sent_at
    FROM notify_outbox o LEFT JOIN notify_destinations d ON d.id = o.destination_id
    WHERE ${statusFilter} AND (${p.key ?? null}::VARCHAR IS NULL OR o.key = ${p.key ?? null})
    ORDER BY o.created_at DESC, o.key, o.destination_id LIMIT ${p.limit}`);
  const counts = await db.all<{ status: OutboxStatus; n: number }>(
    sql`SELECT status, count(*) AS n FROM notify_outbox GROUP BY status`,
  );
  const c: Record<OutboxStatus, number> = { pending: 0, sending: 0, retrying: 0, sent: 0, failed: 0 };
  for (const r of counts) c[r.status] = r.n;
  return {
    counts: c,
    items: rows.map((r) => ({
      key: r.key,
      destinationId: r.destination_id,
      destination: r.destination,
      topic: r.topic,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastAttemptAt: r.last_attempt_at,
      lastError: r.last_error,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    })),
  };
}

/**
 * Sends a failed message again: its rows (one destination, or every failed one of the key) become
 * due now with a fresh set of attempts — after the receiver is fixed. The key stays: a receiver that
 * got it before drops it.
 */
export async function retryFailed(
  db: Store,
  key: string,
  destination?: string,
  now: Date = new Date(),
): Promise<{ key: string; requeued: number }> {
  return db.transaction(async (tx) => {
    const d = destination
      ? await tx.one<{ id: string }>(
          sql`SELECT id FROM notify_destinations WHERE id = ${destination} OR name = ${destination}`,
        )
      : undefined;
    if (destination && !d)
      throw new TouchpointError('not_found', `no destination "${destination}" (see notify destinations)`);
    const where = sql`key = ${key} AND status = 'failed'
      AND destination_id IN (SELECT id FROM notify_destinations)
      AND (${d?.id ?? null}::VARCHAR IS NULL OR destination_id = ${d?.id ?? null})`;
    const n = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM notify_outbox WHERE ${where}`);
    if ((n?.n ?? 0) === 0)
      throw new TouchpointError(
        'not_found',
        `no failed message ${key}${destination ? ` for ${destination}` : ''} to send again`,
      );
    await tx.exec(
      sql`UPDATE notify_outbox SET status = 'retrying', attempts = 0, next_attempt_at = ${now} WHERE ${where}`,
    );
    return { key, requeued: n?.n ?? 0 };
  });
}
