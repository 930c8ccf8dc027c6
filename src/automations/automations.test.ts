import { describe, expect, it } from 'vitest';
import { importRecords, type Kind } from '../ingest/index.js';
import { addDestination } from '../notify/index.js';
import { seeded } from '../stats/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { createAutomation, dryRun, listRuns, runEnabled, setEnabled } from './automations.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const DAYS = 21;
const SPIKE_DAY = '2026-03-16';
const iso = (t: number) => new Date(t).toISOString();

interface Rec {
  readonly kind: Kind;
  readonly at: number;
  readonly record: Record<string, unknown>;
}

/**
 * A seeded history of three weeks: visits, cases with assignments, updates (some gaps past the 24 h
 * promise) and closings, NPS and CSAT answers (some detractors, some with comments), and a planted
 * spike of "where-is-my-order" cases on SPIKE_DAY, most preceded by a visit to `delivery-tracking`.
 */
function history(): Rec[] {
  const r = seeded(23);
  const out: Rec[] = [];
  const reasons = ['where-is-my-order', 'refund', 'damaged'];
  const touch: Record<string, string> = {
    'where-is-my-order': 'delivery-tracking',
    refund: 'returns',
    damaged: 'checkout',
  };
  let c = 0;
  const addCase = (opened: number, reason: string) => {
    const id = `k${++c}`;
    const customer = `c${c}`;
    const tp = r() < 0.8 ? touch[reason]! : 'home';
    out.push({
      kind: 'events',
      at: opened - 2 * H,
      record: { id: `v${c}`, customer_id: customer, ts: iso(opened - 2 * H), channel: 'web', touchpoint: tp },
    });
    out.push({
      kind: 'cases',
      at: opened,
      record: {
        id,
        customer_id: customer,
        opened_at: iso(opened),
        channel: 'email',
        reason,
        owner_team: 'tier1',
      },
    });
    out.push({
      kind: 'case-events',
      at: opened + 0.2 * H,
      record: {
        case_id: id,
        ts: iso(opened + 0.2 * H),
        type: 'assigned',
        team: r() < 0.5 ? 'tier1' : 'tier2',
      },
    });
    let t = opened;
    const updates = Math.floor(r() * 4);
    for (let u = 0; u < updates; u++) {
      t += (6 + r() * 36) * H; // gaps of 6–42 h: some past the 24 h promise
      out.push({ kind: 'case-events', at: t, record: { case_id: id, ts: iso(t), type: 'update_sent' } });
    }
    if (r() < 0.7) {
      t += (2 + r() * 30) * H;
      out.push({ kind: 'case-events', at: t, record: { case_id: id, ts: iso(t), type: 'closed' } });
    }
    if (r() < 0.6) {
      const score = Math.floor(r() * 11);
      const at = t + 3 * H;
      out.push({
        kind: 'feedback',
        at,
        record: {
          id: `f${c}`,
          customer_id: customer,
          ts: iso(at),
          kind: 'nps',
          score,
          touchpoint: tp,
          channel: 'web',
          ...(r() < 0.7 ? { comment: score <= 6 ? 'slow and no news' : 'fine' } : {}),
        },
      });
    }
  };
  for (let d = 0; d < DAYS; d++) {
    const day = T0 + d * 24 * H;
    const n = iso(day).startsWith(SPIKE_DAY) ? 26 : 4 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const reason =
        iso(day).startsWith(SPIKE_DAY) && i >= 4 ? 'where-is-my-order' : reasons[Math.floor(r() * 3)]!;
      addCase(day + (1 + r() * 22) * H, reason);
    }
  }
  return out.filter((x) => x.at < T0 + DAYS * 24 * H).sort((a, b) => a.at - b.at);
}

const OWNERS = [
  { touchpoint: 'delivery-tracking', team_id: 'logistics' },
  { touchpoint: 'returns', team_id: 'returns-team' },
  { touchpoint: 'checkout', team_id: 'web-team' },
];

async function ingest(db: Store, recs: readonly Rec[]): Promise<void> {
  for (const kind of ['events', 'cases', 'case-events', 'feedback'] as const) {
    const batch = recs.filter((x) => x.kind === kind).map((x) => x.record);
    if (batch.length > 0) await importRecords(db, kind, batch, { source: 'replay' });
  }
}

async function setup(db: Store, enabledAt: Date | null): Promise<void> {
  await importRecords(db, 'touchpoint-owners' as Kind, OWNERS, { source: 'replay' });
  await addDestination(db, {
    name: 'ops',
    kind: 'webhook',
    url: 'http://127.0.0.1:1/ops',
    topics: 'automation',
  });
  await addDestination(db, {
    name: 'helpdesk',
    kind: 'webhook',
    url: 'http://127.0.0.1:1/hd',
    topics: 'customer',
  });
  const rules = [
    ['follow-ups', 'detractor-follow-up', '{}'],
    [
      'overdue',
      'overdue-update',
      '{"promiseHours":24,"destinations":"ops","customerUpdate":true,"customerDestination":"helpdesk"}',
    ],
    ['spikes', 'reason-spike', '{"baselineDays":7,"minCount":8,"destinations":"ops"}'],
  ] as const;
  for (const [name, rule, params] of rules) {
    const a = await createAutomation(db, { name, rule, params }, enabledAt ?? new Date(T0));
    if (enabledAt) await setEnabled(db, a.id, true, enabledAt);
  }
}

const norm = (xs: readonly { key: string; did: string; target: string | null; at: string }[]) =>
  xs.map((x) => `${x.at} ${x.key} ${x.did} ${x.target}`).sort();

describe('automations: a dry run is what the live rule does', () => {
  it('matches, rule by rule, a live replay of the same history through ingest in time order', async () => {
    const recs = history();
    const end = T0 + DAYS * 24 * H;
    const live = new Map<string, string[]>();
    await withTestDb(async (db) => {
      await setup(db, new Date(T0));
      // replay: every 6 hours, ingest what happened in those hours, then the scheduler's run
      for (let t = T0 + 6 * H; t <= end; t += 6 * H) {
        await ingest(
          db,
          recs.filter((x) => x.at > t - 6 * H && x.at <= t),
        );
        await runEnabled(db, new Date(t));
      }
      for (const name of ['follow-ups', 'overdue', 'spikes']) {
        const runs = await listRuns(db, { automation: name, mode: 'live', limit: 1000 });
        live.set(name, norm(runs.flatMap((r) => r.detail)));
      }
      // a second run over the same instant does nothing (idempotent per key)
      expect(await runEnabled(db, new Date(end))).toEqual([]);
    });
    await withTestDb(async (db) => {
      await setup(db, null);
      await ingest(db, recs); // the whole history at once
      for (const name of ['follow-ups', 'overdue', 'spikes']) {
        const d = await dryRun(db, { automation: name, days: DAYS, asOf: iso(end) });
        expect(d.from).toBe(iso(T0));
        expect(norm(d.actions), name).toEqual(live.get(name));
        // and nothing of it was kept
        expect(d.actions.every((a) => !a.alreadyDone)).toBe(true);
      }
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM follow_ups`))?.n).toBe(0);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM notify_outbox`))?.n).toBe(0);
      // the dry runs are logged as such
      expect((await listRuns(db, { mode: 'dry-run' })).length).toBe(3);
    });
    // not vacuous: each rule acted, and the planted spike is found and routed to the inflow's owner
    const fu = live.get('follow-ups')!;
    expect(fu.filter((x) => x.includes(' follow-up ')).length).toBeGreaterThan(5);
    expect(fu.some((x) => x.includes(' skipped '))).toBe(true); // a detractor without a comment
    expect(live.get('overdue')!.filter((x) => x.includes(' notify ')).length).toBeGreaterThan(5);
    expect(live.get('overdue')!.filter((x) => x.includes(' customer-update ')).length).toBe(
      live.get('overdue')!.filter((x) => x.includes(' notify ')).length,
    );
    expect(live.get('spikes')).toEqual([
      `2026-03-17T00:00:00.000Z reason:where-is-my-order@${SPIKE_DAY} notify logistics`,
    ]);
  }, 120_000);
});

describe('automations: the weekly audit report', () => {
  it('sends the report once per scheduled time, with key figures and their intervals', async () => {
    const { copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { demoDbPath } = await import('../demo/test-fixture.js');
    const { openStore } = await import('../store/index.js');
    const { listOutbox } = await import('../notify/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'tp-auto-report-'));
    const file = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), file);
    const db = await openStore(file);
    try {
      await addDestination(db, {
        name: 'leads',
        kind: 'email',
        to: 'cx-leads@example.com',
        topics: 'report',
      });
      const latest = (await db.one<{ t: string }>(sql`SELECT max(ts) AS t FROM feedback`))!.t;
      // switched on on a Sunday noon; the next Monday 08:00 UTC is one scheduled time
      const start = new Date(latest);
      start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 7) % 7) - 7);
      start.setUTCHours(12, 0, 0, 0);
      const a = await createAutomation(
        db,
        { name: 'weekly', rule: 'audit-report', params: '{"destinations":"leads"}' },
        start,
      );
      await setEnabled(db, a.id, true, start);
      const later = new Date(start.getTime() + 2 * 24 * H);
      const [run] = await runEnabled(db, later);
      const monday = new Date(start.getTime() + 20 * H).toISOString();
      expect(run!.actions.map((x) => [x.key, x.did, x.at])).toEqual([[`report@${monday}`, 'report', monday]]);
      const out = await listOutbox(db);
      expect(out.items.map((i) => [i.destination, i.topic, i.status])).toEqual([
        ['leads', 'report', 'pending'],
      ]);
      const text = (await db.one<{ text: string }>(sql`SELECT text FROM notify_outbox`))!.text;
      expect(text).toContain('Key figures');
      expect(text).toMatch(/\(95% [\d.]+–[\d.]+, n = \d+\)/);
      // the same window again: nothing new
      expect(await runEnabled(db, later)).toEqual([]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('automations: message keys', () => {
  it('escapes moment keys with spaces or accents into a valid, stable message key', async () => {
    await withTestDb(async (db) => {
      await addDestination(db, { name: 'ops', kind: 'webhook', url: 'http://127.0.0.1:1/ops' });
      const day = Date.parse('2026-03-20T00:00:00Z');
      const recs: Record<string, unknown>[] = [];
      for (let d = 0; d < 8; d++)
        for (let i = 0; i < (d === 7 ? 20 : 2); i++)
          recs.push({
            id: `k${d}-${i}`,
            opened_at: iso(day - (7 - d) * 24 * H + (i + 1) * 60_000),
            reason: 'réclamation facture',
          });
      await importRecords(db, 'cases', recs, { source: 'test' });
      const d = await dryRun(db, {
        rule: 'reason-spike',
        params: '{"baselineDays":7,"minCount":5}',
        days: 1,
        asOf: iso(day + 24 * H),
      });
      expect(d.actions.map((a) => [a.key, a.did])).toEqual([
        ['reason:réclamation facture@2026-03-20', 'notify'],
      ]);
      const a = await createAutomation(
        db,
        { name: 's', rule: 'reason-spike', params: '{"baselineDays":7,"minCount":5}' },
        new Date(day),
      );
      await setEnabled(db, a.id, true, new Date(day));
      await runEnabled(db, new Date(day + 24 * H));
      const keys = await db.all<{ key: string }>(sql`SELECT key FROM notify_outbox`);
      expect(keys).toEqual([{ key: `auto:${a.id}:reason:r%C3%A9clamation%20facture@2026-03-20` }]);
    });
  });
});

describe('automations on the demo company', () => {
  it('a dry run over its last 14 days = those days replayed live through ingest, 12 hours at a time', async () => {
    const { copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { demoDbPath } = await import('../demo/test-fixture.js');
    const { openStore } = await import('../store/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'tp-auto-demo-'));
    const RULES_UNDER_TEST = [
      ['detractor-follow-up', '{}'],
      ['overdue-update', '{"promiseHours":24}'],
      ['reason-spike', '{}'],
    ] as const;
    try {
      const full = join(dir, 'full.duckdb');
      const live = join(dir, 'live.duckdb');
      copyFileSync(demoDbPath(), full);
      copyFileSync(demoDbPath(), live);
      // the dry runs, on the demo as it is
      const db = await openStore(full);
      let end: number;
      const dry = new Map<string, string[]>();
      try {
        await addDestination(db, { name: 'ops', kind: 'webhook', url: 'http://127.0.0.1:1/ops' });
        const t = await db.one<{ t: string }>(sql`SELECT greatest((SELECT max(ts) FROM feedback),
          (SELECT max(opened_at) FROM cases), (SELECT max(ts) FROM case_events)) AS t`);
        end = Date.parse(t!.t);
        for (const [rule, params] of RULES_UNDER_TEST) {
          const d = await dryRun(db, { rule, params, days: 14 });
          expect(d.to).toBe(iso(end));
          dry.set(rule, norm(d.actions));
        }
      } finally {
        await db.close();
      }
      const start = end - 14 * 24 * H;
      // the live copy: the demo as it stood at the start; the 14 days are taken out and replayed
      const ldb = await openStore(live);
      try {
        const since = new Date(start);
        const rows = async (q: ReturnType<typeof sql>) =>
          (await ldb.all<Record<string, unknown>>(q)).map((r) =>
            Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)),
          );
        const feedback =
          await rows(sql`SELECT id, customer_id, ts, channel, touchpoint, kind, score, comment, survey_id,
          question, case_id, language, properties::VARCHAR AS properties FROM feedback WHERE ts > ${since}`);
        const cases =
          await rows(sql`SELECT id, customer_id, opened_at, closed_at, channel, reason, owner_team, owner_agent,
          product, priority FROM cases WHERE opened_at > ${since} OR closed_at > ${since}`);
        const caseEvents =
          await rows(sql`SELECT id, case_id, ts, seq, type, team, agent, status, channel, transfer_reason,
          promised_at, note FROM case_events WHERE ts > ${since}`);
        const events = await rows(
          sql`SELECT id, customer_id, anonymous_id, ts, channel, touchpoint, stage, name, outcome, direction, session_id
          FROM events WHERE ts > ${since}`,
        );
        await ldb.transaction(async (tx) => {
          await tx.exec(
            sql`DELETE FROM follow_up_notes WHERE follow_up_id IN (SELECT id FROM follow_ups WHERE answered_at > ${since})`,
          );
          await tx.exec(sql`DELETE FROM follow_ups WHERE answered_at > ${since}`);
          await tx.exec(sql`DELETE FROM feedback WHERE ts > ${since}`);
          await tx.exec(sql`DELETE FROM case_events WHERE ts > ${since}`);
          await tx.exec(sql`DELETE FROM events WHERE ts > ${since}`);
          await tx.exec(sql`DELETE FROM cases WHERE opened_at > ${since}`);
          await tx.exec(sql`UPDATE cases SET closed_at = NULL, status = 'open' WHERE closed_at > ${since}`);
        });
        // each record at its time: a case at its opening (still open), again at its closing
        const recs: Rec[] = [
          ...feedback.map((r) => ({ kind: 'feedback' as Kind, at: Date.parse(String(r.ts)), record: r })),
          ...caseEvents.map((r) => ({
            kind: 'case-events' as Kind,
            at: Date.parse(String(r.ts)),
            record: r,
          })),
          ...events.map((r) => ({ kind: 'events' as Kind, at: Date.parse(String(r.ts)), record: r })),
          ...cases.flatMap((r) => {
            const { closed_at, ...open } = r;
            const out: Rec[] = [];
            if (Date.parse(String(r.opened_at)) > start)
              out.push({ kind: 'cases', at: Date.parse(String(r.opened_at)), record: open });
            if (closed_at) out.push({ kind: 'cases', at: Date.parse(String(closed_at)), record: r });
            return out;
          }),
        ];
        await addDestination(ldb, { name: 'ops', kind: 'webhook', url: 'http://127.0.0.1:1/ops' });
        for (const [rule, params] of RULES_UNDER_TEST) {
          const a = await createAutomation(ldb, { name: rule, rule, params }, since);
          await setEnabled(ldb, a.id, true, since);
        }
        for (let t = start + 12 * H; ; t += 12 * H) {
          const to = Math.min(t, end);
          const step = recs.filter((x) => x.at > to - 12 * H && x.at <= to);
          // cases first (a case's events and answers refer to it), then the rest
          // a case opened and closed within the step: its last version
          const byId = new Map(step.filter((x) => x.kind === 'cases').map((x) => [x.record.id, x]));
          await ingest(ldb, [...byId.values()]);
          await ingest(
            ldb,
            step.filter((x) => x.kind !== 'cases'),
          );
          await runEnabled(ldb, new Date(to));
          if (to === end) break;
        }
        for (const [rule] of RULES_UNDER_TEST) {
          const runs = await listRuns(ldb, { automation: rule, mode: 'live', limit: 1000 });
          expect(norm(runs.flatMap((r) => r.detail)), rule).toEqual(dry.get(rule));
        }
      } finally {
        await ldb.close();
      }
      // not vacuous on the demo
      expect(dry.get('detractor-follow-up')!.length).toBeGreaterThan(50);
      expect(dry.get('overdue-update')!.length).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
