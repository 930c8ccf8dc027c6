import { describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import { listFindings } from '../findings/index.js';
import { addDestination } from '../notify/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import {
  type AlertMessage,
  actOnAlerts,
  alertActions,
  alertGroups,
  alertMessage,
  deliverableAt,
  listAlerts,
} from './alerts.js';
import { monitorHistory, SimulateParams, simulateMonitor } from './history.js';
import { operations } from './operations.js';
import { anyDue, RunMonitorsParams, runMonitors } from './run.js';
import { batchSeries, monitorSeries } from './series.js';
import { acceptProposals, checkMonitor, createMonitor, listMonitors, proposeMonitors } from './stored.js';
import { BREAK_DAY, monitorFixture as fixture } from './test-fixture.js';

const run = (db: Store, p: Record<string, unknown>) =>
  runMonitors(db, RunMonitorsParams.parse(p), { actor: 'test' });

async function refusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (isTouchpointError(e)) return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('stored monitors', () => {
  it('proposes the default monitors and stores them once', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, reason, owner_team) VALUES
        ('k1', 'c1', TIMESTAMP '2026-01-06 10:00', 'refund', 'care'), ('k2', 'c2', TIMESTAMP '2026-01-07 10:00', 'refund', 'care')`);
      const ids = (await proposeMonitors(db)).map((p) => [p.id, p.ownerTeam]);
      expect(ids).toEqual([
        ['volume.touchpoint=checkout', 'web'],
        ['csat.team=care', 'care'],
        ['contacts.team=care', 'care'],
        ['csat.team=web', 'web'],
        ['contacts.team=web', 'web'],
        ['contacts.reason=refund', 'care'],
      ]);
      expect((await acceptProposals(db, { ids: [], all: true })).created).toHaveLength(6);
      expect(await acceptProposals(db, { ids: [], all: true })).toEqual({
        created: [],
        skipped: ids.map((x) => x[0]),
      });
      expect((await listMonitors(db)).map((m) => m.id)).toHaveLength(6);
    });
  });

  it('says whether any enabled monitor has a complete period to judge (what the scheduler reads first)', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const at = new Date('2026-05-01T00:00:00Z');
      expect(await anyDue(db, at)).toBe(false); // no monitor yet
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      expect(await anyDue(db, at)).toBe(true); // never judged
      await run(db, { asOf: at.toISOString() });
      expect(await anyDue(db, at)).toBe(false); // judged up to the data's last complete day
      await db.exec(sql`UPDATE monitors SET last_period = TIMESTAMP '2026-04-05'`);
      expect(await anyDue(db, at)).toBe(true);
    });
  });

  it('refuses a slice the metric cannot honour, and a metric it cannot watch', async () => {
    await withTestDb(async (db) => {
      expect(await refusal(() => createMonitor(db, { metric: 'contacts', touchpoint: 'checkout' }))).toBe(
        'touchpoint: contacts cannot be sliced by touchpoint (it can by channel, team, reason, segment, persona)',
      );
      expect(await refusal(() => createMonitor(db, { metric: 'fcr' }))).toMatch(
        /^metric: a monitor watches volume, contacts or a score metric .* fcr is a fcr metric$/,
      );
      expect(await refusal(() => createMonitor(db, { metric: 'volume', method: 'threshold' }))).toBe(
        'above: a threshold monitor needs --above or --below',
      );
    });
  });

  it('fires on the planted break, once per period however often it runs, and records the firing', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      await createMonitor(db, { metric: 'csat', touchpoint: 'checkout' });
      // judge the last two weeks (data end: day 97 at ~18:00, so day 97 is not complete)
      const first = await run(db, { from: '2026-03-30', asOf: '2026-05-01' });
      expect(first.monitors.map((m) => m.judged)).toEqual([
        { from: '2026-03-30T00:00:00.000Z', to: '2026-04-12T00:00:00.000Z' },
        { from: '2026-03-30T00:00:00.000Z', to: '2026-04-12T00:00:00.000Z' },
      ]);
      expect(first.monitors.map((m) => m.firings)).toEqual([
        [`csat.touchpoint=checkout@${BREAK_DAY}T00:00:00.000Z`],
        [`volume.touchpoint=checkout@${BREAK_DAY}T00:00:00.000Z`],
      ]);
      expect(first.newAlerts).toBe(2);
      const again = await run(db, { from: '2026-03-30', asOf: '2026-05-01' });
      expect(again.newAlerts).toBe(0);
      expect(await db.one(sql`SELECT count(*)::INTEGER AS n FROM alerts`)).toEqual({ n: 2 });
      // nothing new to judge without --from
      expect((await run(db, { asOf: '2026-05-01' })).monitors.every((m) => m.judged === null)).toBe(true);

      const [csat, volume] = await listAlerts(db, {}, new Date('2026-05-01'));
      expect(volume).toMatchObject({
        direction: 'down',
        ownerTeam: 'web',
        state: 'open',
        groupKey: `${BREAK_DAY}:down`,
      });
      expect(volume!.value).toBe(26); // 30 + (91·37 mod 11) − 5
      expect(volume!.customersAffected).toBe(26);
      expect(volume!.expected).toBeGreaterThan(90);
      expect(volume!.change.high!).toBeLessThan(0);
      expect(csat!.value).toBeCloseTo(20 / 60, 10);
      expect(csat!.n).toBe(60);
      expect(csat!.evidence).toMatchObject({
        examples: [{ kind: 'comment', text: 'the card form failed' }],
        funnelStep: { journey: 'buy', stage: 'purchase', touchpoint: 'checkout' },
      });
      const findings = await listFindings(db, { kind: 'alert', limit: 50 });
      expect(findings.map((f) => [f.kind, f.slice.monitor, f.ownerTeam]).sort()).toEqual([
        ['alert', 'csat.touchpoint=checkout', 'web'],
        ['alert', 'volume.touchpoint=checkout', 'web'],
      ]);
      const h = await monitorHistory(db, { monitor: 'volume.touchpoint=checkout', limit: 10 });
      expect(h.runs).toHaveLength(2);
      expect(h.alerts.map((a) => a.id)).toEqual([volume!.id]);
    });
  });

  it('runs an hourly monitor over UTC hours: the break day fires, in one group', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout', cadence: 'hourly' });
      const r = await run(db, { from: '2026-04-06', asOf: '2026-04-07' });
      expect(r.monitors[0]!.judged).toEqual({
        from: '2026-04-06T00:00:00.000Z',
        to: '2026-04-07T00:00:00.000Z',
      });
      const alerts = await listAlerts(db, {}, new Date('2026-04-07'));
      // visits run 06:00 to about 18:00: the break's missing hours fire, all in the day's one group
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts.every((a) => a.periodStart.startsWith(BREAK_DAY) && a.direction === 'down')).toBe(true);
      expect((await alertGroups(db, new Date('2026-04-07'))).map((g) => g.key)).toEqual([
        `${BREAK_DAY}:down`,
      ]);
    });
  });

  it('simulates a setting over the history: the break, and how a lower level sees less', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      const s = await simulateMonitor(db, SimulateParams.parse({ monitor: 'volume.touchpoint=checkout' }));
      expect(s.rows).toBe(97);
      expect(s.changes.map((c) => [c.start, c.direction])).toContainEqual([
        `${BREAK_DAY}T00:00:00.000Z`,
        'down',
      ]);
      const point = s.series.find((x) => x.at.startsWith(BREAK_DAY))!;
      expect(point.signals).toContain('drop');
      expect(point.low!).toBeGreaterThan(30);
      const t = await simulateMonitor(
        db,
        SimulateParams.parse({ monitor: 'volume.touchpoint=checkout', method: 'threshold', below: 20 }),
      );
      expect(t.changes).toEqual([]);
    });
  });
});

describe('series', () => {
  it('fetches the series of several monitors in one grouped query exactly as one by one', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint)
        SELECT 'x' || i, 'c' || (i % 9), TIMESTAMP '2026-02-01 23:30' + to_hours((i * 5)::BIGINT), 'app', 'cart' FROM range(0, 400) t(i)`);
      await db.exec(sql`UPDATE feedback SET case_id = 'k1' WHERE id LIKE 'f1%'`);
      await db.exec(
        sql`INSERT INTO cases (id, customer_id, opened_at, reason, owner_team) VALUES ('k1', 'c1', TIMESTAMP '2026-01-06 10:00', 'refund', 'care')`,
      );
      const zone = 'Europe/Paris';
      const from = Date.parse('2026-01-04T23:00:00Z');
      const to = Date.parse('2026-04-11T22:00:00Z');
      for (const [metric, key, values] of [
        ['volume', 'touchpoint', ['checkout', 'cart', 'nowhere']],
        ['csat', 'team', ['web', 'care']],
      ] as const) {
        const source = await checkMonitor(db, metric, {});
        const batch = await batchSeries(db, source, 'daily', key, values, zone, from, to);
        for (const v of values) {
          const one = await monitorSeries(
            db,
            { cadence: 'daily', slice: { [key]: v } },
            source,
            zone,
            from,
            to,
          );
          expect(batch.get(v), `${metric} ${key}=${v}`).toEqual(one);
        }
      }
    });
  });
});

describe('alerts', () => {
  it('moves through ack, snooze and resolve, records who and when, and refuses what a state does not allow', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      await createMonitor(db, { metric: 'csat', touchpoint: 'checkout' });
      await run(db, { from: '2026-03-30', asOf: '2026-05-01' });
      const now = new Date('2026-05-01T09:00:00Z');
      const [a, b] = (await listAlerts(db, {}, now)).map((x) => x.id);
      const groups = await alertGroups(db, now);
      expect(groups.map((g) => [g.key, g.alerts.length])).toEqual([[`${BREAK_DAY}:down`, 2]]);
      const msg = alertMessage(groups[0]!);
      expect(msg.subject).toBe(`2 monitors went down on ${BREAK_DAY}`);
      expect(msg.data.owners).toEqual(['web']);
      expect(alertMessage(groups[0]!).key).toBe(msg.key);

      const acked = await actOnAlerts(db, 'ack', { ids: [a!] }, { now, actor: 'user:ana' });
      expect(acked.changed).toEqual([{ id: a, from: 'open', to: 'acknowledged' }]);
      // the group now holds one open alert: a different message key
      expect(alertMessage((await alertGroups(db, now))[0]!).key).not.toBe(msg.key);
      await actOnAlerts(
        db,
        'snooze',
        { ids: [b!], until: '2026-05-01T12:00:00Z' },
        { now, actor: 'user:bo' },
      );
      expect((await listAlerts(db, { state: 'snoozed' }, now)).map((x) => x.id)).toEqual([b]);
      // after the snooze it reads as open again
      expect(
        (await listAlerts(db, { state: 'open' }, new Date('2026-05-01T12:00:01Z'))).map((x) => x.id),
      ).toEqual([b]);
      const resolve = operations.find((o) => o.area === 'alerts' && o.verb === 'resolve')!;
      expect((await listFindings(db, { kind: 'alert', limit: 50 })).length).toBe(2);
      await resolve.run(db, resolve.params.parse({ group: `${BREAK_DAY}:down` }), {
        now: () => now,
        actor: 'user:ana',
      });
      // resolved alerts leave the findings
      expect(await listFindings(db, { kind: 'alert', limit: 50 })).toEqual([]);
      expect(await listAlerts(db, {}, now)).toEqual([]);
      expect(await refusal(() => actOnAlerts(db, 'ack', { ids: [a!] }, { now }))).toBe(
        `${a}: a resolved alert cannot be acknowledged`,
      );
      expect(await refusal(() => actOnAlerts(db, 'ack', { ids: ['nope'] }, { now }))).toBe(
        'ids: no alert "nope" (touchpoint alerts list)',
      );
      expect((await alertActions(db, a!)).map((x) => [x.action, x.actor])).toEqual([
        ['ack', 'user:ana'],
        ['resolve', 'user:ana'],
      ]);
    });
  });

  it('sends one message per group, held until the quiet hours end', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      await createMonitor(db, { metric: 'csat', touchpoint: 'checkout' });
      await run(db, { from: '2026-03-30', asOf: '2026-05-01' });
      const messages = operations.find((o) => o.area === 'alerts' && o.verb === 'messages')!;
      const quiet = operations.find((o) => o.area === 'alerts' && o.verb === 'quiet-hours')!;
      const at = (iso: string) => ({ now: () => new Date(iso) });
      expect(await refusal(() => quiet.run(db, quiet.params.parse({ start: '22:00' }), {}))).toBe(
        'start: give --start and --end (different times), or --off',
      );
      await quiet.run(db, quiet.params.parse({ start: '22:00', end: '07:00' }), {});
      const night = (await messages.run(db, {}, at('2026-05-01T23:30:00Z'))) as { messages: AlertMessage[] };
      expect(night.messages).toHaveLength(1);
      expect(night.messages[0]!.data.notBefore).toBe('2026-05-02T07:00:00.000Z');
      expect(night.messages[0]!.data.alerts).toHaveLength(2);
      const day = (await messages.run(db, {}, at('2026-05-02T09:00:00Z'))) as { messages: AlertMessage[] };
      expect(day.messages[0]!.data.notBefore).toBeUndefined();
      expect(day.messages[0]!.key).toBe(night.messages[0]!.key);
    });
  });

  it('hands a new alert group to delivery once: one outbox message per destination, team-routed, held in quiet hours', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      await addDestination(db, {
        name: 'all',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/all',
        topics: 'alert',
      });
      await addDestination(db, {
        name: 'web-team',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/web',
        topics: 'alert',
        teams: 'web',
      });
      await addDestination(db, {
        name: 'ops-team',
        kind: 'webhook',
        url: 'http://127.0.0.1:9/ops',
        topics: 'alert',
        teams: 'ops',
      });
      const quiet = operations.find((o) => o.area === 'alerts' && o.verb === 'quiet-hours')!;
      await quiet.run(db, quiet.params.parse({ start: '22:00', end: '07:00' }), {});
      await createMonitor(db, { metric: 'volume', touchpoint: 'checkout' });
      await createMonitor(db, { metric: 'csat', touchpoint: 'checkout' });
      // judged at 23:30 UTC (the workspace zone): inside the quiet hours
      await run(db, { from: '2026-03-30', asOf: '2026-05-01T23:30:00Z' });
      const outbox = () =>
        db.all<{ key: string; destination: string; next: string }>(sql`
          SELECT o.key, d.name AS destination, strftime(o.next_attempt_at, '%Y-%m-%dT%H:%M') AS next
          FROM notify_outbox o JOIN notify_destinations d ON d.id = o.destination_id ORDER BY d.name`);
      const sent = await outbox();
      // both alerts are one group (the break day, down) owned by web: the web team's and the every-team
      // destinations get it, the ops team's does not
      expect(sent.map((r) => r.destination)).toEqual(['all', 'web-team']);
      expect(new Set(sent.map((r) => r.key)).size).toBe(1);
      expect(sent[0]!.key).toMatch(new RegExp(`^alert-group:${BREAK_DAY}:down:`));
      expect(sent.map((r) => r.next)).toEqual(['2026-05-02T07:00', '2026-05-02T07:00']);
      // running again raises nothing new and queues nothing twice
      await run(db, { from: '2026-03-30', asOf: '2026-05-02T09:00:00Z' });
      expect(await outbox()).toEqual(sent);
    });
  });

  it('holds messages raised in quiet hours until they end (a window across midnight is one night)', () => {
    const q = { start: '22:00', end: '07:00', zone: 'Europe/Paris' };
    expect(deliverableAt(new Date('2026-04-06T21:30:00Z'), q).toISOString()).toBe('2026-04-07T05:00:00.000Z');
    expect(deliverableAt(new Date('2026-04-07T03:00:00Z'), q).toISOString()).toBe('2026-04-07T05:00:00.000Z');
    expect(deliverableAt(new Date('2026-04-07T10:00:00Z'), q).toISOString()).toBe('2026-04-07T10:00:00.000Z');
    const day = { start: '12:00', end: '14:00', zone: 'UTC' };
    expect(deliverableAt(new Date('2026-04-07T12:30:00Z'), day).toISOString()).toBe(
      '2026-04-07T14:00:00.000Z',
    );
  });
});
