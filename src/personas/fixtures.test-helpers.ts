import { join, type Store, sql } from '../store/index.js';

/** Test fixtures of the personas capability (used by its tests only). */

/** Writes a persona run `r1` with the given members directly (what `personas discover` publishes). */
export async function publishRun(
  db: Store,
  members: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  const all = Object.entries(members).flatMap(([p, ids]) => ids.map((id) => [p, id] as const));
  await db.exec(sql`INSERT INTO persona_runs (id, created_at, mode, seed, k, customers, thin_history, features,
      scaling, silhouette, stability_ari, params, notes)
    VALUES ('r1', TIMESTAMP '2026-03-02', 'attributes', 42, ${Object.keys(members).length}, ${all.length}, 0,
      '[]', '[]', '[]', NULL, '{}', '[]')`);
  await db.exec(sql`INSERT INTO personas (run_id, id, name, named_by, note, status, matched_from, size, centroid,
      jaccard, stability, distinguishing) VALUES ${join(
        Object.entries(members).map(
          ([p, ids]) =>
            sql`('r1', ${p}, ${`Persona ${p}`}, 'vocabulary', NULL, 'new', NULL, ${ids.length}, '[]', 0.9, 'stable', '[]')`,
        ),
      )}`);
  await db.exec(sql`INSERT INTO customer_personas (run_id, customer_id, persona_id, distance)
    VALUES ${join(all.map(([p, id]) => sql`('r1', ${id}, ${p}, 0.5)`))}`);
}
