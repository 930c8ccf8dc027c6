import type { Progress } from '../core/operation.js';
import { bumpVersion, ident, type SqlFragment, type Store, sql } from '../store/index.js';

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
 *
 * Incremental: `identity_nodes` keeps every node's component (labelled by the smallest node key in
 * it). A change names its seed nodes — the endpoints of the links an import inserted or updated, or
 * of the links an undo deleted — and only the components holding a seed are recomputed: their nodes
 * are looked up by equi-joins on `identity_nodes`, their links read with one equi-join on
 * `identity_links`, and the components found again by union-find over those links only (near-linear
 * in the touched links whatever the graph's shape: no iteration count that grows with a component's
 * diameter). A component that gained a link is the union of old components of the link's ends; one
 * that lost a link is split from the old component that held it, so the old components of the seeds
 * cover every node whose resolution can change. A full rebuild is the same code with every node as a
 * seed (`rebuildIdentities`).
 */

/** What one stitch did: the part of the identity graph it read and rewrote. */
export interface StitchWork {
  /** Nodes named by the change (link ends, plus anonymous ids of imported events). */
  readonly seeds: number;
  /** Components (as stored before the change) that held a seed, and were recomputed. */
  readonly components: number;
  /** Nodes of those components, recomputed. */
  readonly nodes: number;
  /** Links read to recompute them. */
  readonly links: number;
  /** `identities` rows inserted, changed or deleted. */
  readonly identitiesChanged: number;
  /** Events whose attribution changed (attributed, re-attributed or detached). */
  readonly eventsChanged: number;
  /** True when every node was recomputed (a rebuild, or the first stitch of a workspace whose
   * components were never stored). */
  readonly full: boolean;
}

export interface IdentityResult {
  /** Aliases resolved to a customer (the whole workspace). */
  readonly aliases: number;
  /** Components that hold more than one customer id (the whole workspace). */
  readonly conflicts: number;
  /** Events attributed to a (new) customer by this stitch. */
  readonly eventsAttributed: number;
  readonly work: StitchWork;
}

/** What changed in the identity graph, as queries the stitch reads inside the same transaction. */
export interface StitchChange {
  /** `SELECT t, a`: nodes (type, alias) whose links were added, updated or deleted. */
  readonly seeds?: SqlFragment;
  /** `SELECT anonymous_id`: anonymous ids of events just stored, to attribute. */
  readonly anonymousIds?: SqlFragment;
  readonly onProgress?: (p: Progress) => void;
}

/** Seed nodes of an import: both ends of every link it inserted or updated. */
export function linksOfImport(importId: string): SqlFragment {
  return sql`SELECT alias_type AS t, alias AS a FROM identity_links
      WHERE import_id = ${importId} OR updated_import_id = ${importId}
    UNION SELECT linked_type AS t, linked_alias AS a FROM identity_links
      WHERE import_id = ${importId} OR updated_import_id = ${importId}`;
}

const ALL_NODES = sql`SELECT alias_type AS t, alias AS a FROM identity_links
  UNION SELECT linked_type, linked_alias FROM identity_links
  UNION SELECT node_type, node FROM identity_nodes
  UNION SELECT alias_type, alias FROM identities`;

const ALL_ANONYMOUS = sql`SELECT anonymous_id FROM events WHERE anonymous_id IS NOT NULL`;

const STEPS = 5;
const TEMP = ['seed', 'comp', 't', 'e', 'v', 'ei', 'root', 'new', 'cust', 'inc', 'res', 'anon', 'ev'].map(
  (s) => `_tp_id_${s}`,
);

/** Recomputes every component (same code as the incremental path, every node a seed). */
export function rebuildIdentities(tx: Store, onProgress?: (p: Progress) => void): Promise<IdentityResult> {
  return stitch(tx, { seeds: ALL_NODES, anonymousIds: ALL_ANONYMOUS, onProgress }, true);
}

/**
 * Recomputes the components `change` touches, inside the caller's transaction: `identity_nodes`,
 * `identities` and the attribution of events with those anonymous ids. The first stitch of a
 * workspace whose links predate `identity_nodes` rebuilds everything once.
 */
export async function stitchIdentities(tx: Store, change: StitchChange): Promise<IdentityResult> {
  const stored = await tx.one<{ n: boolean; l: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM identity_nodes) AS n, EXISTS (SELECT 1 FROM identity_links) AS l`,
  );
  if (stored && !stored.n && stored.l) return rebuildIdentities(tx, change.onProgress);
  return stitch(tx, change, false);
}

async function count(tx: Store, q: SqlFragment): Promise<number> {
  return (await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM (${q})`))?.n ?? 0;
}

async function stitch(tx: Store, change: StitchChange, full: boolean): Promise<IdentityResult> {
  const progress = (done: number) =>
    change.onProgress?.({ phase: 'stitching identities', done, total: STEPS, unit: 'steps' });
  progress(0);
  // 1. the touched nodes: the seeds and every node of a stored component that holds one
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_seed AS
    SELECT DISTINCT t, a FROM (${change.seeds ?? sql`SELECT NULL::VARCHAR AS t, NULL::VARCHAR AS a WHERE false`})
    WHERE t IS NOT NULL AND a IS NOT NULL`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_comp AS
    SELECT DISTINCT n.component FROM identity_nodes n JOIN _tp_id_seed s ON n.node_type = s.t AND n.node = s.a`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_t AS
    SELECT n.node_type AS t, n.node AS a FROM identity_nodes n JOIN _tp_id_comp c ON c.component = n.component
    UNION SELECT t, a FROM _tp_id_seed`);
  // their links: every link with an end among them (the touched nodes are closed under links)
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_e AS
    SELECT l.alias_type AS t1, l.alias AS a1, l.linked_type AS t2, l.linked_alias AS a2, l.source, l.import_id
    FROM identity_links l JOIN _tp_id_t n ON l.alias_type = n.t AND l.alias = n.a`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_v AS
    SELECT t, a, CAST(row_number() OVER () - 1 AS INTEGER) AS i FROM (
      SELECT t1 AS t, a1 AS a FROM _tp_id_e UNION SELECT t2, a2 FROM _tp_id_e)`);
  const seeds = await count(tx, sql`SELECT 1 FROM _tp_id_seed`);
  const components = await count(tx, sql`SELECT 1 FROM _tp_id_comp`);
  const touched = await count(tx, sql`SELECT 1 FROM _tp_id_t`);
  const nodes = await count(tx, sql`SELECT 1 FROM _tp_id_v`);
  progress(1);

  // 2. components of the touched part, by union-find over its links. The links cross to JS as text,
  // one string per 500k links: the driver's row objects cost about 5 µs per row (3.1 s for 650k
  // links on the shared 2-core machine), the text 0.9 s.
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_ei AS SELECT v1.i, v2.i AS j, e.source, e.import_id
    FROM _tp_id_e e JOIN _tp_id_v v1 ON v1.t = e.t1 AND v1.a = e.a1 JOIN _tp_id_v v2 ON v2.t = e.t2 AND v2.a = e.a2`);
  const chunks = await tx.all<{ s: string }>(
    sql`SELECT string_agg(i || ',' || j, ',') AS s FROM _tp_id_ei GROUP BY i // 500000`,
  );
  const parent = new Int32Array(nodes);
  for (let i = 0; i < nodes; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!; // path halving
      x = parent[x]!;
    }
    return x;
  };
  let links = 0;
  for (const { s } of chunks) {
    const ends = s.split(',');
    for (let k = 0; k + 1 < ends.length; k += 2) {
      const a = find(Number(ends[k]));
      const b = find(Number(ends[k + 1]));
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      links++;
    }
  }
  const rootCols = [
    { name: 'i', type: 'integer' as const },
    { name: 'r', type: 'integer' as const },
  ];
  await tx.createTemp('_tp_id_root', rootCols);
  await tx.append(
    '_tp_id_root',
    rootCols,
    (function* () {
      for (let i = 0; i < nodes; i++) yield [i, find(i)];
    })(),
  );
  progress(2);

  // 3. store the recomputed components, labelled by their smallest node key (as a rebuild labels them)
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_new AS
    SELECT v.i, v.t, v.a, r.r, min(v.t || chr(31) || v.a) OVER (PARTITION BY r.r) AS component
    FROM _tp_id_v v JOIN _tp_id_root r ON r.i = v.i`);
  if (full) await tx.exec(sql`DELETE FROM identity_nodes`);
  else await tx.exec(sql`DELETE FROM identity_nodes WHERE component IN (SELECT component FROM _tp_id_comp)`);
  await tx.exec(
    sql`INSERT INTO identity_nodes (node_type, node, component) SELECT t, a, component FROM _tp_id_new`,
  );
  progress(3);

  // 4. resolve every alias of the touched part; rewrite only the identities rows that differ
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_cust AS
    SELECT r, min(a) AS customer_id FROM _tp_id_new WHERE t = 'customer_id' GROUP BY r`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_inc AS
    SELECT i, min(source) AS source, min(import_id) AS import_id FROM (
      SELECT i, source, import_id FROM _tp_id_ei UNION ALL SELECT j, source, import_id FROM _tp_id_ei) GROUP BY i`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_res AS
    SELECT n.t AS alias_type, n.a AS alias, c.customer_id, x.source, x.import_id
    FROM _tp_id_new n JOIN _tp_id_cust c ON c.r = n.r JOIN _tp_id_inc x ON x.i = n.i
    WHERE n.t <> 'customer_id'`);
  const gone = await count(
    tx,
    sql`SELECT 1 FROM identities i JOIN _tp_id_t n ON i.alias_type = n.t AND i.alias = n.a
      ANTI JOIN _tp_id_res r ON r.alias_type = i.alias_type AND r.alias = i.alias`,
  );
  const differ = await count(
    tx,
    sql`SELECT 1 FROM identities i JOIN _tp_id_res r ON r.alias_type = i.alias_type AND r.alias = i.alias
      WHERE i.customer_id <> r.customer_id OR i.source IS DISTINCT FROM r.source OR i.import_id IS DISTINCT FROM r.import_id`,
  );
  const added = await count(
    tx,
    sql`SELECT 1 FROM _tp_id_res r ANTI JOIN identities i ON r.alias_type = i.alias_type AND r.alias = i.alias`,
  );
  if (gone > 0) {
    await tx.exec(sql`DELETE FROM identities WHERE (alias_type, alias) IN (
      SELECT (i.alias_type, i.alias) FROM identities i JOIN _tp_id_t n ON i.alias_type = n.t AND i.alias = n.a
      ANTI JOIN _tp_id_res r ON r.alias_type = i.alias_type AND r.alias = i.alias)`);
  }
  if (differ > 0) {
    // created_at: when the alias got its current customer
    await tx.exec(sql`UPDATE identities SET customer_id = r.customer_id, source = r.source, import_id = r.import_id,
        created_at = CASE WHEN identities.customer_id <> r.customer_id THEN current_timestamp::TIMESTAMP ELSE identities.created_at END
      FROM _tp_id_res r
      WHERE identities.alias_type = r.alias_type AND identities.alias = r.alias AND (identities.customer_id <> r.customer_id
        OR identities.source IS DISTINCT FROM r.source OR identities.import_id IS DISTINCT FROM r.import_id)`);
  }
  if (added > 0) {
    await tx.exec(sql`INSERT INTO identities (alias_type, alias, customer_id, source, import_id, created_at)
      SELECT r.alias_type, r.alias, r.customer_id, r.source, r.import_id, current_timestamp::TIMESTAMP
      FROM _tp_id_res r ANTI JOIN identities i ON r.alias_type = i.alias_type AND r.alias = i.alias`);
  }
  progress(4);

  // 5. events of the touched anonymous ids (and of the events just stored) follow their resolution
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_anon AS
    SELECT x.alias, i.customer_id FROM (
      SELECT a AS alias FROM _tp_id_t WHERE t = 'anonymous_id'
      UNION SELECT anonymous_id FROM (${change.anonymousIds ?? sql`SELECT NULL::VARCHAR AS anonymous_id WHERE false`})
        WHERE anonymous_id IS NOT NULL
    ) x LEFT JOIN identities i ON i.alias_type = 'anonymous_id' AND i.alias = x.alias`);
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_id_ev AS
    SELECT e.rowid AS row, x.customer_id FROM events e JOIN _tp_id_anon x ON x.alias = e.anonymous_id
    WHERE (x.customer_id IS NOT NULL AND (e.customer_id IS NULL OR e.customer_stitched)
        AND e.customer_id IS DISTINCT FROM x.customer_id)
      OR (x.customer_id IS NULL AND e.customer_stitched)`);
  const ev = await tx.one<{ n: number; attributed: number }>(
    sql`SELECT count(*) AS n, count(customer_id) AS attributed FROM _tp_id_ev`,
  );
  const eventsChanged = ev?.n ?? 0;
  if (eventsChanged > 0) {
    // it re-attributes events: derived tables built from events are stale
    await bumpVersion(tx, 'events');
    await tx.exec(sql`UPDATE events SET customer_id = c.customer_id, customer_stitched = c.customer_id IS NOT NULL
      FROM _tp_id_ev c WHERE events.rowid = c.row`);
  }
  const conflicts = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM (
    SELECT component FROM identity_nodes WHERE node_type = 'customer_id' GROUP BY component HAVING count(*) > 1)`);
  const aliases = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM identities`);
  for (const t of TEMP) await tx.exec(sql`DROP TABLE IF EXISTS ${ident(t)}`);
  progress(STEPS);
  return {
    aliases: aliases?.n ?? 0,
    conflicts: conflicts?.n ?? 0,
    eventsAttributed: ev?.attributed ?? 0,
    work: {
      seeds,
      components,
      nodes: touched,
      links,
      identitiesChanged: gone + differ + added,
      eventsChanged,
      full,
    },
  };
}
