import {
  bumpVersion,
  type ColumnSpec,
  type ColumnType,
  ident,
  join,
  raw,
  type SqlFragment,
  type Store,
  sql,
  VERSIONED_TABLES,
} from '../store/index.js';
import { type IdentityResult, linksOfImport, type StitchChange } from './identities.js';
import { type FieldType, KIND_SPECS, type Kind, type KindSpec } from './schemas.js';

/** The staging table every import path fills: `_line` (physical line, or record number) + the kind's fields. */
export const STAGE = '_tp_stage';

const COLUMN_TYPE: Record<FieldType, ColumnType> = {
  string: 'varchar',
  number: 'double',
  integer: 'bigint',
  timestamp: 'timestamp',
  boolean: 'boolean',
  json: 'json',
};

export function stageColumns(kind: Kind): ColumnSpec[] {
  return [
    { name: '_line', type: 'bigint' },
    ...KIND_SPECS[kind].fields.map((f) => ({ name: f.name, type: COLUMN_TYPE[f.type] })),
  ];
}

export interface MergeCounts {
  stored: number;
  updated: number;
  duplicates: number;
}

/**
 * Derived ids: when a kind's id is optional and a row has none, id = 'h' + the first 24 hex digits
 * of md5(kind, every other field of the converted row). The same row always gets the same id, so
 * re-importing a file never duplicates; an edited row gets a new id (docs/import.md).
 */
export function derivedId(spec: KindSpec): SqlFragment {
  const parts = spec.fields
    .filter((f) => f.name !== 'id')
    .map((f) => sql`coalesce(CAST(${ident(f.name)} AS VARCHAR), chr(0))`);
  return sql`'h' || substr(md5(concat_ws(chr(31), ${spec.kind}, ${join(parts)})), 1, 24)`;
}

async function deriveIds(tx: Store, spec: KindSpec): Promise<void> {
  if (!spec.deriveId) return;
  await tx.exec(sql`UPDATE ${ident(STAGE)} SET id = ${derivedId(spec)} WHERE id IS NULL`);
}

/**
 * Moves `source` (a query over staged rows) into `table` keyed on `key`: rows with a new key are
 * inserted with import_id; rows whose key exists and whose content differs are updated with
 * updated_import_id; identical rows are counted as duplicates. Within the source, the last row of a
 * key wins (the others count as duplicates). `keep` columns merge with what is stored (new value when
 * given, else the stored one); JSON columns in `keep` merge key by key. `storedAs` gives, per column,
 * the stored value as the source would have written it (`t.` is the stored row), for columns that the
 * workspace fills in after an import (an event's stitched customer id): only a difference from what
 * the source wrote is a change.
 */
export async function mergeInto(
  tx: Store,
  table: string,
  key: readonly string[],
  columns: readonly { name: string; type: ColumnType }[],
  source: SqlFragment,
  importId: string,
  keep: 'replace' | 'coalesce',
  storedAs: Readonly<Record<string, SqlFragment>> = {},
): Promise<MergeCounts> {
  const t = ident(table);
  const versioned = VERSIONED_TABLES[table];
  if (versioned) await bumpVersion(tx, versioned);
  const data = columns.filter((c) => !key.includes(c.name));
  const all = [...key, ...data.map((c) => c.name)];
  const keyList = join(key.map((k) => ident(k)));
  // fast path: no key repeats within the file and none is stored yet → one plain INSERT
  const stats = await tx.one<{ n: number; d: number }>(
    sql`SELECT count(*) AS n, count(DISTINCT ${key.length === 1 ? keyList : sql`row(${keyList})`}) AS d FROM (${source})`,
  );
  const overlap = await tx.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM (${source}) s JOIN ${t} t ON ${join(
      key.map((k) => sql`t.${ident(k)} = s.${ident(k)}`),
      raw(' AND '),
    )}`,
  );
  if (stats && stats.n === stats.d && (overlap?.n ?? 0) === 0) {
    const cols = join(all.map((c) => ident(c)));
    await withIndexesDeferred(tx, table, stats.n, () =>
      tx.exec(sql`INSERT INTO ${t} (${cols}, import_id) SELECT ${cols}, ${importId} FROM (${source})`),
    );
    return { stored: stats.n, updated: 0, duplicates: 0 };
  }
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_src AS
    SELECT * EXCLUDE (_rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY ${join(key.map((k) => ident(k)))} ORDER BY _line DESC) AS _rn
      FROM (${source})
    ) WHERE _rn = 1`);
  const total = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM (${source})`);
  const distinct = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM _tp_src`);
  const onKey = join(
    key.map((k) => sql`t.${ident(k)} IS NOT DISTINCT FROM s.${ident(k)}`),
    raw(' AND '),
  );
  const newValue = (c: { name: string; type: ColumnType }): SqlFragment => {
    if (keep === 'replace') return sql`s.${ident(c.name)}`;
    if (c.type === 'json') {
      return sql`CASE WHEN s.${ident(c.name)} IS NULL THEN t.${ident(c.name)} WHEN t.${ident(c.name)} IS NULL THEN s.${ident(c.name)} ELSE json_merge_patch(t.${ident(c.name)}, s.${ident(c.name)}) END`;
    }
    return sql`coalesce(s.${ident(c.name)}, t.${ident(c.name)})`;
  };
  const changed =
    data.length === 0
      ? raw('false')
      : join(
          data.map((c) =>
            c.type === 'json'
              ? sql`CAST(${newValue(c)} AS VARCHAR) IS DISTINCT FROM CAST(t.${ident(c.name)} AS VARCHAR)`
              : sql`${newValue(c)} IS DISTINCT FROM ${storedAs[c.name] ?? sql`t.${ident(c.name)}`}`,
          ),
          raw(' OR '),
        );
  // mark each source row: 0 new, 1 changed, 2 identical
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_cmp AS
    SELECT s.*, CASE WHEN NOT EXISTS (SELECT 1 FROM ${t} t WHERE ${onKey}) THEN 0
      WHEN EXISTS (SELECT 1 FROM ${t} t WHERE ${onKey} AND (${changed})) THEN 1 ELSE 2 END AS _state
    FROM _tp_src s`);
  const counts = await tx.all<{ state: number; n: number }>(
    sql`SELECT _state AS state, count(*) AS n FROM _tp_cmp GROUP BY _state`,
  );
  const n = (state: number): number => counts.find((c) => c.state === state)?.n ?? 0;
  if (n(1) > 0 && data.length > 0) {
    await tx.exec(sql`UPDATE ${t} AS t SET
      ${join(data.map((c) => sql`${ident(c.name)} = ${newValue(c)}`))},
      updated_import_id = ${importId}
      FROM (SELECT * FROM _tp_cmp WHERE _state = 1) s WHERE ${onKey}`);
  }
  if (n(0) > 0) {
    const cols = join(all.map((c) => ident(c)));
    await withIndexesDeferred(tx, table, n(0), () =>
      tx.exec(
        sql`INSERT INTO ${t} (${cols}, import_id) SELECT ${cols}, ${importId} FROM _tp_cmp WHERE _state = 0`,
      ),
    );
  }
  return { stored: n(0), updated: n(1), duplicates: n(2) + (total?.n ?? 0) - (distinct?.n ?? 0) };
}

/**
 * Large inserts: secondary indexes of the table (not its primary key) are dropped and re-created
 * around the insert, inside the same transaction — building an index once is several times faster
 * than maintaining it row by row. A failure rolls the drop back with everything else.
 */
async function withIndexesDeferred(
  tx: Store,
  table: string,
  rows: number,
  insert: () => Promise<void>,
): Promise<void> {
  const indexes =
    rows >= 50_000
      ? await tx.all<{ name: string; sql: string }>(
          sql`SELECT index_name AS name, sql FROM duckdb_indexes() WHERE table_name = ${table} AND sql IS NOT NULL`,
        )
      : [];
  for (const i of indexes) await tx.exec(sql`DROP INDEX ${ident(i.name)}`);
  await insert();
  // the statement text comes from the engine's own catalog (an index defined by a migration), not from input
  for (const i of indexes) await tx.exec(raw(i.sql));
}

const dataColumns = (spec: KindSpec): { name: string; type: ColumnType }[] =>
  spec.fields.map((f) => ({ name: f.name, type: COLUMN_TYPE[f.type] }));

/**
 * Merges alias pairs into `identity_links`, keyed on the pair; `source` selects alias_type, alias,
 * linked_type, linked_alias, source and _line. An existing pair keeps its first source.
 */
export function mergeIdentityLinks(tx: Store, source: SqlFragment, importId: string): Promise<MergeCounts> {
  return mergeInto(
    tx,
    'identity_links',
    ['alias_type', 'alias', 'linked_type', 'linked_alias'],
    [
      { name: 'alias_type', type: 'varchar' },
      { name: 'alias', type: 'varchar' },
      { name: 'linked_type', type: 'varchar' },
      { name: 'linked_alias', type: 'varchar' },
      { name: 'source', type: 'varchar' },
    ],
    source,
    importId,
    'coalesce',
  );
}

export interface StoreResult extends MergeCounts {
  /** Aliases now resolved to a customer, and alias groups that link more than one customer. */
  identities?: IdentityResult;
}

/** Counts of a store, and the identity stitching it calls for (run by the caller, before the stage goes). */
export interface StagedResult extends MergeCounts {
  stitch?: StitchChange;
}

/**
 * Stores the converted rows of STAGE (already validated) into the kind's table(s), inside the
 * caller's transaction.
 */
export async function storeStaged(
  tx: Store,
  kind: Kind,
  importId: string,
  source: string,
  idsDerived = false,
): Promise<StagedResult> {
  const spec = KIND_SPECS[kind];
  if (!idsDerived) await deriveIds(tx, spec);
  const stage = ident(STAGE);
  if (kind === 'journeys') {
    const j = await mergeInto(
      tx,
      'journeys',
      ['id'],
      [
        { name: 'id', type: 'varchar' },
        { name: 'name', type: 'varchar' },
        { name: 'is_default', type: 'boolean' },
      ],
      sql`SELECT journey_id AS id, coalesce(max(journey_name), journey_id) AS name,
        coalesce(bool_or(is_default), false) AS is_default, max(_line) AS _line FROM ${stage} GROUP BY journey_id`,
      importId,
      'coalesce',
    );
    const st = await mergeInto(
      tx,
      'journey_stages',
      ['journey_id', 'stage'],
      [
        { name: 'journey_id', type: 'varchar' },
        { name: 'stage', type: 'varchar' },
        { name: 'position', type: 'integer' },
      ],
      sql`SELECT journey_id, stage, CAST(min(position) AS INTEGER) AS position, max(_line) AS _line
        FROM ${stage} GROUP BY journey_id, stage`,
      importId,
      'replace',
    );
    const tp = await mergeInto(
      tx,
      'journey_touchpoints',
      ['journey_id', 'touchpoint'],
      [
        { name: 'journey_id', type: 'varchar' },
        { name: 'touchpoint', type: 'varchar' },
        { name: 'stage', type: 'varchar' },
      ],
      sql`SELECT journey_id, touchpoint, stage, _line FROM ${stage} WHERE touchpoint IS NOT NULL`,
      importId,
      'replace',
    );
    return {
      stored: j.stored + st.stored + tp.stored,
      updated: j.updated + st.updated + tp.updated,
      duplicates: tp.duplicates,
    };
  }
  if (kind === 'identities') {
    const counts = await mergeIdentityLinks(
      tx,
      sql`SELECT alias_type, alias, 'customer_id' AS linked_type, customer_id AS linked_alias, ${source} AS source, _line
          FROM ${stage} WHERE customer_id IS NOT NULL
        UNION ALL
        SELECT alias_type, alias, linked_type, linked_alias, ${source} AS source, _line
          FROM ${stage} WHERE linked_type IS NOT NULL AND linked_alias IS NOT NULL`,
      importId,
    );
    return { ...counts, stitch: { seeds: linksOfImport(importId) } };
  }
  const counts = await mergeInto(
    tx,
    spec.table,
    spec.key,
    dataColumns(spec),
    sql`SELECT * FROM ${stage}`,
    importId,
    kind === 'customers' ? 'coalesce' : 'replace',
    // a customer id that stitching filled in is not the source's: re-importing the same anonymous
    // event is a duplicate, not an update (which would also block undoing the first import)
    kind === 'events'
      ? { customer_id: raw('CASE WHEN t.customer_stitched THEN NULL ELSE t.customer_id END') }
      : {},
  );
  if (kind === 'events') {
    // an updated event takes its customer id from the source again (stitching re-attributes it below
    // when it has none): a customer id the source carries is never overwritten by stitching
    if (counts.updated > 0) {
      await tx.exec(sql`UPDATE events SET customer_stitched = false
        WHERE updated_import_id = ${importId} AND customer_stitched`);
    }
    // an event carrying both ids links its anonymous id to the customer (identity stitching)
    const anon = await tx.one<{ pairs: number; anon: number }>(
      sql`SELECT count(*) FILTER (WHERE customer_id IS NOT NULL) AS pairs, count(*) AS anon
        FROM ${stage} WHERE anonymous_id IS NOT NULL`,
    );
    if ((anon?.pairs ?? 0) > 0) {
      await mergeIdentityLinks(
        tx,
        sql`SELECT 'anonymous_id' AS alias_type, anonymous_id AS alias, 'customer_id' AS linked_type,
            customer_id AS linked_alias, ${source} AS source, max(_line) AS _line
          FROM ${stage} WHERE customer_id IS NOT NULL AND anonymous_id IS NOT NULL GROUP BY ALL`,
        importId,
      );
    }
    if ((anon?.anon ?? 0) > 0) {
      return {
        ...counts,
        stitch: {
          seeds: linksOfImport(importId),
          anonymousIds: sql`SELECT anonymous_id FROM ${stage} WHERE anonymous_id IS NOT NULL`,
        },
      };
    }
  }
  return counts;
}

/** Tables that carry import_id / updated_import_id, in the order undo deletes from them. */
export const IMPORTED_TABLES = [
  'case_events',
  'cases',
  'feedback',
  'events',
  'pulse',
  'employees',
  'teams',
  'customers',
  'touchpoint_owners',
  'journey_touchpoints',
  'journey_stages',
  'journeys',
  'identity_links',
] as const;
