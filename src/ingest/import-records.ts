import { randomBytes } from 'node:crypto';
import { type ErrorDetail, TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { workspaceZone } from '../core/time.js';
import { type BulkRow, ident, type Store, sql } from '../store/index.js';
import { linksOfImport, stitchIdentities } from './identities.js';
import { STAGE, type StoreResult, stageColumns, storeStaged } from './merge.js';
import { convertRecord, KIND_SPECS, KINDS, type Kind, type UnknownFields } from './schemas.js';

export interface RowError {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface ImportReport {
  readonly importId: string;
  readonly kind: Kind;
  readonly rowsRead: number;
  readonly rowsStored: number;
  readonly rowsUpdated: number;
  readonly rowsSkipped: number;
  readonly duplicates: number;
  readonly errors: readonly RowError[];
  readonly ms: number;
  /** Identity stitching after this import, when it touched aliases or anonymous events. */
  readonly identities?: StoreResult['identities'];
}

export interface ImportOptions {
  /** Where the records came from (a file path, 'api', …), kept in `imports.file`. */
  readonly source: string;
  /** Store the valid records and report the bad ones, instead of storing nothing. */
  readonly skipInvalid?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Line number of the i-th record (0-based) in its file; default i + 1. */
  readonly lineOf?: (i: number) => number;
  /** Kept in `imports.options` (the mapping, format, …) so an import can be understood later. */
  readonly options?: Record<string, unknown>;
  /** Total number of records when known, for the progress bar. */
  readonly total?: number;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /** Fields a record's kind does not have: refused (`strict`, the default) or kept/dropped (`lenient`). */
  readonly unknownFields?: UnknownFields;
  /** IANA zone for timestamps without an offset; default the workspace's (src/core/time.ts). */
  readonly zone?: string;
}

/** A new import id: sortable by time, unique. */
export function newImportId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `imp-${t}-${randomBytes(3).toString('hex')}`;
}

export function isKind(k: string): k is Kind {
  return (KINDS as readonly string[]).includes(k);
}

/** The most errors kept in a report and in `imports.errors`. */
export const MAX_ERRORS = 1000;

/** Throws the one error of a rejected file: the first bad row in the message, every bad row in details. */
export function rejectRows(source: string, errors: readonly RowError[], total: number): never {
  const first = errors[0]!;
  const details: ErrorDetail[] = errors.map((e) => ({
    file: source,
    line: e.line,
    field: e.field,
    message: e.message,
  }));
  throw new TouchpointError(
    'invalid_input',
    `${source}:${first.line}: ${first.field}: ${first.message}` +
      (total > 1
        ? ` (and ${total - 1} more bad row${total > 2 ? 's' : ''}; nothing was imported — fix them or use --skip-invalid)`
        : ' (nothing was imported — fix it or use --skip-invalid)'),
    { details },
  );
}

const toBulk = (type: string, v: unknown): BulkRow[number] => {
  if (v === null || v === undefined) return null;
  if (type === 'timestamp') return new Date(v as string);
  if (type === 'json') return JSON.stringify(v);
  return v as string | number | boolean;
};

/**
 * Imports records of one kind (the API of every import: files, the server's ingest endpoints, the
 * cases helper's log readers). Every record is validated with RECORD_SCHEMAS[kind]; with any bad
 * record nothing is stored and a TouchpointError lists them (file, line, field), unless
 * `skipInvalid`. Valid records go through the bulk appender into a staging table and are moved in
 * ONE transaction: new ids are inserted (import_id = this import), existing ids whose content differs
 * are updated (updated_import_id = this import; customers merge field by field), identical rows count
 * as duplicates. The import is recorded in `imports`.
 */
export async function importRecords(
  db: Store,
  kind: Kind,
  records: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
  options: ImportOptions,
): Promise<ImportReport> {
  if (!isKind(kind))
    throw new TouchpointError(
      'invalid_input',
      `unknown import kind ${JSON.stringify(kind)}; one of ${KINDS.join(', ')}`,
    );
  const t0 = performance.now();
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const columns = stageColumns(kind);
  const fields = KIND_SPECS[kind].fields;
  const types = fields.map((f) => columns.find((c) => c.name === f.name)!.type);
  const rows: BulkRow[] = [];
  const errors: RowError[] = [];
  const convert = { zone: options.zone ?? (await workspaceZone(db)), unknownFields: options.unknownFields };
  const key = KIND_SPECS[kind].key;
  // key → the first record with it: a key repeated with other values is refused (which should win?)
  const seen = new Map<string, { line: number; content: string }>();
  let bad = 0;
  let i = 0;
  for await (const record of records) {
    const line = options.lineOf ? options.lineOf(i) : i + 1;
    const r =
      typeof record === 'object' && record !== null && !Array.isArray(record)
        ? convertRecord(kind, record, convert)
        : { data: {}, issues: [{ field: '(record)', message: 'not an object' }] };
    if (r.issues.length === 0 && key.every((k) => r.data[k] != null)) {
      const k = JSON.stringify(key.map((f) => r.data[f]));
      const content = JSON.stringify(r.data);
      const first = seen.get(k);
      if (!first) seen.set(k, { line, content });
      else if (first.content !== content)
        r.issues.push({
          field: key.join('+'),
          message: `${key.length === 1 ? JSON.stringify(r.data[key[0]!]) : k} repeats record ${first.line} with other values (send one record per ${key.join(' + ')})`,
        });
    }
    if (r.issues.length === 0) {
      const row: BulkRow[number][] = [line];
      for (let j = 0; j < fields.length; j++) row.push(toBulk(types[j]!, r.data[fields[j]!.name]));
      rows.push(row);
    } else {
      bad++;
      for (const issue of r.issues) {
        if (errors.length < MAX_ERRORS) errors.push({ line, field: issue.field, message: issue.message });
      }
    }
    i++;
    if (options.onProgress && i % 10_000 === 0) {
      options.onProgress({ phase: 'validating', done: i, total: options.total, unit: 'rows' });
    }
  }
  if (bad > 0 && !options.skipInvalid) rejectRows(options.source, errors, bad);
  return stageAndStore(
    db,
    kind,
    options,
    { startedAt, t0, rowsRead: i, skipped: bad, errors },
    async (tx) => {
      await tx.createTemp(STAGE, columns);
      await tx.append(STAGE, columns, rows);
    },
  );
}

export interface StageRun {
  readonly startedAt: Date;
  readonly t0: number;
  readonly rowsRead: number;
  readonly skipped: number;
  readonly errors: readonly RowError[];
}

/**
 * The common tail of every import: `fill` leaves the converted rows in the staging table (before the
 * transaction when `db` is not in one already: docs/import.md), then one transaction stores them and
 * records the import.
 */
export async function stageAndStore(
  db: Store,
  kind: Kind,
  options: ImportOptions,
  run: StageRun,
  fill: (tx: Store, importId: string) => Promise<void>,
): Promise<ImportReport> {
  const importId = newImportId(run.startedAt);
  // staging is scratch (a temp table): filled before the transaction, on the session's connection
  return db.session(async (s) => {
    await fill(s, importId);
    const report = await s.transaction((tx) => finishImport(tx, kind, importId, options, run));
    return withCommitTime(report, run.t0);
  });
}

/**
 * The report's time measured after the transaction committed (finishImport runs inside it, so its own
 * figure leaves the COMMIT out; on a large import the COMMIT writes most of the data).
 */
export function withCommitTime(report: ImportReport, t0: number): ImportReport {
  return { ...report, ms: Math.round(performance.now() - t0) };
}

/**
 * Stores STAGE into the kind's tables, stitches the identities the import touched (links it added or
 * changed, anonymous ids of its events; `linked`: the caller added links under this import too) and
 * records the import in `imports`; inside the caller's transaction.
 */
export async function finishImport(
  tx: Store,
  kind: Kind,
  importId: string,
  options: ImportOptions,
  run: StageRun,
  stageIsView = false,
  linked = false,
): Promise<ImportReport> {
  const rows = run.rowsRead - run.skipped;
  options.onProgress?.({ phase: 'storing', done: 0, total: rows, unit: 'rows' });
  const staged = await storeStaged(tx, kind, importId, options.source, stageIsView);
  options.onProgress?.({ phase: 'storing', done: rows, total: rows, unit: 'rows' });
  const change = staged.stitch ?? (linked ? { seeds: linksOfImport(importId) } : undefined);
  const identities = change
    ? await stitchIdentities(tx, { ...change, onProgress: options.onProgress })
    : undefined;
  const stored: StoreResult = { ...staged, ...(identities ? { identities } : {}) };
  await tx.exec(
    stageIsView ? sql`DROP VIEW IF EXISTS ${ident(STAGE)}` : sql`DROP TABLE IF EXISTS ${ident(STAGE)}`,
  );
  const finishedAt = (options.now ?? (() => new Date()))();
  await tx.exec(sql`INSERT INTO imports (id, kind, file, started_at, finished_at, status, rows_read, rows_stored,
      rows_updated, rows_skipped, duplicates, errors, options)
    VALUES (${importId}, ${kind}, ${options.source}, ${run.startedAt}, ${finishedAt}, 'done', ${run.rowsRead},
      ${stored.stored}, ${stored.updated}, ${run.skipped}, ${stored.duplicates}, ${JSON.stringify(run.errors)},
      ${JSON.stringify(options.options ?? {})})`);
  return {
    importId,
    kind,
    rowsRead: run.rowsRead,
    rowsStored: stored.stored,
    rowsUpdated: stored.updated,
    rowsSkipped: run.skipped,
    duplicates: stored.duplicates,
    errors: run.errors,
    ms: Math.round(performance.now() - run.t0),
    ...(stored.identities ? { identities: stored.identities } : {}),
  };
}
