import { resolve } from 'node:path';
import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { DEFAULT_ZONE, workspaceZone } from '../core/time.js';
import { ident, join, raw, type Store, sql } from '../store/index.js';
import { CONV, convErrors, convert, type InferredType, inferTypes } from './convert.js';
import { checkUtf8, toUtf8File } from './encoding.js';
import {
  finishImport,
  type ImportReport,
  MAX_ERRORS,
  newImportId,
  type RowError,
  rejectRows,
  withCommitTime,
} from './import-records.js';
import {
  type MappingSpec,
  proposeMapping,
  type ResolvedMapping,
  resolveMapping,
  toStrptime,
} from './mapping.js';
import { mergeIdentityLinks, STAGE } from './merge.js';
import {
  checkFile,
  detectFormat,
  FAST_PATH_FAILED,
  type Format,
  RAW,
  type RawTable,
  type ReadOptions,
  readRawExact,
  readRawFast,
  sniffDelimiter,
} from './read.js';
import { KIND_SPECS, type Kind, type UnknownFields } from './schemas.js';

export interface FileImportOptions extends MappingSpec {
  readonly file: string;
  readonly format?: Format;
  readonly skipInvalid?: boolean;
  readonly dryRun?: boolean;
  /** Rows shown by a dry run. */
  readonly preview?: number;
  readonly onProgress?: (p: Progress) => void;
  readonly now?: () => Date;
  /**
   * Columns that are no field of a kind without a JSON column (teams, pulse, touchpoint-owners,
   * journeys, identities): refused (`strict`, the default) or left out (`lenient`). Kinds with a
   * JSON column keep such columns there, typed (docs/import.md).
   */
  readonly unknownFields?: UnknownFields;
}

export interface DryRunReport {
  readonly dryRun: true;
  readonly kind: Kind;
  readonly file: string;
  /** A built-in format, or one another capability registers (xes, ticket-audit). */
  readonly format: Format | (string & {});
  readonly rowsRead: number;
  readonly rowsValid: number;
  readonly rowsInvalid: number;
  /** Each column of the file, its inferred type and the field it goes to (or attributes/properties). */
  readonly columns: readonly { column: string; type: InferredType; field: string }[];
  /** A mapping proposed from the header names: paste it as --map. */
  readonly proposedMap: string;
  /** Required fields nothing maps to. */
  readonly unmapped: readonly string[];
  readonly preview: readonly Record<string, unknown>[];
  readonly errors: readonly RowError[];
  /** When the store was asked (case logs: stored in a transaction rolled back): new, changed and unchanged rows. */
  readonly wouldStore?: { readonly stored: number; readonly updated: number; readonly duplicates: number };
}

function readOptions(o: FileImportOptions): ReadOptions {
  checkFile(o.file);
  const detected = o.format
    ? { format: o.format, gzip: o.file.toLowerCase().endsWith('.gz') }
    : detectFormat(o.file);
  const encoding = o.encoding ?? 'utf8';
  const delimiter =
    o.delimiter === undefined
      ? detected.format === 'csv'
        ? sniffDelimiter({ file: o.file, gzip: detected.gzip, encoding })
        : ','
      : o.delimiter === '\\t' || o.delimiter.toLowerCase() === 'tab'
        ? '\t'
        : o.delimiter;
  if (delimiter.length !== 1)
    throw new TouchpointError(
      'invalid_input',
      `--delimiter: one character, got ${JSON.stringify(delimiter)}`,
    );
  return {
    file: o.file,
    format: detected.format,
    gzip: detected.gzip,
    delimiter,
    encoding,
    na: o.na ?? [],
    sheet: o.sheet,
  };
}

interface Converted {
  readonly rawTable: RawTable;
  readonly mapping: ResolvedMapping;
  readonly types: readonly InferredType[];
  readonly badRows: number;
  readonly errors: RowError[];
}

async function load(
  tx: Store,
  kind: Kind,
  o: FileImportOptions,
  ro: ReadOptions,
  exact: boolean,
): Promise<Converted> {
  o.onProgress?.({ phase: exact ? 'reading (exact lines)' : 'reading', done: 0, unit: 'rows' });
  // times without an offset: --timezone, else the workspace's zone (src/core/time.ts); UTC needs no pass
  const zone0 = o.timezone ?? (await workspaceZone(tx));
  const zone = zone0 === DEFAULT_ZONE ? undefined : zone0;
  const rawTable = (exact ? undefined : await readRawFast(tx, ro)) ?? (await readRawExact(tx, ro));
  o.onProgress?.({ phase: 'validating', done: 0, total: rawTable.rows, unit: 'rows' });
  const mapping = resolveMapping(kind, rawTable.headers, o);
  if (o.unknownFields !== 'lenient') refuseUnknownColumns(kind, o.file, rawTable.headers, mapping);
  // types of the columns that go to attributes / properties (and of every column for a dry run)
  const types = mapping.extras.length > 0 || o.dryRun ? await inferTypes(tx, rawTable.headers.length) : [];
  await convert(
    tx,
    kind,
    rawTable.headers,
    mapping,
    types,
    {
      strptime: o.dateFormat ? toStrptime(o.dateFormat) : undefined,
      dateFormat: o.dateFormat,
      timezone: zone,
    },
    rawTable.lineBase,
  );
  // the all-text copy is not read again unless aliases link from it or a dry run shows it: dropped now,
  // so the text and the typed copy of a large file are not both held while the rows are stored
  if (!o.dryRun && mapping.aliases.length === 0) await tx.exec(sql`DROP TABLE IF EXISTS ${ident(RAW)}`);
  await markRepeatedKeys(tx, kind);
  const { count, errors } = await convErrors(tx, MAX_ERRORS);
  o.onProgress?.({ phase: 'validating', done: rawTable.rows, total: rawTable.rows, unit: 'rows' });
  if (count > 0 && !rawTable.exact) return load(tx, kind, o, ro, true); // name the physical lines
  return { rawTable, mapping, types, badRows: count, errors };
}

/**
 * A column no field takes and no JSON column keeps would be dropped without a word: refused, with
 * what to do about it (strict mode, the default).
 */
function refuseUnknownColumns(
  kind: Kind,
  file: string,
  headers: readonly string[],
  m: ResolvedMapping,
): void {
  if (m.extras.length > 0) return; // kept in attributes / properties
  const used = new Set<number>([...m.questions.map((q) => q.header), ...m.aliases.map((a) => a.header)]);
  for (const s of Object.values(m.sources)) {
    if (s && 'header' in s) used.add(s.header);
    if (s && 'coalesce' in s) for (const h of s.coalesce) used.add(h);
  }
  const spec = KIND_SPECS[kind];
  const unknown = headers.filter((_, i) => !used.has(i));
  if (unknown.length === 0) return;
  const where = spec.extras
    ? `${spec.extras} is mapped to a column, so nothing keeps the others`
    : `${kind} has no JSON column to keep them`;
  throw new TouchpointError(
    'invalid_input',
    `${file}: column${unknown.length > 1 ? 's' : ''} ${unknown.map((h) => JSON.stringify(h)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a field of ${kind} and ${where}; map ${unknown.length > 1 ? 'them' : 'it'} with --map field=column (fields: ${spec.fields.map((f) => f.name).join(', ')}), or pass --unknown-fields lenient to leave ${unknown.length > 1 ? 'them' : 'it'} out`,
    { details: unknown.map((h) => ({ file, field: h, message: `not a field of ${kind}` })) },
  );
}

/**
 * A key given twice in one file with different values is refused on its later rows (which one should
 * win?); the same row twice stays a duplicate. Derived ids are content hashes, so they never differ.
 */
async function markRepeatedKeys(tx: Store, kind: Kind): Promise<void> {
  const spec = KIND_SPECS[kind];
  const key = join(spec.key.map((k) => ident(k)));
  const shown =
    spec.key.length === 1 ? sql`CAST(${ident(spec.key[0]!)} AS VARCHAR)` : sql`CAST(row(${key}) AS VARCHAR)`;
  const content = sql`md5(CAST(row(${join(spec.fields.map((f) => ident(f.name)))}) AS VARCHAR))`;
  const keyed = join(
    spec.key.map((k) => sql`${ident(k)} IS NOT NULL`),
    raw(' AND '),
  );
  const counts = await tx.one<{ n: number; d: number }>(
    sql`SELECT count(*) AS n, count(DISTINCT ${spec.key.length === 1 ? key : sql`row(${key})`}) AS d
      FROM ${ident(CONV)} WHERE _err_field IS NULL AND ${keyed}`,
  );
  if (!counts || counts.n === counts.d) return; // the common case: no key repeats
  await tx.exec(sql`UPDATE ${ident(CONV)} SET _err_field = ${spec.key.join('+')},
      _err_msg = '"' || d.shown || '" repeats line ' || d.first_line ||  ${` with other values (one row per ${spec.key.join(' + ')} in a file)`}
    FROM (
      SELECT _line, ${shown} AS shown,
        first_value(_line) OVER (PARTITION BY ${key} ORDER BY _line) AS first_line,
        first_value(${content}) OVER (PARTITION BY ${key} ORDER BY _line) AS first_content,
        ${content} AS c
      FROM ${ident(CONV)} WHERE _err_field IS NULL AND ${keyed}
      QUALIFY count(*) OVER (PARTITION BY ${key}) > 1
    ) d
    WHERE ${ident(CONV)}._line = d._line AND d.c <> d.first_content AND ${ident(CONV)}._err_field IS NULL`);
}

/**
 * Imports a file (CSV, JSON Lines, JSON array, Parquet, .xlsx; gzipped too) as records of `kind`.
 * Fast path: the engine reads the file into a raw table, the mapping and every rule of the kind run
 * as SQL, and good files are stored in one transaction. When a row fails, the file is read again in
 * Node to name each bad row's physical line. With `dryRun` nothing is written: the report shows the
 * inferred types, a proposed mapping, the first rows as stored and every row that would fail.
 */
export async function importFile(
  db: Store,
  kind: Kind,
  o: FileImportOptions,
): Promise<ImportReport | DryRunReport> {
  const t0 = performance.now();
  const startedAt = (o.now ?? (() => new Date()))();
  const given = readOptions(o);
  const source = o.file;
  // text files reach the engine as valid UTF-8: checked as they stream, or converted from --encoding
  let ro = given;
  let converted: { path: string; remove: () => void } | undefined;
  if (given.format === 'csv' || given.format === 'jsonl' || given.format === 'json') {
    if (given.encoding === 'utf8') await checkUtf8(given.file, given.gzip);
    else {
      converted = await toUtf8File(given.file, given.gzip, given.encoding, `.${given.format}`);
      ro = { ...given, file: converted.path, gzip: false, encoding: 'utf8', label: given.file };
    }
  }
  try {
    return await importConverted(db, kind, o, ro, { t0, startedAt, source });
  } finally {
    converted?.remove();
  }
}

async function importConverted(
  db: Store,
  kind: Kind,
  o: FileImportOptions,
  ro: ReadOptions,
  { t0, startedAt, source }: { t0: number; startedAt: Date; source: string },
): Promise<ImportReport | DryRunReport> {
  const options = {
    format: ro.format,
    ...(o.map ? { map: o.map } : {}),
    ...(o.questions ? { questions: o.questions } : {}),
    ...(o.dateFormat ? { dateFormat: o.dateFormat } : {}),
    ...(o.timezone ? { timezone: o.timezone } : {}),
    ...(ro.encoding !== 'utf8' || ro.label ? { encoding: o.encoding } : {}),
    ...(o.na?.length ? { na: o.na } : {}),
    ...(o.skipInvalid ? { skipInvalid: true } : {}),
    file: resolve(o.file),
  };
  // Reading and converting fill temporary tables only, so they run before the transaction (each
  // statement on its own, on the session's connection, which the temporary tables belong to): the
  // engine inserts from committed rows about twice as fast as from rows made in the same transaction
  // (docs/import.md). The transaction holds every write to the workspace: all of it lands or none.
  const write = async (tx: Store, c: Converted): Promise<ImportReport> => {
    const spec = KIND_SPECS[kind];
    const importId = newImportId(startedAt);
    const linked = c.mapping.aliases.length > 0 ? await linkAliases(tx, kind, c, importId, source) : 0;
    // the staged rows are a view over the converted table (ids already derived there): no copy
    await tx.exec(sql`DROP TABLE IF EXISTS _tp_raw`);
    await tx.exec(sql`CREATE OR REPLACE TEMP VIEW ${ident(STAGE)} AS
      SELECT _line, ${join(spec.fields.map((f) => ident(f.name)))} FROM ${ident(CONV)} WHERE _err_field IS NULL`);
    const report = await finishImport(
      tx,
      kind,
      importId,
      { source, onProgress: o.onProgress, options, now: o.now },
      { startedAt, t0, rowsRead: c.rawTable.rows, skipped: c.badRows, errors: c.errors },
      true,
      linked > 0,
    );
    await tx.exec(sql`DROP TABLE IF EXISTS ${ident(CONV)}`);
    return report;
  };
  const attempt = (exact: boolean): Promise<ImportReport | DryRunReport> =>
    db.session(async (s) => {
      const c = await load(s, kind, o, ro, exact);
      // a dry run reads its report from the temporary tables: nothing is written
      if (o.dryRun) return dryRunReport(s, kind, o, ro.format, c);
      if (c.badRows > 0 && !o.skipInvalid) rejectRows(source, c.errors, c.badRows);
      return withCommitTime(await s.transaction((tx) => write(tx, c)), t0);
    });
  try {
    return await attempt(false);
  } catch (e) {
    if (e === FAST_PATH_FAILED) return attempt(true);
    throw e;
  }
}

/**
 * `--aliases email=Email,phone=Phone`: each good row links its alias values to its customer
 * (`id` for customers, `customer_id` otherwise) in identity_links, recorded under this import.
 */
async function linkAliases(
  tx: Store,
  kind: Kind,
  c: Converted,
  importId: string,
  source: string,
): Promise<number> {
  const cust = c.mapping.sources[kind === 'customers' ? 'id' : 'customer_id'];
  if (!cust || !('header' in cust)) {
    throw new TouchpointError(
      'invalid_input',
      `--aliases: the file needs a ${kind === 'customers' ? 'id' : 'customer_id'} column to link aliases to`,
    );
  }
  const v = (i: number) => sql`CASE WHEN trim(${ident(`c${i}`)}) = '' THEN NULL ELSE ${ident(`c${i}`)} END`;
  const line = c.rawTable.lineBase === undefined ? sql`_line` : sql`rowid + ${c.rawTable.lineBase}`;
  const parts = c.mapping.aliases.map(
    (a) => sql`SELECT ${a.type} AS alias_type, ${v(a.header)} AS alias, 'customer_id' AS linked_type,
      ${v(cust.header)} AS linked_alias, ${source} AS source, ${line} AS _line FROM _tp_raw`,
  );
  const r = await mergeIdentityLinks(
    tx,
    sql`SELECT * FROM (${join(parts, raw(' UNION ALL '))}) WHERE alias IS NOT NULL AND linked_alias IS NOT NULL
      AND _line NOT IN (SELECT _line FROM ${ident(CONV)} WHERE _err_field IS NOT NULL)`,
    importId,
  );
  return r.stored + r.updated;
}

async function dryRunReport(
  tx: Store,
  kind: Kind,
  o: FileImportOptions,
  format: Format,
  c: Converted,
): Promise<DryRunReport> {
  const spec = KIND_SPECS[kind];
  const headers = c.rawTable.headers;
  const fieldOfHeader = (i: number): string => {
    for (const [f, s] of Object.entries(c.mapping.sources))
      if (s && 'header' in s && s.header === i) return f;
    const q = c.mapping.questions.find((x) => x.header === i);
    if (q) return `question (${q.kind})`;
    if (c.mapping.extras.includes(i)) return spec.extras ?? '(ignored)';
    return '(ignored)';
  };
  const proposal = { ...proposeMapping(kind, headers), ...(o.map ?? {}) };
  const mapped = new Set(Object.keys(c.mapping.sources));
  const unmapped = spec.fields
    .filter((f) => f.required && f.default === undefined && !mapped.has(f.name))
    .filter((f) => !(c.mapping.questions.length > 0 && ['kind', 'score'].includes(f.name)))
    .map((f) => f.name)
    .filter((f) => !(spec.deriveId && f === 'id'));
  const preview = await tx.all<Record<string, unknown>>(
    sql`SELECT _line AS line, ${join(
      spec.fields.map((f) => ident(f.name)),
    )} FROM ${ident(CONV)} WHERE _err_field IS NULL ORDER BY _line LIMIT ${o.preview ?? 5}`,
  );
  const valid = await tx.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM ${ident(CONV)} WHERE _err_field IS NULL`,
  );
  return {
    dryRun: true,
    kind,
    file: o.file,
    format,
    rowsRead: c.rawTable.rows,
    rowsValid: valid?.n ?? 0,
    rowsInvalid: c.badRows,
    columns: headers.map((h, i) => ({ column: h, type: c.types[i] ?? 'string', field: fieldOfHeader(i) })),
    proposedMap: Object.entries(proposal)
      .map(([f, h]) => `${f}=${h}`)
      .join(','),
    unmapped,
    preview,
    errors: c.errors,
  };
}
