import { bumpVersion, type Store, sql } from '../store/index.js';

/**
 * Identity stitching. `identity_links` keeps every observed link: an alias seen with a customer id
 * (alias file, an event carrying both ids) or two aliases seen together. Resolution rule:
 *
 * 1. Aliases and customer ids are nodes, links are undirected edges; take connected components.
 * 2. A component's customer is the SMALLEST customer id in it (string order). Every alias of the
 *    component maps to that customer, one hop: `identities` never points at another alias, so there
 *    are no chains and no cycles.
 * 3. A component that holds more than one customer id is a conflict (two CRM records share an
 *    e-mail, say): it still resolves by rule 2 and is counted, never silently dropped.
 *
 * Components and minima do not depend on the order links arrived in, so any file order gives the
 * same `identities`. Events with only an anonymous id whose alias (type `anonymous_id`) resolves get
 * `customer_id` set and `customer_stitched = true`; stitched events follow later re-resolutions and
 * lose the attribution when the link is undone. Events that carried a customer id themselves are never
 * changed.
 */
export async function resolveIdentities(
  tx: Store,
): Promise<{ aliases: number; conflicts: number; eventsAttributed: number }> {
  // it re-attributes events (events.customer_id) below
  await bumpVersion(tx, 'events');
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_edges AS
    SELECT DISTINCT a, b FROM (
      SELECT alias_type || chr(31) || alias AS a, linked_type || chr(31) || linked_alias AS b FROM identity_links
      UNION ALL
      SELECT linked_type || chr(31) || linked_alias AS a, alias_type || chr(31) || alias AS b FROM identity_links
    )`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_label AS
    SELECT a AS node, min(least(a, b)) AS label FROM _tp_edges GROUP BY a`);
  // label propagation: each node takes the smallest label among itself and its neighbours, until stable
  for (let i = 0; i < 10_000; i++) {
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_next AS
      SELECT l.node, least(l.label, min(n.label)) AS label
      FROM _tp_label l JOIN _tp_edges e ON e.a = l.node JOIN _tp_label n ON n.node = e.b
      GROUP BY l.node, l.label`);
    const changed = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM _tp_next x JOIN _tp_label l
      ON l.node = x.node WHERE x.label <> l.label`);
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_label AS SELECT * FROM _tp_next`);
    if ((changed?.n ?? 0) === 0) break;
  }
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_comp AS
    SELECT label,
      min(CASE WHEN split_part(node, chr(31), 1) = 'customer_id' THEN substr(node, length('customer_id') + 2) END) AS customer_id,
      count(DISTINCT CASE WHEN split_part(node, chr(31), 1) = 'customer_id' THEN node END) AS customers
    FROM _tp_label GROUP BY label`);
  await tx.exec(sql`DELETE FROM identities`);
  await tx.exec(sql`INSERT INTO identities (alias_type, alias, customer_id, source, import_id, created_at)
    SELECT split_part(l.node, chr(31), 1), substr(l.node, strpos(l.node, chr(31)) + 1), c.customer_id,
      (SELECT min(source) FROM identity_links k WHERE k.alias_type || chr(31) || k.alias = l.node OR k.linked_type || chr(31) || k.linked_alias = l.node),
      (SELECT min(import_id) FROM identity_links k WHERE k.alias_type || chr(31) || k.alias = l.node OR k.linked_type || chr(31) || k.linked_alias = l.node),
      current_timestamp::TIMESTAMP
    FROM _tp_label l JOIN _tp_comp c ON c.label = l.label
    WHERE c.customer_id IS NOT NULL AND split_part(l.node, chr(31), 1) <> 'customer_id'`);
  const conflicts = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM _tp_comp WHERE customers > 1`);
  const aliases = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM identities`);
  // attribute anonymous events, follow re-resolutions, and drop attributions whose link is gone
  const attributed = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM events e JOIN identities i
    ON i.alias_type = 'anonymous_id' AND i.alias = e.anonymous_id
    WHERE (e.customer_id IS NULL OR e.customer_stitched) AND e.customer_id IS DISTINCT FROM i.customer_id`);
  await tx.exec(sql`UPDATE events SET customer_id = i.customer_id, customer_stitched = true
    FROM identities i
    WHERE i.alias_type = 'anonymous_id' AND i.alias = events.anonymous_id
      AND (events.customer_id IS NULL OR events.customer_stitched)
      AND events.customer_id IS DISTINCT FROM i.customer_id`);
  await tx.exec(sql`UPDATE events SET customer_id = NULL, customer_stitched = false
    WHERE customer_stitched AND NOT EXISTS (
      SELECT 1 FROM identities i WHERE i.alias_type = 'anonymous_id' AND i.alias = events.anonymous_id)`);
  return { aliases: aliases?.n ?? 0, conflicts: conflicts?.n ?? 0, eventsAttributed: attributed?.n ?? 0 };
}
