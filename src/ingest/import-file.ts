import { resolve } from 'node:path';
import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { ident, join, raw, type Store, sql } from '../store/index.js';
import { CONV, convErrors, convert, type InferredType, inferTypes } from './convert.js';
import {
  finishImport,
  type ImportReport,
  MAX_ERRORS,
  newImportId,
  type RowError,
  rejectRows,
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
  type RawTable,
  type ReadOptions,
  readRawExact,
  readRawFast,
  sniffDelimiter,
} from './read.js';
import { KIND_SPECS, type Kind } from './schemas.js';

export interface FileImportOptions extends MappingSpec {
  readonly file: string;
  readonly format?: Format;
  readonly skipInvalid?: boolean;
  readonly dryRun?: boolean;
  /** Rows shown by a dry run. */
  readonly preview?: number;
  readonly onProgress?: (p: Progress) => void;
  readonly now?: () => Date;
}

export interface DryRunReport {
  readonly dryRun: true;
  readonly kind: Kind;
  readonly file: string;
  readonly format: Format;
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
  const rawTable = (exact ? undefined : await readRawFast(tx, ro)) ?? (await readRawExact(tx, ro));
  o.onProgress?.({ phase: 'validating', done: 0, total: rawTable.rows, unit: 'rows' });
  const mapping = resolveMapping(kind, rawTable.headers, o);
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
      timezone: o.timezone,
    },
    rawTable.lineBase,
  );
  const { count, errors } = await convErrors(tx, MAX_ERRORS);
  o.onProgress?.({ phase: 'validating', done: rawTable.rows, total: rawTable.rows, unit: 'rows' });
  if (count > 0 && !rawTable.exact) return load(tx, kind, o, ro, true); // name the physical lines
  return { rawTable, mapping, types, badRows: count, errors };
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
  const ro = readOptions(o);
  const source = o.file;
  const options = {
    format: ro.format,
    ...(o.map ? { map: o.map } : {}),
    ...(o.questions ? { questions: o.questions } : {}),
    ...(o.dateFormat ? { dateFormat: o.dateFormat } : {}),
    ...(o.timezone ? { timezone: o.timezone } : {}),
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
      return s.transaction((tx) => write(tx, c));
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
