import { describe, expect, it } from 'vitest';
import { seeded } from '../stats/random.js';
import { join, type Store, sql, withTestDb } from '../store/index.js';
import { getPersonaCard } from './cards.js';
import { quote } from './describe.js';
import { DiscoverParams, discoverPersonas } from './discover.js';
import { assignNewCustomers, currentPersonas, listPersonas, renamePersona } from './runs.js';

/**
 * Attribute-only customers in three clear groups (spend ≈ 20 / 80 / 300, tenure ≈ 6 / 24 / 60 months,
 * each group with its own contract); half of the first group churned. Discovery must find exactly these groups.
 */
async function groups(db: Store, n: number, offset = 0): Promise<void> {
  const rand = seeded(7 + offset);
  const rows = Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    const spend = Math.round([20, 80, 300][g]! * (0.9 + 0.2 * rand()) * 100) / 100;
    const attrs = JSON.stringify({
      contract: ['monthly', 'yearly', 'two-year'][g],
      tenure: Math.round([6, 24, 60][g]! * (0.8 + 0.4 * rand())),
    });
    return sql`(${`c${String(i + offset).padStart(4, '0')}`}, ${spend}, ${attrs}, ${g === 0 && i % 2 === 0})`;
  });
  await db.exec(sql`INSERT INTO customers (id, monthly_value, attributes, churned)
    SELECT id, spend, attrs::JSON, churned FROM (VALUES ${join(rows)}) AS v(id, spend, attrs, churned)`);
}

const params = (o: Partial<DiscoverParams> = {}) =>
  DiscoverParams.parse({ kMin: 2, kMax: 5, bootstraps: 5, ...o });

const groupOf = (id: string) => Number(id.slice(1)) % 3;

describe('persona discovery', () => {
  it('finds the three groups from attributes, stable, and the same given the seed', async () => {
    await withTestDb(async (db) => {
      await groups(db, 240);
      const r = await discoverPersonas(db, params());
      expect(r.mode).toBe('attributes');
      expect(r.k).toBe(3);
      expect(r.personas.map((p) => p.size)).toEqual([80, 80, 80]);
      expect(r.personas.every((p) => p.stability === 'stable')).toBe(true);
      expect(r.stabilityAri).toBeGreaterThan(0.95);
      // every persona is one group
      const rows = await db.all<{ customer_id: string; persona_id: string }>(
        sql`SELECT customer_id, persona_id FROM customer_personas ORDER BY customer_id`,
      );
      expect(rows).toHaveLength(240);
      const byPersona = new Map<string, Set<number>>();
      for (const x of rows)
        byPersona.set(x.persona_id, (byPersona.get(x.persona_id) ?? new Set()).add(groupOf(x.customer_id)));
      expect([...byPersona.values()].map((s) => s.size)).toEqual([1, 1, 1]);
      // same seed, same data: same personas and figures
      const again = await discoverPersonas(db, params());
      expect(again.personas.map(({ status: _s, matchedJaccard: _m, ...p }) => p)).toEqual(
        r.personas.map(({ status: _s, matchedJaccard: _m, ...p }) => p),
      );
      expect(again.personas.every((p) => p.status === 'matched' && p.matchedJaccard === 1)).toBe(true);
    });
  });

  it('keeps a renamed persona and its note across a re-run; a vanished group is retired', async () => {
    await withTestDb(async (db) => {
      await groups(db, 240);
      const r1 = await discoverPersonas(db, params());
      const target = r1.personas[1]!;
      await renamePersona(db, { id: target.id, name: 'Yearly planners', note: 'from the March workshop' });
      await expect(renamePersona(db, { id: r1.personas[0]!.id, name: 'Yearly planners' })).rejects.toThrow(
        'already called',
      );
      // the re-run: same customers, another seed — the renamed persona keeps id, name and note
      await discoverPersonas(db, params({ seed: 99 }));
      const list = await listPersonas(db);
      expect(list.run.id).toBe('r2');
      const kept = list.personas.find((p) => p.id === target.id)!;
      expect(kept).toMatchObject({
        name: 'Yearly planners',
        note: 'from the March workshop',
        status: 'matched',
      });
      // a group leaves (every customer of group 2 gone): its persona is retired, never renamed
      await db.exec(sql`DELETE FROM customers WHERE CAST(substr(id, 2) AS INTEGER) % 3 = 2`);
      const r3 = await discoverPersonas(db, params({ kMin: 2, kMax: 2 }));
      expect(r3.retired).toHaveLength(1);
      const names = (await listPersonas(db)).personas.map((p) => `${p.id}:${p.status}`);
      expect(names.filter((x) => x.endsWith(':retired'))).toHaveLength(1);
      expect(names.filter((x) => x.endsWith(':matched'))).toHaveLength(2);
    });
  });

  it('cards quote exactly the computed figures; new customers are placed in the pinned personas', async () => {
    await withTestDb(async (db) => {
      await groups(db, 240);
      const r = await discoverPersonas(db, params());
      for (const p of r.personas) {
        const card = await getPersonaCard(db, { id: p.id });
        expect(card.size).toBe(p.size);
        for (const d of card.distinguishing) {
          const fmt = d.feature.includes('=') ? 'percent' : 'number';
          expect(card.description).toContain(quote(fmt, d.persona));
          expect(card.description).toContain(`(all customers: ${quote(fmt, d.population)})`);
        }
        // figures from the groups by hand: group 0 (monthly) churned at 40 of 80
        const group = groupOf(
          (await db.one<{ id: string }>(
            sql`SELECT customer_id AS id FROM customer_personas WHERE persona_id = ${p.id} LIMIT 1`,
          ))!.id,
        );
        expect(card.churn.value).toBe(group === 0 ? 0.5 : 0);
        expect(card.churn.n).toBe(80);
      }
      await groups(db, 30, 999); // 999 is a multiple of 3: ids keep their group
      expect(await assignNewCustomers(db)).toEqual({ runId: 'r1', assigned: 30 });
      const placed = await db.all<{ customer_id: string; persona_id: string }>(
        sql`SELECT customer_id, persona_id FROM ${currentPersonas()} WHERE customer_id >= 'c0999' ORDER BY customer_id`,
      );
      expect(placed).toHaveLength(30);
      const ref = await db.all<{ persona_id: string; g: number }>(
        sql`SELECT DISTINCT persona_id, CAST(substr(customer_id, 2) AS INTEGER) % 3 AS g FROM customer_personas WHERE customer_id < 'c0999'`,
      );
      for (const x of placed)
        expect(ref.find((y) => y.persona_id === x.persona_id)!.g).toBe(groupOf(x.customer_id));
    });
  });

  it('refuses kMin above kMax and a workspace without customers, in one line each', async () => {
    await withTestDb(async (db) => {
      await expect(discoverPersonas(db, params({ kMin: 5, kMax: 3 }))).rejects.toThrow(
        'kMin: 5 is above kMax 3',
      );
      await expect(discoverPersonas(db, params())).rejects.toThrow('there are no customers');
      await expect(listPersonas(db)).rejects.toThrow('there are no personas yet');
    });
  });
});
