import { describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import { seeded } from '../stats/random.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { type IdentityResult, rebuildIdentities } from './identities.js';
import { type ImportReport, importRecords } from './import-records.js';
import { undoImport } from './undo.js';

const TS = '2026-01-01T10:00:00Z';

// a clock one second apart per import, so import ids (which start with the time) sort in import order
let tick = 0;
const now = () => new Date(Date.UTC(2026, 0, 1) + 1000 * ++tick);

const links = (db: Store, rows: Record<string, string>[], onProgress?: (p: Progress) => void) =>
  importRecords(db, 'identities', rows, { source: 'test', now, ...(onProgress ? { onProgress } : {}) });

const events = (db: Store, rows: { id: string; anonymous_id?: string; customer_id?: string }[]) =>
  importRecords(
    db,
    'events',
    rows.map((r) => ({ ts: TS, channel: 'web', touchpoint: 'home', ...r })),
    { source: 'test', now },
  );

/** Everything stitching derives, in a comparable form. */
async function derived(db: Store) {
  return {
    identities: await db.all(
      sql`SELECT alias_type, alias, customer_id, source, import_id FROM identities ORDER BY ALL`,
    ),
    nodes: await db.all(sql`SELECT node_type, node, component FROM identity_nodes ORDER BY ALL`),
    events: await db.all(sql`SELECT id, customer_id, customer_stitched FROM events ORDER BY id`),
  };
}

/** The rule of docs/import.md computed independently, in plain code, from the stored links. */
async function oracle(db: Store) {
  const rows = await db.all<{ at: string; a: string; lt: string; la: string }>(
    sql`SELECT alias_type AS at, alias AS a, linked_type AS lt, linked_alias AS la FROM identity_links`,
  );
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const l of rows) {
    const a = find(`${l.at}\u001f${l.a}`);
    const b = find(`${l.lt}\u001f${l.la}`);
    if (a !== b) parent.set(a, b);
  }
  const customers = new Map<string, string[]>();
  for (const node of parent.keys()) {
    const [t, a] = node.split('\u001f') as [string, string];
    if (t !== 'customer_id') continue;
    const r = find(node);
    customers.set(r, [...(customers.get(r) ?? []), a]);
  }
  const resolved = new Map<string, string>();
  for (const node of parent.keys()) {
    const list = customers.get(find(node));
    // ids in these tests are ASCII: the engine's string order is the code-unit order
    if (list && !node.startsWith('customer_id\u001f')) resolved.set(node, [...list].sort()[0]!);
  }
  return {
    identities: [...resolved.entries()].map(([k, customer_id]) => {
      const [alias_type, alias] = k.split('\u001f');
      return { alias_type, alias, customer_id };
    }),
    conflicts: [...customers.values()].filter((c) => c.length > 1).length,
    resolve: (anonymousId: string | null) =>
      anonymousId === null ? undefined : resolved.get(`anonymous_id\u001f${anonymousId}`),
  };
}

describe('incremental identity stitching', () => {
  it('after any sequence of imports and undos, equals a full rebuild and the rule computed by hand (random small graphs)', async () => {
    // a seeded generator, so a failure replays
    const rand = seeded(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const TYPES = ['anonymous_id', 'email', 'phone', 'customer_id'] as const;
    const node = () => ({ t: pick(TYPES), a: pick(['1', '2', '3', '4', '5', '6']) });
    let steps = 0;
    let undone = 0;
    for (let run = 0; run < 8; run++) {
      await withTestDb(async (db) => {
        const imports: string[] = [];
        let last: IdentityResult | undefined;
        for (let step = 0; step < 7; step++) {
          const r = rand();
          if (r < 0.4) {
            const rows = Array.from({ length: 1 + Math.floor(rand() * 3) }, (): Record<string, string> => {
              const x = node();
              const y = node();
              return rand() < 0.5
                ? { alias_type: x.t, alias: x.a, customer_id: `C${pick(['1', '2', '3', '4'])}` }
                : { alias_type: x.t, alias: x.a, linked_type: y.t, linked_alias: y.a };
            });
            const rep = await links(db, rows);
            imports.push(rep.importId);
            last = rep.identities;
          } else if (r < 0.7) {
            // events with anonymous ids, some carrying a customer id too; ids repeat so some update
            const drawn = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
              id: `e${pick(['1', '2', '3', '4', '5', '6', '7', '8'])}`,
              anonymous_id: pick(['1', '2', '3', '4', '5', '6']),
              ...(rand() < 0.3 ? { customer_id: `C${pick(['1', '2', '3', '4'])}` } : {}),
            }));
            // one record per id in a batch (a batch repeating an id with other values is refused)
            const rows = [...new Map(drawn.map((e) => [e.id, e])).values()];
            const rep = await events(db, rows);
            imports.push(rep.importId);
            if (rep.identities) last = rep.identities;
          } else if (imports.length > 0) {
            try {
              const u = await undoImport(db, pick(imports));
              undone++;
              if (u.identities) last = u.identities;
            } catch (e) {
              // refused (already undone, or a later import updated its rows): nothing changed
              if (!isTouchpointError(e) || !['conflict'].includes(e.code)) throw e;
            }
          }
          steps++;
          const incremental = await derived(db);
          const expected = await oracle(db);
          expect(incremental.identities.map(({ source, import_id, ...r }) => r)).toEqual(
            expected.identities.sort((x, y) =>
              `${x.alias_type}\u001f${x.alias}` < `${y.alias_type}\u001f${y.alias}` ? -1 : 1,
            ),
          );
          const stored = await db.all<{
            anonymous_id: string | null;
            customer_id: string | null;
            customer_stitched: boolean;
          }>(sql`SELECT anonymous_id, customer_id, customer_stitched FROM events`);
          for (const e of stored) {
            // a stitched event follows its anonymous id; an event without a customer has none to follow
            if (e.customer_stitched) expect(e.customer_id).toBe(expected.resolve(e.anonymous_id));
            if (e.customer_id === null) expect(expected.resolve(e.anonymous_id)).toBeUndefined();
          }
          if (last) expect(last.conflicts).toBe(expected.conflicts);
          const full = await db.transaction((tx) => rebuildIdentities(tx));
          expect(full.work).toMatchObject({ full: true, identitiesChanged: 0, eventsChanged: 0 });
          expect(full.conflicts).toBe(expected.conflicts);
          expect(await derived(db)).toEqual(incremental);
        }
      });
    }
    expect(steps).toBe(56);
    expect(undone).toBeGreaterThan(3); // the sequences did exercise undo
  }, 240_000);

  it('recomputes only the touched components: a link, an undo that splits a component, and the work counted', async () => {
    await withTestDb(async (db) => {
      // two separate people: {email a, anon w1, C2} and {phone p, C9}
      const first = await links(db, [
        { alias_type: 'email', alias: 'a', customer_id: 'C2' },
        { alias_type: 'anonymous_id', alias: 'w1', linked_type: 'email', linked_alias: 'a' },
        { alias_type: 'phone', alias: 'p', customer_id: 'C9' },
      ]);
      expect(first.identities).toMatchObject({ aliases: 3, conflicts: 0 });
      await events(db, [{ id: 'e1', anonymous_id: 'w1' }]);
      // C1 shares the e-mail: one component {a, w1, C2, C1}; C1 (smallest) wins; the phone is untouched
      const shared = await links(db, [{ alias_type: 'email', alias: 'a', customer_id: 'C1' }]);
      expect(shared.identities).toEqual({
        aliases: 3,
        conflicts: 1,
        eventsAttributed: 1,
        work: {
          seeds: 2, // email a, customer C1
          components: 1, // the stored component of email a
          nodes: 4, // email a, anon w1, C2 + the new C1
          links: 3,
          identitiesChanged: 2, // a and w1 move from C2 to C1
          eventsChanged: 1,
          full: false,
        },
      });
      expect(await db.all(sql`SELECT customer_id, customer_stitched FROM events`)).toEqual([
        { customer_id: 'C1', customer_stitched: true },
      ]);
      // undoing the first import deletes a→C2, w1–a and p→C9: a→C1 is all that is left, so w1 and p
      // resolve no more, and the event of w1 loses its attribution
      const u = await undoImport(db, first.importId);
      expect(u.identities?.work).toEqual({
        seeds: 5, // email a, anon w1, C2, phone p, C9
        components: 2,
        nodes: 6,
        links: 1, // a→C1 is all that is left of them
        identitiesChanged: 3, // w1 and p go; a's import_id is now the shared import's
        eventsChanged: 1,
        full: false,
      });
      expect(u.identities).toMatchObject({ aliases: 1, conflicts: 0, eventsAttributed: 0 });
      expect(await db.all(sql`SELECT alias_type, alias, customer_id FROM identities`)).toEqual([
        { alias_type: 'email', alias: 'a', customer_id: 'C1' },
      ]);
      expect(await db.all(sql`SELECT node_type, node, component FROM identity_nodes ORDER BY ALL`)).toEqual([
        { node_type: 'customer_id', node: 'C1', component: 'customer_id\u001fC1' },
        { node_type: 'email', node: 'a', component: 'customer_id\u001fC1' },
      ]);
      expect(await db.all(sql`SELECT customer_id, customer_stitched FROM events`)).toEqual([
        { customer_id: null, customer_stitched: false },
      ]);
    });
  });

  it('resolves a long chain of aliases in one pass, whatever its length', async () => {
    await withTestDb(async (db) => {
      const n = 2000;
      const rows = Array.from({ length: n }, (_, i) => ({
        alias_type: 'anonymous_id',
        alias: `d${i}`,
        linked_type: 'anonymous_id',
        linked_alias: `d${i + 1}`,
      }));
      await links(db, rows);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM identities`))?.n).toBe(0);
      // a customer at one end resolves all 2,001 aliases of the chain
      const end = await links(db, [{ alias_type: 'anonymous_id', alias: `d${n}`, customer_id: 'K' }]);
      expect(end.identities).toMatchObject({
        aliases: n + 1,
        work: { components: 1, nodes: n + 2, links: n + 1, identitiesChanged: n + 1 },
      });
    });
  });

  it('an event carrying its own customer id keeps it when it is re-imported, even after it was stitched', async () => {
    await withTestDb(async (db) => {
      await events(db, [{ id: 'e1', anonymous_id: 'w1' }]);
      await links(db, [{ alias_type: 'anonymous_id', alias: 'w1', customer_id: 'C5' }]);
      expect(await db.one(sql`SELECT customer_id, customer_stitched FROM events`)).toEqual({
        customer_id: 'C5',
        customer_stitched: true,
      });
      // the source now says e1 was C9's (and links w1 to C9, a conflict C5 wins for the alias)
      await events(db, [{ id: 'e1', anonymous_id: 'w1', customer_id: 'C9' }]);
      expect(await db.one(sql`SELECT customer_id, customer_stitched FROM events`)).toEqual({
        customer_id: 'C9',
        customer_stitched: false,
      });
    });
  });

  it('re-importing the same anonymous events after stitching is a no-op: duplicates, 0 updated, undo still works', async () => {
    await withTestDb(async (db) => {
      const file = [
        { id: 'e1', anonymous_id: 'w1' },
        { id: 'e2', anonymous_id: 'w2' },
        { id: 'e3', anonymous_id: 'w1', customer_id: 'C1' }, // links w1 to C1: e1 is stitched
      ];
      const first = await events(db, file);
      expect(first).toMatchObject({ rowsStored: 3, rowsUpdated: 0 });
      expect(await db.all(sql`SELECT id, customer_id, customer_stitched FROM events ORDER BY id`)).toEqual([
        { id: 'e1', customer_id: 'C1', customer_stitched: true },
        { id: 'e2', customer_id: null, customer_stitched: false },
        { id: 'e3', customer_id: 'C1', customer_stitched: false },
      ]);
      const before = await derived(db);
      const again = await events(db, file);
      expect(again).toMatchObject({ rowsStored: 0, rowsUpdated: 0, duplicates: 3 });
      expect(again.identities?.eventsAttributed ?? 0).toBe(0);
      expect(await derived(db)).toEqual(before);
      const updated = await db.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM events WHERE updated_import_id IS NOT NULL`,
      );
      expect(updated!.n).toBe(0);
      // nothing blocks undoing the first import: the re-import changed nothing
      await undoImport(db, again.importId);
      await undoImport(db, first.importId);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!.n).toBe(0);
    });
  });

  it('rebuilds once, in full, a workspace whose links predate the stored components', async () => {
    await withTestDb(async (db) => {
      await links(db, [{ alias_type: 'email', alias: 'a', customer_id: 'C2' }]);
      await db.exec(sql`DELETE FROM identity_nodes`); // as a workspace migrated from before them
      const r = await links(db, [{ alias_type: 'phone', alias: 'p', customer_id: 'C3' }]);
      expect(r.identities?.work).toMatchObject({ full: true, nodes: 4 });
      expect(await db.all(sql`SELECT node, component FROM identity_nodes ORDER BY ALL`)).toEqual([
        { node: 'C2', component: 'customer_id\u001fC2' },
        { node: 'C3', component: 'customer_id\u001fC3' },
        { node: 'a', component: 'customer_id\u001fC2' },
        { node: 'p', component: 'customer_id\u001fC3' },
      ]);
    });
  });

  it('shows a stitching phase whose done/total moves, after the rows are stored; an undo shows it too', async () => {
    await withTestDb(async (db) => {
      const seen: Progress[] = [];
      const r = await links(db, [{ alias_type: 'email', alias: 'a', customer_id: 'C1' }], (p) =>
        seen.push(p),
      );
      const stitching = seen.filter((p) => p.phase === 'stitching identities');
      expect(stitching.map((p) => `${p.done}/${p.total}`)).toEqual([
        '0/5',
        '1/5',
        '2/5',
        '3/5',
        '4/5',
        '5/5',
      ]);
      // the storing phase is finished before stitching starts, and nothing comes after it
      expect(seen.findIndex((p) => p.phase === 'stitching identities')).toBeGreaterThan(
        seen.findLastIndex((p) => p.phase === 'storing'),
      );
      const undoSeen: Progress[] = [];
      await undoImport(db, (r as ImportReport).importId, (p) => undoSeen.push(p));
      expect(undoSeen.map((p) => `${p.phase} ${p.done}/${p.total}`).at(-1)).toBe('stitching identities 5/5');
    });
  });
});

describe('identity stitching on the 40k-customer demo', () => {
  it('a 1-row identity import, two anonymous events and the undo touch a few rows, not the graph', async () => {
    const db = await openDemoCopy();
    try {
      const total = await db.one<{ links: number; nodes: number; identities: number }>(sql`SELECT
        (SELECT count(*) FROM identity_links) AS links, (SELECT count(*) FROM identity_nodes) AS nodes,
        (SELECT count(*) FROM identities) AS identities`);
      expect(total!.links).toBeGreaterThan(10_000);
      expect(total!.nodes).toBeGreaterThan(total!.links); // the demo stored its components
      // an anonymous visitor never stitched, and a customer with its aliases (the demo's first)
      const visitor = (await db.one<{
        anon: string;
        n: number;
      }>(sql`SELECT anonymous_id AS anon, count(*) AS n
        FROM events WHERE customer_id IS NULL GROUP BY anonymous_id ORDER BY anonymous_id LIMIT 1`))!;
      const customer = (await db.one<{ id: string; aliases: number }>(sql`SELECT linked_alias AS id,
        count(*) AS aliases FROM identity_links GROUP BY linked_alias ORDER BY linked_alias LIMIT 1`))!;
      const before = await db.one<{ events: number }>(
        sql`SELECT count(*) AS events FROM events WHERE customer_id = ${customer.id}`,
      );
      const r = await links(db, [
        { alias_type: 'anonymous_id', alias: visitor.anon, customer_id: customer.id },
      ]);
      // the customer's component (its aliases + itself) and the new alias: nothing else is read
      expect(r.identities).toEqual({
        aliases: total!.identities + 1,
        conflicts: 0,
        eventsAttributed: visitor.n,
        work: {
          seeds: 2,
          components: 1,
          nodes: customer.aliases + 2,
          links: customer.aliases + 1,
          identitiesChanged: 1,
          eventsChanged: visitor.n,
          full: false,
        },
      });
      expect(
        (
          await db.one<{ n: number }>(
            sql`SELECT count(*) AS n FROM events WHERE customer_id = ${customer.id}`,
          )
        )?.n,
      ).toBe(before!.events + visitor.n);
      // two events of two anonymous ids: one stitched just now, one a visitor with no link
      const ev = await events(db, [
        { id: 'x-1', anonymous_id: visitor.anon },
        { id: 'x-2', anonymous_id: 'never-seen' },
      ]);
      expect(ev.identities?.work).toEqual({
        seeds: 0,
        components: 0,
        nodes: 0,
        links: 0,
        identitiesChanged: 0,
        eventsChanged: 1,
        full: false,
      });
      // undoing the identity import recomputes that one component again and detaches the visitor
      const u = await undoImport(db, r.importId);
      expect(u.identities).toEqual({
        aliases: total!.identities,
        conflicts: 0,
        eventsAttributed: 0,
        work: {
          seeds: 2,
          components: 1,
          nodes: customer.aliases + 2,
          links: customer.aliases,
          identitiesChanged: 1,
          eventsChanged: visitor.n + 1,
          full: false,
        },
      });
      // and the incremental state is what a full rebuild gives
      const full = await db.transaction((tx) => rebuildIdentities(tx));
      expect(full.work).toMatchObject({ full: true, identitiesChanged: 0, eventsChanged: 0 });
      expect(full.work.links).toBe(total!.links);
    } finally {
      await db.close();
    }
  }, 120_000);
});
