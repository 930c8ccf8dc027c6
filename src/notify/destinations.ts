import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type Store, sql } from '../store/index.js';
import { newSecret } from './signing.js';

/** SMTP settings of an e-mail destination; unset fields come from TOUCHPOINT_SMTP_* (docs/notify.md). */
export const SmtpSettings = z.object({
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  secure: z.boolean().optional(),
  user: z.string().optional(),
  from: z.string().optional(),
  /** The environment variable holding the password: a password is never stored. */
  passwordEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A–Z, 0–9, _)')
    .optional(),
});
export type SmtpSettings = z.output<typeof SmtpSettings>;

export const AddDestinationParams = z.object({
  name: z.string().min(1).max(80).describe('a name for the destination (unique)'),
  kind: z.enum(['webhook', 'email']).describe('webhook (signed, Standard Webhooks) or email (SMTP)'),
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL')
    .optional()
    .describe('webhook: the receiver URL'),
  template: z
    .enum(['standard', 'slack'])
    .default('standard')
    .describe(
      'webhook body: standard ({type, timestamp, data}) or slack ({text, blocks}: an incoming webhook)',
    ),
  to: z.string().optional().describe('email: recipients, comma-separated'),
  smtpHost: z.string().optional().describe('email: SMTP host (default TOUCHPOINT_SMTP_HOST)'),
  smtpPort: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe('email: SMTP port (default TOUCHPOINT_SMTP_PORT or 587)'),
  smtpSecure: z
    .boolean()
    .optional()
    .describe('email: TLS from the start (port 465); default STARTTLS when offered'),
  smtpUser: z.string().optional().describe('email: SMTP user (default TOUCHPOINT_SMTP_USER)'),
  smtpFrom: z.string().optional().describe('email: sender address (default TOUCHPOINT_SMTP_FROM)'),
  smtpPasswordEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A–Z, 0–9, _)')
    .optional()
    .describe(
      'email: the environment variable holding the SMTP password (default TOUCHPOINT_SMTP_PASSWORD); never stored',
    ),
  topics: z
    .string()
    .default('*')
    .describe('topics it receives, comma-separated (alert, automation, report, test…); * for all'),
  teams: z
    .string()
    .default('*')
    .describe('teams whose messages it receives, comma-separated (a team’s own channel); * for all'),
});
export type AddDestinationParams = z.input<typeof AddDestinationParams>;

export interface Destination {
  readonly id: string;
  readonly name: string;
  readonly kind: 'webhook' | 'email';
  /** Webhook URL with its secret-looking parts masked (a Slack URL's token); the full one is stored. */
  readonly url: string | null;
  readonly template: 'standard' | 'slack';
  readonly to: string | null;
  readonly smtp: SmtpSettings | null;
  readonly topics: readonly string[];
  /** Teams whose messages it receives (`*`: all, and messages about no team). */
  readonly teams: readonly string[];
  readonly createdAt: string;
}

/** A destination as the sender needs it: with the full URL and the signing secret. */
export interface DestinationSecret extends Omit<Destination, 'url'> {
  readonly url: string | null;
  readonly secret: string | null;
}

interface Row {
  id: string;
  name: string;
  kind: 'webhook' | 'email';
  url: string | null;
  secret: string | null;
  template: 'standard' | 'slack';
  email_to: string | null;
  smtp: string | null;
  topics: string;
  teams: string;
  created_at: string;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

/** A URL as lists show it: no query, path segments longer than 6 characters cut to their first 4. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname
      .split('/')
      .map((s) => (s.length > 6 ? `${s.slice(0, 4)}…` : s))
      .join('/');
    return `${u.protocol}//${u.host}${path}${u.search ? '?…' : ''}`;
  } catch {
    return '…';
  }
}

const selectRow = sql`SELECT id, name, kind, url, secret, template, email_to, smtp::VARCHAR AS smtp,
  topics::VARCHAR AS topics, teams::VARCHAR AS teams, created_at FROM notify_destinations`;

const toSecret = (r: Row): DestinationSecret => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  url: r.url,
  secret: r.secret,
  template: r.template,
  to: r.email_to,
  smtp: r.smtp ? (JSON.parse(r.smtp) as SmtpSettings) : null,
  topics: JSON.parse(r.topics) as string[],
  teams: JSON.parse(r.teams) as string[],
  createdAt: r.created_at,
});

const toPublic = (r: Row): Destination => publicOf(toSecret(r));

/**
 * Adds a destination. A webhook gets a new signing secret (`whsec_…`), returned here once: lists
 * never show it again. An e-mail destination needs recipients; its SMTP password stays in the
 * environment.
 */
export async function addDestination(
  db: Store,
  input: AddDestinationParams,
  now: Date = new Date(),
): Promise<Destination & { readonly secret: string | null }> {
  const p = AddDestinationParams.parse(input);
  const field = (f: string, message: string) =>
    new TouchpointError('invalid_input', `${f}: ${message}`, { details: [{ field: f, message }] });
  if (p.kind === 'webhook' && !p.url) throw field('url', 'a webhook destination needs --url');
  if (p.kind === 'email') {
    const to = (p.to ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (to.length === 0) throw field('to', 'an email destination needs --to (comma-separated addresses)');
    const bad = to.find((a) => !EMAIL.test(a));
    if (bad) throw field('to', `"${bad}" is not an e-mail address`);
  }
  const topics = p.topics
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const teams = p.teams
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const smtp: SmtpSettings | null =
    p.kind === 'email'
      ? SmtpSettings.parse({
          host: p.smtpHost,
          port: p.smtpPort,
          secure: p.smtpSecure,
          user: p.smtpUser,
          from: p.smtpFrom,
          passwordEnv: p.smtpPasswordEnv,
        })
      : null;
  const id = `dst-${randomUUID().slice(0, 8)}`;
  const secret = p.kind === 'webhook' ? newSecret() : null;
  try {
    await db.exec(sql`INSERT INTO notify_destinations VALUES (${id}, ${p.name}, ${p.kind},
      ${p.kind === 'webhook' ? p.url! : null}, ${secret}, ${p.template},
      ${
        p.kind === 'email'
          ? p
              .to!.split(',')
              .map((x) => x.trim())
              .filter(Boolean)
              .join(', ')
          : null
      },
      ${smtp ? JSON.stringify(smtp) : null}::JSON, ${JSON.stringify(topics.length ? topics : ['*'])}::JSON,
      ${JSON.stringify(teams.length ? teams : ['*'])}::JSON, ${now})`);
  } catch (e) {
    if (/duplicate key|unique/i.test(String(e)))
      throw new TouchpointError(
        'conflict',
        `a destination named "${p.name}" exists; remove it first or pick another name`,
      );
    throw e;
  }
  const d = await getDestination(db, id);
  return { ...publicOf(d), secret };
}

/** A destination as lists show it: no secret, the URL masked. */
export function publicOf(d: DestinationSecret): Destination {
  const { secret: _s, ...rest } = d;
  return { ...rest, url: d.url ? maskUrl(d.url) : null };
}

/** The destinations, oldest first, secrets never shown. */
export async function listDestinations(db: Store): Promise<readonly Destination[]> {
  return (await db.all<Row>(sql`${selectRow} ORDER BY created_at, name`)).map(toPublic);
}

/** One destination by id or name, with what the sender needs (URL and secret). */
export async function getDestination(db: Store, idOrName: string): Promise<DestinationSecret> {
  const r = await db.one<Row>(sql`${selectRow} WHERE id = ${idOrName} OR name = ${idOrName}`);
  if (!r) throw new TouchpointError('not_found', `no destination "${idOrName}" (see notify destinations)`);
  return toSecret(r);
}

/** Every destination with its secret (for the sender). */
export async function destinationsWithSecrets(db: Store): Promise<readonly DestinationSecret[]> {
  return (await db.all<Row>(sql`${selectRow} ORDER BY created_at, name`)).map(toSecret);
}

/**
 * Removes a destination. Messages still waiting for it are marked `failed` ("destination removed"),
 * so the outbox keeps the trace of what was not sent.
 */
export async function removeDestination(
  db: Store,
  idOrName: string,
): Promise<{ removed: string; abandoned: number }> {
  const d = await getDestination(db, idOrName);
  return db.transaction(async (tx) => {
    const n = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM notify_outbox
      WHERE destination_id = ${d.id} AND status NOT IN ('sent', 'failed')`);
    await tx.exec(sql`UPDATE notify_outbox SET status = 'failed', last_error = 'destination removed'
      WHERE destination_id = ${d.id} AND status NOT IN ('sent', 'failed')`);
    await tx.exec(sql`DELETE FROM notify_destinations WHERE id = ${d.id}`);
    return { removed: d.name, abandoned: n?.n ?? 0 };
  });
}
