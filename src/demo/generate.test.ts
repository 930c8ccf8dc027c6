import { describe, expect, it } from 'vitest';
import { rebuildIdentities } from '../ingest/index.js';
import { ident, type Store, sql, withTestDb } from '../store/index.js';
import { generateDemo } from './generate.js';
import { manifestOperation, readManifest } from './manifest.js';

const CONTENT_TABLES = [
  'teams',
  'employees',
  'pulse',
  'journeys',
  'journey_stages',
  'journey_touchpoints',
  'touchpoint_owners',
  'surveys',
  'customers',
  'identities',
  'identity_links',
  'events',
  'cases',
  'case_events',
  'feedback',
  'demo_truth_comments',
  'demo_truth_customers',
  'meta',
] as const;

/**
 * One hash per table over every row's full text, independent of physical row order. Data version
 * counters in meta (`version:*`, bumped by every write) are bookkeeping, not content.
 */
async function contentHash(db: Store): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of CONTENT_TABLES) {
    const r = await db.one<{ n: number; h: string }>(
      sql`SELECT count(*) AS n, md5(string_agg(md5(x::VARCHAR), '' ORDER BY md5(x::VARCHAR))) AS h
          FROM ${ident(t)} x ${t === 'meta' ? sql`WHERE key NOT LIKE 'version:%'` : sql``}`,
    );
    out[t] = `${r?.n}:${r?.h}`;
  }
  return out;
}

const SIZE = 1500;

describe('generateDemo', () => {
  it('is deterministic: same seed and size give identical rows however the load is chunked; another seed gives others', async () => {
    const run = (seed: number) =>
      withTestDb(async (db) => {
        await generateDemo(db, { seed, customers: SIZE });
        return contentHash(db);
      });
    const a = await run(42);
    // cut into many load chunks: the same rows
    const b = await withTestDb(async (db) => {
      await generateDemo(db, { seed: 42, customers: SIZE, chunkCustomers: 400 });
      return contentHash(db);
    });
    const c = await run(7);
    expect(b).toEqual(a);
    for (const t of ['customers', 'events', 'feedback', 'cases', 'case_events', 'pulse'] as const) {
      expect(c[t], t).not.toEqual(a[t]);
    }
  });

  it('fills every table of the data model and writes the manifest', async () => {
    await withTestDb(async (db) => {
      const r = await generateDemo(db, { seed: 42, customers: SIZE });
      for (const t of CONTENT_TABLES) {
        const n = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(t)}`);
        expect(n?.n, t).toBeGreaterThan(0);
      }
      // the engine setting the generator relaxes while loading is restored
      const setting = await db.one<{ v: boolean }>(
        sql`SELECT current_setting('preserve_insertion_order') AS v`,
      );
      expect(setting?.v).toBe(true);
      const m = await readManifest(db);
      expect(m).not.toBeNull();
      expect(m!.customers).toBe(SIZE);
      expect(m!.events).toBe(r.events);
      expect(m!.asOf).toBe('2026-10-31T00:00:00.000Z');
      expect(m!.plants.length).toBeGreaterThanOrEqual(5);
      expect(m!.decoys.length).toBeGreaterThanOrEqual(4);
      // volumes a CX team would recognise
      expect(r.events / SIZE).toBeGreaterThan(8);
      expect(r.events / SIZE).toBeLessThan(26); // ~13.6 from orders, ~7.7 everyday habits
    });
  });

  it('shows the manifest through `demo manifest`, and says so when there is no demo', async () => {
    await withTestDb(async (db) => {
      await expect(manifestOperation.run(db, {}, {})).rejects.toMatchObject({ code: 'not_found' });
      await generateDemo(db, { seed: 3, customers: 200 });
      const m = await manifestOperation.run(db, {}, {});
      expect(m).toEqual(await readManifest(db));
      const sections = manifestOperation.present!(m, {});
      expect(sections.length).toBe(3);
    });
  });

  it('refuses a workspace that holds data unless replace is given, and replaces it exactly', async () => {
    await withTestDb(async (db) => {
      await generateDemo(db, { seed: 42, customers: 300 });
      const before = await contentHash(db);
      await expect(generateDemo(db, { seed: 42, customers: 300 })).rejects.toMatchObject({
        code: 'conflict',
      });
      await db.exec(sql`INSERT INTO findings (id, run_id, created_at, analysis, kind, p, title, slice, metric, score, rank)
        VALUES ('x', 'r', TIMESTAMP '2026-01-01', 'a', 'k', 'process', 't', '{}', 'm', 1, 1)`);
      // without foreign keys: cleared inside the one transaction
      await generateDemo(db, { seed: 42, customers: 300, replace: true });
      expect(await contentHash(db)).toEqual(before);
      // tables of later migrations, with a foreign key, are emptied too (children first)
      await db.exec(sql`CREATE TABLE x_parent (id INTEGER PRIMARY KEY)`);
      await db.exec(sql`CREATE TABLE x_child (id INTEGER, parent INTEGER REFERENCES x_parent (id))`);
      await db.exec(sql`INSERT INTO x_parent VALUES (1)`);
      await db.exec(sql`INSERT INTO x_child VALUES (1, 1)`);
      await generateDemo(db, { seed: 42, customers: 300, replace: true });
      expect(await contentHash(db)).toEqual(before);
      expect(
        (
          await db.one<{ n: number }>(
            sql`SELECT (SELECT count(*) FROM x_parent) + (SELECT count(*) FROM x_child) AS n`,
          )
        )?.n,
      ).toBe(0);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM findings`))?.n).toBe(0);
    });
  });

  it('survives identity stitching: resolving the stored links gives the same identities and attributions', async () => {
    await withTestDb(async (db) => {
      await generateDemo(db, { seed: 5, customers: 800 });
      const snapshot = async () => ({
        identities: await db.all(sql`SELECT alias_type, alias, customer_id FROM identities ORDER BY ALL`),
        events:
          await db.one(sql`SELECT count(customer_id) AS attributed, count(*) FILTER (WHERE customer_stitched) AS stitched,
          md5(string_agg(id || ':' || coalesce(customer_id, '-'), ',' ORDER BY id)) AS h FROM events`),
      });
      const before = await snapshot();
      expect(before.identities.length).toBeGreaterThan(0);
      await db.transaction((tx) => rebuildIdentities(tx));
      expect(await snapshot()).toEqual(before);
      expect(
        (
          await db.one<{ n: number }>(
            sql`SELECT count(*) AS n FROM customers WHERE churned <> (churned_at IS NOT NULL)`,
          )
        )?.n,
      ).toBe(0);
    });
  });

  it('keeps the data model consistent', async () => {
    await withTestDb(async (db) => {
      await generateDemo(db, { seed: 11, customers: SIZE });
      const q = async (query: ReturnType<typeof sql>) => (await db.one<{ n: number }>(query))?.n;
      // everything happens inside the 12 months before asOf
      expect(
        await q(
          sql`SELECT count(*) AS n FROM events WHERE ts < TIMESTAMP '2025-10-31' OR ts >= TIMESTAMP '2026-10-31'`,
        ),
      ).toBe(0);
      expect(await q(sql`SELECT count(*) AS n FROM case_events WHERE ts >= TIMESTAMP '2026-10-31'`)).toBe(0);
      expect(await q(sql`SELECT count(*) AS n FROM feedback WHERE ts >= TIMESTAMP '2026-10-31'`)).toBe(0);
      // references resolve
      expect(
        await q(
          sql`SELECT count(*) AS n FROM events e WHERE customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = e.customer_id)`,
        ),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id)`,
        ),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM feedback f WHERE case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = f.case_id AND c.customer_id = f.customer_id)`,
        ),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM case_events WHERE team IS NOT NULL AND team NOT IN (SELECT id FROM teams)`,
        ),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM case_events WHERE agent IS NOT NULL AND agent NOT IN (SELECT id FROM employees)`,
        ),
      ).toBe(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM touchpoint_owners WHERE team_id NOT IN (SELECT id FROM teams)`),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM events WHERE stage IS NOT NULL AND touchpoint NOT IN (SELECT touchpoint FROM journey_touchpoints)`,
        ),
      ).toBe(0);
      expect(
        await q(
          sql`SELECT count(*) AS n FROM demo_truth_comments t WHERE NOT EXISTS (SELECT 1 FROM feedback f WHERE f.id = t.feedback_id AND f.comment IS NOT NULL)`,
        ),
      ).toBe(0);
      // case histories: seq is 1..n in time order, every case opens first, closed cases end closed
      expect(
        await q(sql`SELECT count(*) AS n FROM (
        SELECT case_id, list(seq ORDER BY ts, seq) AS s, count(*) AS c FROM case_events GROUP BY case_id)
        WHERE s <> range(1, c + 1)`),
      ).toBe(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM (
        SELECT case_id, arg_min(type, seq) AS first FROM case_events GROUP BY case_id) WHERE first <> 'opened'`),
      ).toBe(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM cases c WHERE (c.closed_at IS NULL) <> (c.status <> 'closed')`),
      ).toBe(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM cases c WHERE c.status = 'closed' AND c.closed_at <> (
        SELECT max(ts) FROM case_events e WHERE e.case_id = c.id AND e.type = 'closed')`),
      ).toBe(0);
      // anonymous visitors: some persons only anonymous; stitched anonymous ids resolve through identities
      expect(
        await q(sql`SELECT count(DISTINCT anonymous_id) AS n FROM events WHERE customer_id IS NULL`),
      ).toBeGreaterThan(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM events e WHERE customer_id IS NOT NULL AND anonymous_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.alias = e.anonymous_id AND i.customer_id = e.customer_id)`),
      ).toBe(0);
      expect(
        await q(sql`SELECT count(*) AS n FROM events e WHERE customer_id IS NULL
        AND EXISTS (SELECT 1 FROM identities i WHERE i.alias = e.anonymous_id)`),
      ).toBe(0);
      // events attributed through an anonymous id are marked as stitched, as the ingest marks them
      expect(
        await q(
          sql`SELECT count(*) AS n FROM events WHERE customer_stitched <> (customer_id IS NOT NULL AND anonymous_id IS NOT NULL)`,
        ),
      ).toBe(0);
      expect(await q(sql`SELECT count(*) AS n FROM events WHERE customer_stitched`)).toBeGreaterThan(0);
      // answers name a question of their survey, of the answer's kind (survey definitions: {id, type, text, required})
      expect(
        await q(sql`SELECT count(*) AS n FROM feedback f JOIN surveys s ON s.id = f.survey_id
          WHERE NOT list_contains(json_extract_string(s.questions, '$[*].id'), f.question)
             OR NOT list_contains(json_extract_string(s.questions, '$[*].type'), f.kind)`),
      ).toBe(0);
      expect(await q(sql`SELECT count(*) AS n FROM feedback WHERE survey_id IS NOT NULL`)).toBeGreaterThan(0);
      // outbound contacts exist on several channels
      expect(
        await q(sql`SELECT count(DISTINCT channel) AS n FROM events WHERE direction = 'outbound'`),
      ).toBeGreaterThanOrEqual(3);
      // every channel appears
      expect(await q(sql`SELECT count(DISTINCT channel) AS n FROM events`)).toBe(7);
    });
  });
});
