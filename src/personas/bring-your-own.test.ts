import { describe, expect, it } from 'vitest';
import { addEvents } from '../journeys/fixtures.test-helpers.js';
import { join, type Store, sql, withTestDb } from '../store/index.js';
import { applyRules, compareSet, importAssignments } from './bring-your-own.js';
import { publishRun } from './fixtures.test-helpers.js';

/** Six customers signed up 2026-01-01; discovered personas p1 = {c1, c2, c3}, p2 = {c4, c5, c6}. */
async function workspace(db: Store): Promise<void> {
  await db.exec(
    sql`INSERT INTO customers (id, created_at) VALUES ${join(
      ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id) => sql`(${id}, TIMESTAMP '2026-01-01')`),
    )}`,
  );
  await publishRun(db, { p1: ['c1', 'c2', 'c3'], p2: ['c4', 'c5', 'c6'] });
}

const CSV = `customer_id,persona
c1,Researchers
c2,Researchers
c3,Researchers
c4,Bargain seekers
c5,Bargain seekers
c6,Researchers
c99,Researchers
`;

describe('bring your own personas', () => {
  it('imports assignments, leaves out unknown customers with their line, and compares with the discovered', async () => {
    await withTestDb(async (db) => {
      await workspace(db);
      const r = await importAssignments(db, { set: 'research', text: CSV, file: 'a.csv' });
      expect(r).toEqual({
        set: 'research',
        kind: 'assignments',
        customers: 6,
        personas: [
          { persona: 'Researchers', customers: 4 },
          { persona: 'Bargain seekers', customers: 2 },
        ],
        notes: ['1 customer ids are not in the workspace and were left out (first: c99 on line 8)'],
      });
      const c = await compareSet(db, { set: 'research' });
      expect(c.n).toBe(6);
      // contingency Researchers: p1 3, p2 1 · Bargain seekers: p2 2. Σ C(nij,2) = 3 + 0 + 1 = 4;
      // rows C(4,2) + C(2,2) = 7, columns 3 + 3 = 6; expected 7·6/C(6,2) = 2.8; max 6.5
      // ARI = (4 − 2.8) / (6.5 − 2.8) = 1.2 / 3.7
      expect(c.ari).toBeCloseTo(1.2 / 3.7, 12);
      expect(c.discovered.map((d) => d.id)).toEqual(['p1', 'p2']);
      expect(c.crosstab).toEqual([
        {
          persona: 'Researchers',
          n: 4,
          counts: [3, 1],
          best: { id: 'p1', name: 'Persona p1', jaccard: 0.75 },
        },
        {
          persona: 'Bargain seekers',
          n: 2,
          counts: [0, 2],
          best: { id: 'p2', name: 'Persona p2', jaccard: 2 / 3 },
        },
      ]);
      // importing again under the same name replaces the set
      await importAssignments(db, { set: 'research', text: 'id,persona\nc1,Solo\n', file: 'b.csv' });
      const again = await compareSet(db, { set: 'research' });
      expect(again.n).toBe(1);
      expect(again.crosstab.map((x) => x.persona)).toEqual(['Solo']);
    });
  });

  it.each([
    ['customer_id,persona\nc1,A\nc1,B\n', 'a.csv:3: persona: customer c1 is "A" on line 2 and "B" here'],
    [
      'customer_id,name\nc1,A\n',
      'a.csv:1: persona: no persona column (one of persona, persona_name, segment_name)',
    ],
    ['who,persona\nc1,A\n', 'a.csv:1: customer_id: no customer id column (one of customer_id, customer, id)'],
    ['customer_id,persona\nc1,A\nc2,\n', 'a.csv:3: persona: customer c2 has no persona'],
    ['customer_id,persona\nc1,A,extra\n', 'a.csv:2: csv:'],
    [
      'customer_id,persona\nnobody,A\n',
      'a.csv:?: customer_id: none of the customer ids is a customer of this workspace',
    ],
  ])('refuses a bad assignments file with its line: %j', async (text, message) => {
    await withTestDb(async (db) => {
      await workspace(db);
      await expect(importAssignments(db, { set: 's', text, file: 'a.csv' })).rejects.toThrow(message);
    });
  });

  it('applies rules in order on the features, and names a wrong line of the YAML', async () => {
    await withTestDb(async (db) => {
      await workspace(db);
      // c1: 3 store events · c2: 1 store · c3: 1 store + 2 web · c4: 3 web · c5: 1 web · c6: none
      const ev = (customer: string, channel: string, day: number) => ({
        customer,
        channel,
        touchpoint: 'visit',
        at: `2026-02-${String(day).padStart(2, '0')}T10:00:00Z`,
      });
      await addEvents(db, [
        ev('c1', 'store', 1),
        ev('c1', 'store', 2),
        ev('c1', 'store', 3),
        ev('c2', 'store', 1),
        ev('c3', 'store', 1),
        ev('c3', 'web', 2),
        ev('c3', 'web', 3),
        ev('c4', 'web', 1),
        ev('c4', 'web', 2),
        ev('c4', 'web', 3),
        ev('c5', 'web', 1),
      ]);
      const yaml = `personas:
  - name: Store people
    when:
      - mix:store >= 0.5
  - name: Busy
    when:
      - events >= 3
otherwise: Others
`;
      const r = await applyRules(db, { set: 'rules-1', text: yaml, file: 'rules.yaml', asOf: '2026-03-01' });
      // c1 (store 3/3) and c2 (1/1) are store people; c3 (store 1/3) and c4 have 3 events: busy;
      // c5 (1 event) and c6 (none) match nothing: others
      expect(r.rules).toEqual([
        { persona: 'Store people', matched: 2 },
        { persona: 'Busy', matched: 2 },
      ]);
      expect(r.unmatched).toBe(2);
      expect(r.personas).toEqual([
        { persona: 'Busy', customers: 2 },
        { persona: 'Others', customers: 2 },
        { persona: 'Store people', customers: 2 },
      ]);
      const members = await db.all<{ customer_id: string; persona: string }>(
        sql`SELECT customer_id, persona FROM persona_set_members WHERE set_id = 'rules-1' ORDER BY customer_id`,
      );
      expect(members.map((m) => m.persona)).toEqual([
        'Store people',
        'Store people',
        'Busy',
        'Busy',
        'Others',
        'Others',
      ]);
      const c = await compareSet(db, { set: 'rules-1' });
      expect(c.n).toBe(6);

      const wrong = yaml.replace('events >= 3', 'velocity >= 3');
      await expect(applyRules(db, { set: 'x', text: wrong, file: 'rules.yaml' })).rejects.toThrow(
        /^rules\.yaml:7: personas\.1\.when\.0: unknown feature velocity/,
      );
      const channel = yaml.replace('mix:store', 'mix:fax');
      await expect(applyRules(db, { set: 'x', text: channel, file: 'rules.yaml' })).rejects.toThrow(
        /^rules\.yaml:4: personas\.0\.when\.0: no channel fax/,
      );
      const text = yaml.replace('events >= 3', 'top_reason > billing');
      await expect(applyRules(db, { set: 'x', text, file: 'rules.yaml' })).rejects.toThrow(
        'rules.yaml:7: personas.1.when.0: top_reason is a text: use = or !=',
      );
      await expect(compareSet(db, { set: 'nope' })).rejects.toThrow(
        'set: no persona set nope (sets: rules-1)',
      );
    });
  });
});
