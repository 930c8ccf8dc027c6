import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { deliverDue, deliveryOptionsFromEnv } from './deliver.js';
import {
  AddDestinationParams,
  addDestination,
  getDestination,
  listDestinations,
  removeDestination,
} from './destinations.js';
import { enqueue, listOutbox, OutboxParams, retryFailed } from './outbox.js';

const nowOf = (ctx: { now?: () => Date }) => ctx.now?.() ?? new Date();

export const destinationsOperation = defineOperation({
  area: 'notify',
  verb: 'destinations',
  summary: 'Where notifications go: signed webhooks and e-mail (secrets never shown)',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({ destinations: await listDestinations(db) }),
  present: (r) => [
    {
      rows: r.destinations.map((d) => ({
        id: d.id,
        name: d.name,
        kind: d.kind,
        target: d.kind === 'webhook' ? (d.url ?? '') : (d.to ?? ''),
        template: d.kind === 'webhook' ? d.template : '',
        topics: d.topics.join(','),
        teams: d.teams.join(','),
      })),
    },
  ],
});

export const addDestinationOperation = defineOperation({
  area: 'notify',
  verb: 'add-destination',
  summary: 'Add a webhook (its signing secret is shown once) or an e-mail destination',
  params: AddDestinationParams,
  mode: 'write',
  permission: 'admin',
  positional: ['name'],
  run: (db, p, ctx) => addDestination(db, p, nowOf(ctx)),
  present: (d) => [
    {
      text:
        d.kind === 'webhook'
          ? `destination ${d.name} (${d.id}) → ${d.url}\nsigning secret (shown once; verify webhook-signature with it): ${d.secret}`
          : `destination ${d.name} (${d.id}) → ${d.to}`,
    },
  ],
});

export const removeDestinationOperation = defineOperation({
  area: 'notify',
  verb: 'remove-destination',
  summary: 'Remove a destination; messages still waiting for it are marked failed',
  params: z.object({ destination: z.string().min(1).describe('id or name') }),
  mode: 'write',
  permission: 'admin',
  positional: ['destination'],
  run: (db, p) => removeDestination(db, p.destination),
});

export const testOperation = defineOperation({
  area: 'notify',
  verb: 'test',
  summary: 'Send a test message to one destination now and show how it went',
  params: z.object({ destination: z.string().min(1).describe('id or name') }),
  mode: 'write',
  permission: 'admin',
  positional: ['destination'],
  run: async (db, p, ctx) => {
    const d = await getDestination(db, p.destination);
    const now = nowOf(ctx);
    const key = `test:${d.id}:${now.getTime()}`;
    await enqueue(
      db,
      {
        key,
        topic: 'test',
        subject: 'Touchpoint test message',
        text: `A test from Touchpoint to destination ${d.name}. If you read this, delivery works.`,
        data: { destination: d.name },
        destinations: [d.id],
      },
      now,
    );
    const r = await deliverDue(db, { ...deliveryOptionsFromEnv(), key, maxAttempts: 1 });
    const item = r.items[0];
    if (item?.status !== 'sent')
      throw new TouchpointError('unavailable', `not sent to ${d.name}: ${item?.error ?? 'not claimed'}`);
    return { ...item, key, destination: d.name };
  },
  present: (r) => [
    {
      text:
        r.status === 'sent'
          ? `sent to ${r.destination} (key ${r.key})`
          : `not sent to ${r.destination}: ${r.error}`,
    },
  ],
});

export const outboxOperation = defineOperation({
  area: 'notify',
  verb: 'outbox',
  summary: 'The notification outbox: each message per destination with its delivery state',
  params: OutboxParams,
  mode: 'read',
  listField: 'items',
  run: (db, p) => listOutbox(db, p),
  present: (r) => [
    {
      title: Object.entries(r.counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(' · '),
      rows: r.items.map((i) => ({
        key: i.key,
        destination: i.destination ?? i.destinationId,
        topic: i.topic,
        status: i.status,
        attempts: i.attempts,
        'next attempt': i.nextAttemptAt ?? '',
        'sent at': i.sentAt ?? '',
        error: i.lastError ?? '',
      })),
    },
  ],
});

export const deliverOperation = defineOperation({
  area: 'notify',
  verb: 'deliver',
  summary: 'Send the messages that are due (for cron; `touchpoint serve` does it every few seconds)',
  params: z.object({
    limit: z.number().int().min(1).max(1000).default(50).describe('messages per round'),
  }),
  mode: 'write',
  run: (db, p) => deliverDue(db, { ...deliveryOptionsFromEnv(), limit: p.limit }),
  present: (r) => [
    {
      title: `${r.claimed} due: ${r.sent} sent, ${r.retrying} to retry, ${r.failed} failed`,
      rows: r.items.map((i) => ({
        key: i.key,
        destination: i.destination,
        status: i.status,
        attempts: i.attempts,
        error: i.error ?? '',
        'next attempt': i.nextAttemptAt ?? '',
      })),
    },
  ],
});

export const retryOperation = defineOperation({
  area: 'notify',
  verb: 'retry',
  summary: 'Send a failed message again (after fixing the receiver), with a fresh set of attempts',
  params: z.object({
    key: z.string().min(1).describe('the message key (notify outbox --status failed)'),
    destination: z.string().optional().describe('only to this destination (id or name)'),
  }),
  mode: 'write',
  permission: 'act',
  positional: ['key'],
  run: (db, p, ctx) => retryFailed(db, p.key, p.destination, nowOf(ctx)),
});

export const operations = [
  destinationsOperation,
  addDestinationOperation,
  removeDestinationOperation,
  testOperation,
  outboxOperation,
  retryOperation,
  deliverOperation,
] as const;
