import nodemailer from 'nodemailer';
import type { DestinationSecret, SmtpSettings } from './destinations.js';
import { signedHeaders } from './signing.js';

/** What a transport sends: an outbox row's message. */
export interface Outgoing {
  readonly key: string;
  readonly topic: string;
  readonly subject: string;
  readonly text: string;
  readonly data: Record<string, unknown>;
}

/**
 * The webhook body. `standard`: the Standard Webhooks payload shape `{type, timestamp, data}`, with
 * the key, subject and text inside `data` beside the producer's fields. `slack`: what a Slack (or
 * Mattermost, Teams workflow) incoming webhook takes: `text` plus one mrkdwn section block.
 */
export function webhookBody(d: Pick<DestinationSecret, 'template'>, m: Outgoing, at: Date): string {
  if (d.template === 'slack') {
    const text = `*${m.subject}*\n${m.text}`;
    return JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  }
  return JSON.stringify({
    type: m.topic,
    timestamp: at.toISOString(),
    data: { ...m.data, key: m.key, subject: m.subject, text: m.text },
  });
}

/** POSTs one signed message; resolves on a 2xx answer within `timeoutMs`, throws otherwise. */
export async function sendWebhook(
  d: DestinationSecret,
  m: Outgoing,
  at: Date,
  timeoutMs: number,
): Promise<void> {
  if (!d.url || !d.secret) throw new Error('the destination has no URL or secret');
  const body = webhookBody(d, m, at);
  const res = await fetch(d.url, {
    method: 'POST',
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Touchpoint-Webhooks/1',
      ...signedHeaders(d.secret, m.key, at, body),
    },
  });
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`the receiver answered HTTP ${res.status}`);
}

/** SMTP settings of a destination over TOUCHPOINT_SMTP_* defaults; the password from the environment. */
export function smtpOf(
  s: SmtpSettings | null,
  env: Readonly<Record<string, string | undefined>>,
): { host: string; port: number; secure: boolean; user?: string; pass?: string; from: string } {
  const host = s?.host ?? env.TOUCHPOINT_SMTP_HOST;
  if (!host) throw new Error('no SMTP host: set it on the destination or TOUCHPOINT_SMTP_HOST');
  const secure = s?.secure ?? env.TOUCHPOINT_SMTP_SECURE === 'true';
  const port = s?.port ?? (env.TOUCHPOINT_SMTP_PORT ? Number(env.TOUCHPOINT_SMTP_PORT) : secure ? 465 : 587);
  const user = s?.user ?? env.TOUCHPOINT_SMTP_USER;
  const pass = env[s?.passwordEnv ?? 'TOUCHPOINT_SMTP_PASSWORD'];
  const from = s?.from ?? env.TOUCHPOINT_SMTP_FROM ?? 'touchpoint@localhost';
  return { host, port, secure, from, ...(user ? { user } : {}), ...(pass ? { pass } : {}) };
}

/**
 * Sends one e-mail. The Message-ID is derived from the key (`<key@touchpoint>`), so a repeat after a
 * crash carries the same id (mail systems and clients thread or drop it), and the key is in a header.
 */
export async function sendEmail(
  d: DestinationSecret,
  m: Outgoing,
  timeoutMs: number,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const s = smtpOf(d.smtp, env);
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from: s.from,
      to: d.to ?? '',
      subject: m.subject,
      text: m.text,
      messageId: `<${m.key.replace(/[^\w.-]/g, '_')}@touchpoint>`,
      headers: { 'X-Touchpoint-Key': m.key, 'X-Touchpoint-Topic': m.topic },
    });
  } finally {
    transport.close();
  }
}
