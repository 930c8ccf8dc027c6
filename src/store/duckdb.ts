import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  listValue,
  timestampValue,
} from '@duckdb/node-api';
import { TouchpointError } from '../core/errors.js';
import { migrate } from './migrations/index.js';
import { compile, ident, raw, type SqlFragment, type SqlValue, sql } from './sql.js';
import type { BulkRow, ColumnSpec, ColumnType, Store } from './store.js';
import { bumpVersion, VERSIONED_TABLES, type VersionedData, writtenVersions } from './versions.js';

const ENGINE_TYPE: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  double: 'DOUBLE',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

function toEngineValue(v: SqlValue): DuckDBValue {
  if (v instanceof Date) return timestampValue(BigInt(v.getTime()) * 1000n);
  if (Array.isArray(v)) return listValue(v.map(toEngineValue));
  return v as DuckDBValue;
}

/**
 * Engine values → plain JSON-friendly values, in one place: BIGINT/HUGEINT become numbers (strings
 * beyond 2^53), timestamps become ISO-8601 UTC strings, lists and structs are walked.
 */
export function normalize(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = normalize(val);
    return out;
  }
  return v;
}

function toMicros(v: number | Date): bigint {
  const ms = v instanceof Date ? v.getTime() : v;
  return BigInt(Math.round(ms * 1000));
}

function appendValue(app: DuckDBAppender, type: ColumnType, v: BulkRow[number]): void {
  if (v === null || v === undefined) {
    app.appendNull();
    return;
  }
  switch (type) {
    case 'varchar':
    case 'json':
      app.appendVarchar(String(v));
      break;
    case 'double':
      app.appendDouble(Number(v));
      break;
    case 'integer':
      app.appendInteger(Number(v));
      break;
    case 'bigint':
      app.appendBigInt(BigInt(Math.trunc(Number(v))));
      break;
    case 'boolean':
      app.appendBoolean(Boolean(v));
      break;
    case 'timestamp':
      app.appendTimestamp(timestampValue(toMicros(v as number | Date)));
      break;
  }
}

function wrapEngineError(e: unknown, path: string): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Could not set lock on file|Conflicting lock is held/i.test(msg)) {
    const pid = /PID (\d+)/.exec(msg)?.[1];
    return new TouchpointError(
      'locked',
      `${path} is in use by another Touchpoint process${pid ? ` (pid ${pid})` : ''}; stop it, or send the command to the server that holds it with --server URL`,
      { cause: e },
    );
  }
  return e;
}

/**
 * `root`: the store a caller opened (its transactions and sessions get connections of their own);
 * `session`: a connection of its own, autocommit, its transactions on that connection; `tx`: inside a
 * transaction (nested transactions and sessions join it).
 */
type Mode = 'root' | 'session' | 'tx';

class DuckStore implements Store {
  /** Inside a transaction: the data versions its writes moved, bumped once just before COMMIT. */
  private readonly written = new Set<VersionedData>();

  constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly mode: Mode,
  ) {}

  get database(): object {
    return this.instance;
  }

  /** Records what a write touched: bumped at COMMIT in a transaction, at once outside one. */
  private async wrote(versions: readonly VersionedData[]): Promise<void> {
    if (versions.length === 0) return;
    if (this.mode === 'tx') for (const v of versions) this.written.add(v);
    else for (const v of versions) await bumpVersion(this, v);
  }

  async all<Row = Record<string, unknown>>(query: SqlFragment): Promise<Row[]> {
    const { text, values } = compile(query);
    const reader = await this.conn.runAndReadAll(text, values.map(toEngineValue));
    await this.wrote(writtenVersions(text));
    return reader.getRowObjectsJS().map((r) => normalize(r) as Row);
  }

  async one<Row = Record<string, unknown>>(query: SqlFragment): Promise<Row | undefined> {
    return (await this.all<Row>(query))[0];
  }

  async exec(query: SqlFragment): Promise<void> {
    const { text, values } = compile(query);
    if (values.length === 0) await this.conn.run(text);
    else await this.conn.run(text, values.map(toEngineValue));
    await this.wrote(writtenVersions(text));
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.mode === 'tx') return fn(this); // already inside a transaction: join it
    if (this.mode === 'root') return this.session((s) => s.transaction(fn));
    const tx = new DuckStore(this.path, this.instance, this.conn, 'tx');
    try {
      await this.conn.run('BEGIN TRANSACTION');
      const result = await fn(tx);
      for (const v of tx.written) await bumpVersion(tx, v);
      await this.conn.run('COMMIT');
      return result;
    } catch (e) {
      try {
        await this.conn.run('ROLLBACK');
      } catch {
        // the engine may already have aborted the transaction
      }
      throw e;
    }
  }

  async session<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    if (this.mode !== 'root') return fn(this);
    const conn = await this.instance.connect();
    try {
      return await fn(new DuckStore(this.path, this.instance, conn, 'session'));
    } finally {
      conn.closeSync();
    }
  }

  async createTemp(name: string, columns: readonly ColumnSpec[]): Promise<void> {
    const cols = columns.map((c) => `${compile(ident(c.name)).text} ${ENGINE_TYPE[c.type]}`).join(', ');
    // column names went through ident() and types come from a fixed map: safe to inline
    await this.exec(sql`CREATE OR REPLACE TEMP TABLE ${ident(name)} (${raw(cols)})`);
  }

  async append(table: string, columns: readonly ColumnSpec[], rows: Iterable<BulkRow>): Promise<number> {
    const app = await this.conn.createAppender(table);
    let n = 0;
    try {
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) appendValue(app, columns[i]!.type, row[i] ?? null);
        app.endRow();
        n++;
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
    const versioned = VERSIONED_TABLES[table.toLowerCase()];
    if (n > 0 && versioned) await this.wrote([versioned]);
    return n;
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    if (this.mode === 'root') this.instance.closeSync();
  }
}

export interface OpenOptions {
  /** Run pending migrations (default true). */
  readonly migrate?: boolean;
  readonly readOnly?: boolean;
  /**
   * DuckDB's `memory_limit` for this database (e.g. `'2GB'`): beyond it the engine spills to
   * `tempDirectory`. Default `TOUCHPOINT_MEMORY_LIMIT`, else the engine's (80% of RAM).
   */
  readonly memoryLimit?: string;
  /**
   * Where the engine spills what does not fit (large imports, sorts, joins). Default
   * `TOUCHPOINT_TEMP_DIR`, else `<workspace file>.tmp` beside the workspace (the engine's own
   * default for a file; an in-memory store keeps the engine's default).
   */
  readonly tempDirectory?: string;
}

/** The engine settings of a workspace: its memory limit and spill directory (docs/architecture.md). */
export function engineSettings(file: string, options: OpenOptions): Record<string, string> {
  const memoryLimit = options.memoryLimit ?? (process.env.TOUCHPOINT_MEMORY_LIMIT || undefined);
  const tempDirectory =
    options.tempDirectory ??
    (process.env.TOUCHPOINT_TEMP_DIR || undefined) ??
    (file === ':memory:' ? undefined : `${file}.tmp`);
  return {
    ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
    ...(tempDirectory && !options.readOnly ? { temp_directory: tempDirectory } : {}),
  };
}

/**
 * Opens (creating if needed) a workspace database file, or ':memory:', and brings its schema up to
 * date. Every timestamp in Touchpoint is stored as TIMESTAMP holding UTC.
 */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:' && !existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  let instance: DuckDBInstance;
  try {
    // No ICU in the embedded engine: TIMESTAMP columns hold UTC wall-clock time, always.
    instance = await DuckDBInstance.create(file, {
      ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      ...engineSettings(file, options),
    });
  } catch (e) {
    throw wrapEngineError(e, file);
  }
  const conn = await instance.connect();
  const store = new DuckStore(file, instance, conn, 'root');
  if (options.migrate !== false && !options.readOnly) await migrate(store);
  return store;
}
