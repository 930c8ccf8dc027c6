import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { backoffMs, deliverDue } from './deliver.js';
import { addDestination, listDestinations, removeDestination } from './destinations.js';
import { enqueue, listOutbox, retryFailed } from './outbox.js';
import { startReceiver } from './receiver.test-helpers.js';
import { signature } from './signing.js';
import { webhookBody } from './transports.js';

const msg = (key: string) => ({
  key,
  topic: 'alert',
  subject: `Subject ${key}`,
  text: `Text ${key}`,
  data: { n: 1 },
});

describe('Standard Webhooks signing', () => {
  it('matches the reference library on a fixed secret, id, time and body', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const at = new Date('2026-01-01T00:00:00Z');
    const body = '{"type":"alert","data":{"x":1}}';
    // the reference signer (standardwebhooks, the spec's own implementation) on the same inputs
    expect(signature(secret, 'msg_1', at.getTime() / 1000, body)).toBe(
      new Webhook(secret).sign('msg_1', at, body),
    );
  });

  it('uses the exponential backoff with equal jitter: half fixed, half random, capped', () => {
    const o = { baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((a) => backoffMs(a, o, 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, o, 1))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe('destinations and the outbox', () => {
  it('shows the secret once, masks URLs in lists, refuses bad input with the field', async () => {
    await withTestDb(async (db) => {
      const d = await addDestination(db, {
        name: 'slack',
        kind: 'webhook',
        url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
        template: 'slack',
      });
      expect(d.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      const list = await listDestinations(db);
      expect(list).toHaveLength(1);
      expect(JSON.stringify(list)).not.toContain(d.secret!);
      expect(list[0]!.url).toBe('https://hooks.slack.com/serv…/T000/B000/XXXX…');
      await expect(addDestination(db, { name: 'x', kind: 'webhook' })).rejects.toThrow(
        'url: a webhook destination needs --url',
      );
      await expect(
        addDestination(db, { name: 'm', kind: 'email', to: 'ops@example.com, nope' }),
      ).rejects.toThrow('to: "nope" is not an e-mail address');
      await expect(
        addDestination(db, { name: 'slack', kind: 'webhook', url: 'http://x.test/' }),
      ).rejects.toThrow('a destination named "slack" exists');
    });
  });

  it('enqueues once per key and destination; topics choose the destinations', async () => {
    await withTestDb(async (db) => {
      await addDestination(db, { name: 'all', kind: 'webhook', url: 'http://127.0.0.1:9/a' });
      await addDestination(db, {
        name: 'reports',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/r',
        topics: 'report',
      });
      expect(await enqueue(db, msg('k1'))).toEqual({
        key: 'k1',
        queued: 1,
        duplicates: 0,
        destinations: ['all'],
      });
      expect(await enqueue(db, msg('k1'))).toEqual({
        key: 'k1',
        queued: 0,
        duplicates: 1,
        destinations: ['all'],
      });
      expect((await enqueue(db, { ...msg('r1'), topic: 'report' })).destinations).toEqual(['all', 'reports']);
      expect((await enqueue(db, { ...msg('r2'), destinations: ['reports'] })).queued).toBe(1);
      await expect(enqueue(db, { ...msg('k9'), destinations: ['nope'] })).rejects.toThrow(
        'no destination "nope"',
      );
      await expect(enqueue(db, msg('bad key!'))).rejects.toThrow('key:');
      // a team's own channel receives its team's messages only
      await addDestination(db, {
        name: 'returns-chat',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/t',
        teams: 'returns',
      });
      expect((await enqueue(db, { ...msg('t1'), team: 'returns' })).destinations).toEqual([
        'all',
        'returns-chat',
      ]);
      expect((await enqueue(db, { ...msg('t2'), team: 'logistics' })).destinations).toEqual(['all']);
      expect((await enqueue(db, msg('t3'))).destinations).toEqual(['all']);
      expect((await listOutbox(db, { key: 't1' })).items.map((i) => i.destination).sort()).toEqual([
        'all',
        'returns-chat',
      ]);
      await removeDestination(db, 'returns-chat');
      await db.exec(sql`DELETE FROM notify_outbox WHERE key IN ('t1', 't2', 't3')`);
      const o = await listOutbox(db);
      expect(o.counts.pending).toBe(4);
      // removing a destination fails what still waits for it, visibly
      expect(await removeDestination(db, 'reports')).toEqual({ removed: 'reports', abandoned: 2 });
      expect((await listOutbox(db, { status: 'failed' })).items.map((i) => [i.key, i.lastError])).toEqual([
        ['r2', 'destination removed'],
        ['r1', 'destination removed'],
      ]);
    });
  });
});

describe('webhook delivery to a real receiver on loopback', () => {
  it('signs what the reference verifier accepts, in the standard and the Slack body', async () => {
    let secret = '';
    const rx = await startReceiver(() => secret);
    try {
      await withTestDb(async (db) => {
        const std = await addDestination(db, { name: 'std', kind: 'webhook', url: rx.url });
        secret = std.secret!;
        await enqueue(db, msg('a-1'));
        const r = await deliverDue(db);
        expect(r).toMatchObject({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
        expect(rx.received).toHaveLength(1);
        expect(rx.received[0]!.verified).toBe(true);
        expect(rx.received[0]!.id).toBe('a-1');
        expect(JSON.parse(rx.received[0]!.body)).toMatchObject({
          type: 'alert',
          data: { key: 'a-1', subject: 'Subject a-1', text: 'Text a-1', n: 1 },
        });
        const out = await listOutbox(db);
        expect(out.items[0]).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
        expect(out.items[0]!.sentAt).not.toBeNull();
        // nothing due: a second round sends nothing
        expect((await deliverDue(db)).claimed).toBe(0);
      });
    } finally {
      await rx.close();
    }
    expect(JSON.parse(webhookBody({ template: 'slack' }, msg('s'), new Date()))).toEqual({
      text: '*Subject s*\nText s',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Subject s*\nText s' } }],
    });
  });

  it('retries after a 500 and a timeout with backoff, then succeeds; a wrong secret is refused', async () => {
    let secret = '';
    // first answer 500, second hangs past the time limit, third 200
    const rx = await startReceiver(
      () => secret,
      (n) => (n === 0 ? 500 : n === 1 ? 'hang' : 200),
    );
    try {
      await withTestDb(async (db) => {
        secret = (await addDestination(db, { name: 'rx', kind: 'webhook', url: rx.url })).secret!;
        await enqueue(db, msg('r-1'));
        let clock = Date.now();
        const o = { now: () => new Date(clock), random: () => 0.5, baseDelayMs: 1000, timeoutMs: 300 };
        const first = await deliverDue(db, o);
        expect(first.items[0]).toMatchObject({
          status: 'retrying',
          attempts: 1,
          error: 'the receiver answered HTTP 500',
        });
        // backoff after attempt 1: 1000 × (0.5 + 0.5 × 0.5) = 750 ms; not due before
        expect(Date.parse(first.items[0]!.nextAttemptAt!) - clock).toBe(750);
        expect((await deliverDue(db, o)).claimed).toBe(0);
        clock += 751;
        const second = await deliverDue(db, o);
        expect(second.items[0]).toMatchObject({
          status: 'retrying',
          attempts: 2,
          error: 'no answer within 300 ms',
        });
        expect(Date.parse(second.items[0]!.nextAttemptAt!) - clock).toBe(1500);
        clock += 1501;
        const third = await deliverDue(db, o);
        expect(third.items[0]).toMatchObject({ status: 'sent', attempts: 3, error: null });
        expect(rx.received.map((r) => [r.id, r.verified, r.answer])).toEqual([
          ['r-1', true, 500],
          ['r-1', true, 'hang'],
          ['r-1', true, 200],
        ]);
        // each attempt is signed at its own time: the same id, a fresh timestamp
        expect(rx.delivered.size).toBe(1);
        secret = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; // the receiver now expects another secret
        await enqueue(db, msg('r-2'));
        const bad = await deliverDue(db, { ...o, maxAttempts: 1 });
        expect(bad.items[0]).toMatchObject({ status: 'failed', error: 'the receiver answered HTTP 401' });
      });
    } finally {
      await rx.close();
    }
  });

  it('marks a message failed after the last attempt and says why; an unreachable host is named', async () => {
    await withTestDb(async (db) => {
      // a loopback port nothing listens on (bound, then closed): the connection is refused
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const port = (s.address() as AddressInfo).port;
      await new Promise<void>((r) => s.close(() => r()));
      await addDestination(db, { name: 'dead', kind: 'webhook', url: `http://127.0.0.1:${port}/x` });
      await enqueue(db, msg('d-1'));
      let clock = Date.now();
      const o = { now: () => new Date(clock), maxAttempts: 3, baseDelayMs: 10, random: () => 1 };
      const states: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await deliverDue(db, o);
        states.push(r.items[0]!.status);
        clock += 1000;
      }
      expect(states).toEqual(['retrying', 'retrying', 'failed']);
      const item = (await listOutbox(db)).items[0]!;
      expect(item).toMatchObject({ status: 'failed', attempts: 3, nextAttemptAt: null });
      expect(item.lastError).toBe('could not reach the receiver (ECONNREFUSED)');
      expect((await deliverDue(db, o)).claimed).toBe(0);
      // sent again on demand, with a fresh set of attempts
      await expect(retryFailed(db, 'nope')).rejects.toThrow('no failed message nope to send again');
      expect(await retryFailed(db, 'd-1', 'dead', new Date(clock))).toEqual({ key: 'd-1', requeued: 1 });
      const again = await deliverDue(db, o);
      expect(again.items[0]).toMatchObject({ key: 'd-1', status: 'retrying', attempts: 1 });
    });
  });

  it('re-sends, with the same id, a message a crashed process left sending once its lease ran out', async () => {
    let secret = '';
    const rx = await startReceiver(() => secret);
    try {
      await withTestDb(async (db) => {
        secret = (await addDestination(db, { name: 'rx', kind: 'webhook', url: rx.url })).secret!;
        await enqueue(db, msg('l-1'));
        // a claim committed and then nothing (the process died mid-send)
        const t0 = Date.now();
        await db.exec(sql`UPDATE notify_outbox SET status = 'sending', attempts = 1,
          next_attempt_at = ${new Date(t0 + 70_000)}`);
        expect((await deliverDue(db, { now: () => new Date(t0 + 1000) })).claimed).toBe(0);
        const r = await deliverDue(db, { now: () => new Date(t0 + 70_001) });
        expect(r.items[0]).toMatchObject({ key: 'l-1', status: 'sent', attempts: 2 });
      });
    } finally {
      await rx.close();
    }
  });
});

describe('e-mail delivery to a local SMTP sink', () => {
  it('sends through SMTP with the key as Message-ID, the password from the environment', async () => {
    const mails: { from: string; to: string[]; raw: string; user?: string; pass?: string }[] = [];
    let auth: { user?: string; pass?: string } = {};
    const sink = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      onAuth(a, _s, cb) {
        auth = { user: a.username ?? undefined, pass: a.password ?? undefined };
        cb(null, { user: a.username });
      },
      onData(stream, session, cb) {
        let raw = '';
        stream.on('data', (c: Buffer) => {
          raw += c.toString();
        });
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = (sink.server.address() as { port: number }).port;
    try {
      await withTestDb(async (db) => {
        await addDestination(db, {
          name: 'ops-mail',
          kind: 'email',
          to: 'ops@example.com, lead@example.com',
          smtpHost: '127.0.0.1',
          smtpPort: port,
          smtpUser: 'touchpoint',
          smtpFrom: 'alerts@example.com',
          smtpPasswordEnv: 'TEST_SMTP_PASS',
        });
        // the password is never stored
        expect(JSON.stringify(await db.all(sql`SELECT * FROM notify_destinations`))).not.toContain('s3cret');
        await enqueue(db, msg('m-1'));
        const r = await deliverDue(db, { env: { TEST_SMTP_PASS: 's3cret-pw' } });
        expect(r.items[0]).toMatchObject({ status: 'sent', attempts: 1 });
        expect(mails).toHaveLength(1);
        expect(mails[0]!.from).toBe('alerts@example.com');
        expect(mails[0]!.to).toEqual(['ops@example.com', 'lead@example.com']);
        expect(mails[0]!.raw).toContain('Subject: Subject m-1');
        expect(mails[0]!.raw).toContain('Message-ID: <m-1@touchpoint>');
        expect(mails[0]!.raw).toContain('X-Touchpoint-Key: m-1');
        expect(mails[0]!.raw).toContain('Text m-1');
        expect(auth).toEqual({ user: 'touchpoint', pass: 's3cret-pw' });
        // no host at all: a clear reason, kept on the message
        await addDestination(db, { name: 'nohost', kind: 'email', to: 'x@example.com' });
        await enqueue(db, { ...msg('m-2'), destinations: ['nohost'] });
        const r2 = await deliverDue(db, { env: {}, maxAttempts: 1 });
        expect(r2.items[0]).toMatchObject({
          status: 'failed',
          error: 'no SMTP host: set it on the destination or TOUCHPOINT_SMTP_HOST',
        });
      });
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });
});

describe('notify test', () => {
  it('sends one signed test message now, and fails loudly with the reason when it cannot', async () => {
    const { testOperation } = await import('./operations.js');
    let secret = '';
    const rx = await startReceiver(() => secret);
    try {
      await withTestDb(async (db) => {
        secret = (await addDestination(db, { name: 'rx', kind: 'webhook', url: rx.url })).secret!;
        const r = await testOperation.run(db, { destination: 'rx' }, {});
        expect(r).toMatchObject({ destination: 'rx', status: 'sent', attempts: 1 });
        expect(rx.received.map((x) => [x.id, x.verified])).toEqual([[r.key, true]]);
        await addDestination(db, { name: 'mail', kind: 'email', to: 'x@example.com' });
        await expect(testOperation.run(db, { destination: 'mail' }, {})).rejects.toThrow(
          'not sent to mail: no SMTP host: set it on the destination or TOUCHPOINT_SMTP_HOST',
        );
      });
    } finally {
      await rx.close();
    }
  });
});
