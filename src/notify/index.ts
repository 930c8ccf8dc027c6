/**
 * Delivery (docs/notify.md): destinations (Standard Webhooks-signed HTTP, or e-mail over SMTP), an
 * outbox idempotent on each message's key, and at-least-once delivery with retries and backoff.
 * Producers (alerts, automations, the report) call `enqueue`; `touchpoint serve` delivers.
 */

export {
  backoffMs,
  DELIVERY_DEFAULTS,
  type DeliverOptions,
  type DeliverResult,
  deliverDue,
  deliveryOptionsFromEnv,
  recoverInterrupted,
} from './deliver.js';
export {
  AddDestinationParams,
  addDestination,
  type Destination,
  getDestination,
  listDestinations,
  maskUrl,
  removeDestination,
} from './destinations.js';
export { operations } from './operations.js';
export {
  type EnqueueResult,
  enqueue,
  listOutbox,
  type Message,
  type OutboxItem,
  OutboxParams,
  type OutboxResult,
  type OutboxStatus,
  retryFailed,
} from './outbox.js';
export { newSecret, SECRET_PREFIX, signature, signedHeaders } from './signing.js';
export { webhookBody } from './transports.js';

/** The table of queued and sent messages (read by the cockpit through the outbox verb). */
export const OUTBOX_TABLE = 'notify_outbox';
