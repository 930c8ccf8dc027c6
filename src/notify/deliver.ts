import { type Store, sql } from '../store/index.js';
import { type DestinationSecret, getDestination, maskUrl } from './destinations.js';
import type { OutboxStatus } from './outbox.js';
import { type Outgoing, sendEmail, sendWebhook, smtpOf } from './transports.js';

/** Delivery settings (docs/notify.md "Delivery"); every default is a documented constant. */
export interface DeliverOptions {
  readonly now?: () => Date;
  /** Jitter source, 0…1 (tests pin it). */
  readonly random?: () => number;
  /** After this many attempts a message is `failed` (default 8). */
  readonly maxAttempts?: number;
  /** Delay before the 2nd attempt; doubles per attempt (default 30 s). */
  readonly baseDelayMs?: number;
  /** The longest delay between attempts (default 1 h). */
  readonly maxDelayMs?: number;
  /** One send's time limit (default 10 s). */
  readonly timeoutMs?: number;
  /** Messages claimed per round (default 50). */
  readonly limit?: number;
  /** Only this key. */
  readonly key?: string;
  /**
   * How outbox state is committed: the server passes its workspace's single writer, so sends (which
   * may wait seconds on a receiver) happen outside it and only the two short commits queue.
   */
  readonly write?: <T>(fn: (db: Store) => Promise<T>) => Promise<T>;
  /** Where SMTP defaults and passwords come from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const DELIVERY_DEFAULTS = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  timeoutMs: 10_000,
  limit: 50,
} as const;

export interface DeliveryOutcome {
  readonly key: string;
  readonly destination: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly error: string | null;
  readonly nextAttemptAt: string | null;
}

export interface DeliverResult {
  readonly claimed: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
  readonly items: readonly DeliveryOutcome[];
}

/**
 * The wait before attempt `attempts + 1`: base × 2^(attempts − 1), capped, with "equal jitter" (half
 * fixed, half uniform) so receivers that failed together are not retried together.
 */
export function backoffMs(
  attempts: number,
  o: { baseDelayMs: number; maxDelayMs: number },
  r: number,
): number {
  const d = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(d / 2 + (r * d) / 2);
}

/** An error message with the destination's secrets and full URL removed, at most 300 characters. */
function redact(
  message: string,
  d: DestinationSecret,
  env: Readonly<Record<string, string | undefined>>,
): string {
  let m = message;
  const secrets = [d.secret, d.url, env[d.smtp?.passwordEnv ?? 'TOUCHPOINT_SMTP_PASSWORD']];
  for (const s of secrets) if (s && s.length >= 4) m = m.split(s).join(s === d.url ? maskUrl(s) : '***');
  return m.length > 300 ? `${m.slice(0, 299)}…` : m;
}

interface Claimed {
  key: string;
  destination_id: string;
  topic: string;
  subject: string;
  text: string;
  data: string;
  attempts: number;
}

/**
 * Messages left `sending` by a process that died mid-send are due again now. Only the process that
 * holds the workspace file (the server, or a CLI run) calls it, before its first round: no other
 * sender can be in flight.
 */
export async function recoverInterrupted(db: Store, now: Date = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await tx.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM notify_outbox WHERE status = 'sending'`,
    );
    await tx.exec(
      sql`UPDATE notify_outbox SET status = 'retrying', next_attempt_at = ${now} WHERE status = 'sending'`,
    );
    return n?.n ?? 0;
  });
}

/**
 * One delivery round, at least once: (1) claim the due messages in one transaction — each becomes
 * `sending` with its attempt counted and a lease (its next attempt set past the send's time limit),
 * committed BEFORE anything is sent; (2) send them concurrently, signed (webhook) or over SMTP;
 * (3) commit each outcome as its send ends: `sent`, or `retrying` at now + backoff, or `failed` after
 * the last attempt.
 * A crash between (2) and (3) leaves the message `sending`; it is sent again (same key, so the
 * receiver can drop the repeat) after recovery or when its lease runs out — never lost.
 */
export async function deliverDue(db: Store, opts: DeliverOptions = {}): Promise<DeliverResult> {
  const o = { ...DELIVERY_DEFAULTS, ...definedOf(opts) };
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const env = opts.env ?? process.env;
  const write = opts.write ?? (<T>(fn: (db: Store) => Promise<T>) => fn(db));
  const at = now();
  const lease = new Date(at.getTime() + o.timeoutMs + 60_000);
  // a read first: an idle outbox costs no turn of the single writer
  const due = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM notify_outbox
    WHERE status IN ('pending', 'retrying', 'sending') AND next_attempt_at <= ${at}`);
  if ((due?.n ?? 0) === 0) return { claimed: 0, sent: 0, retrying: 0, failed: 0, items: [] };
  const claimed = await write((w) =>
    w.transaction(async (tx) => {
      const rows =
        await tx.all<Claimed>(sql`SELECT key, destination_id, topic, subject, text, data::VARCHAR AS data, attempts
        FROM notify_outbox
        WHERE status IN ('pending', 'retrying', 'sending') AND next_attempt_at <= ${at}
          AND (${opts.key ?? null}::VARCHAR IS NULL OR key = ${opts.key ?? null})
        ORDER BY next_attempt_at, created_at, key, destination_id LIMIT ${o.limit}`);
      const ids = rows.map((r) => `${r.key}\u0000${r.destination_id}`);
      if (ids.length > 0)
        await tx.exec(sql`UPDATE notify_outbox SET status = 'sending', attempts = attempts + 1,
            last_attempt_at = ${at}, next_attempt_at = ${lease}
          WHERE list_contains(${ids}::VARCHAR[], key || chr(0) || destination_id)`);
      const dests = new Map<string, DestinationSecret | null>();
      for (const r of rows)
        if (!dests.has(r.destination_id))
          dests.set(r.destination_id, await getDestination(tx, r.destination_id).catch(() => null));
      return rows.map((r) => ({ ...r, attempts: r.attempts + 1, dest: dests.get(r.destination_id) ?? null }));
    }),
  );
  const outcomes = await Promise.all(
    claimed.map(async (c): Promise<DeliveryOutcome> => {
      const m: Outgoing = {
        key: c.key,
        topic: c.topic,
        subject: c.subject,
        text: c.text,
        data: JSON.parse(c.data),
      };
      let error: string | null = null;
      if (!c.dest) error = 'destination removed';
      else
        try {
          if (c.dest.kind === 'webhook') await sendWebhook(c.dest, m, now(), o.timeoutMs);
          else await sendEmail(c.dest, m, o.timeoutMs, env);
        } catch (e) {
          const text = e instanceof Error ? e.message : String(e);
          const code = errorCode(e);
          error = redact(
            (e as Error).name === 'TimeoutError'
              ? `no answer within ${o.timeoutMs} ms`
              : text === 'fetch failed'
                ? `could not reach the receiver (${code ?? (e as { cause?: Error }).cause?.message ?? 'network error'})`
                : code && !text.includes(code)
                  ? `${text} (${code})`
                  : text,
            c.dest,
            env,
          );
        }
      const done = now();
      const status: OutboxStatus =
        error === null ? 'sent' : !c.dest || c.attempts >= o.maxAttempts ? 'failed' : 'retrying';
      const next =
        status === 'retrying' ? new Date(done.getTime() + backoffMs(c.attempts, o, random())) : null;
      const r = {
        key: c.key,
        destination: c.dest?.name ?? c.destination_id,
        status,
        attempts: c.attempts,
        error,
        nextAttemptAt: next?.toISOString() ?? null,
      };
      // each outcome is committed as soon as its send ends (one slow receiver holds back no other)
      await write((w) =>
        w.exec(sql`UPDATE notify_outbox SET status = ${status}, last_error = ${error},
            sent_at = ${status === 'sent' ? done : null},
            next_attempt_at = coalesce(${r.nextAttemptAt}::TIMESTAMP, next_attempt_at)
          WHERE key = ${c.key} AND destination_id = ${c.destination_id} AND status = 'sending'`),
      );
      return r;
    }),
  );
  return {
    claimed: claimed.length,
    sent: outcomes.filter((r) => r.status === 'sent').length,
    retrying: outcomes.filter((r) => r.status === 'retrying').length,
    failed: outcomes.filter((r) => r.status === 'failed').length,
    items: outcomes,
  };
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) somewhere in an error's causes. */
function errorCode(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  const x = e as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof x.code === 'string' && /^E[A-Z]+$/.test(x.code)) return x.code;
  return (
    errorCode(x.cause, depth + 1) ?? (Array.isArray(x.errors) ? errorCode(x.errors[0], depth + 1) : undefined)
  );
}

function definedOf(o: DeliverOptions): Partial<typeof DELIVERY_DEFAULTS> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(DELIVERY_DEFAULTS) as (keyof typeof DELIVERY_DEFAULTS)[])
    if (typeof o[k] === 'number') out[k] = o[k];
  return out;
}

/** Delivery settings from the environment (TOUCHPOINT_NOTIFY_*), for the server's loop and the CLI. */
export function deliveryOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DeliverOptions {
  const num = (k: string) => {
    const v = env[k];
    return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const o: Record<string, number> = {};
  const map = {
    maxAttempts: 'TOUCHPOINT_NOTIFY_MAX_ATTEMPTS',
    baseDelayMs: 'TOUCHPOINT_NOTIFY_BASE_DELAY_MS',
    maxDelayMs: 'TOUCHPOINT_NOTIFY_MAX_DELAY_MS',
    timeoutMs: 'TOUCHPOINT_NOTIFY_TIMEOUT_MS',
  } as const;
  for (const [k, e] of Object.entries(map)) {
    const v = num(e);
    if (v !== undefined) o[k] = v;
  }
  return o;
}

export { smtpOf };
