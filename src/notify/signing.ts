import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec "Signature scheme"): the secret is
 * `whsec_` + base64 of random bytes; the signed content is `<webhook-id>.<webhook-timestamp>.<body>`;
 * the signature is base64 HMAC-SHA256 with the decoded secret, sent as `v1,<signature>`.
 */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 24 random bytes (192 bits; the spec asks for 24 to 64). */
export function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** The `webhook-signature` value of one message. `timestamp` is in whole seconds since the epoch. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers a Standard Webhooks receiver verifies. */
export function signedHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const ts = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signature(secret, id, ts, body),
  };
}
