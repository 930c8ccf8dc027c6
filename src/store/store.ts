import type { SqlFragment, SqlValue } from './sql.js';

/** Column types the bulk loader understands; each maps to one engine type. */
export type ColumnType = 'varchar' | 'double' | 'integer' | 'bigint' | 'boolean' | 'timestamp' | 'json';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * A row for the bulk loader, in the column order given. Timestamps are epoch milliseconds (number) or
 * Date; json columns take a string of JSON text.
 */
export type BulkRow = readonly (string | number | boolean | Date | null)[];

/** What a domain sees of the database. DuckDB implements it today; PostgreSQL or ClickHouse can later. */
export interface Store {
  /** The file behind this store, or ':memory:'. */
  readonly path: string;
  /**
   * The database this store is a view of: the same object for the root store and every session and
   * transaction on it (so work on one database can be shared or told apart across connections).
   */
  readonly database: object;
  all<Row = Record<string, unknown>>(query: SqlFragment): Promise<Row[]>;
  one<Row = Record<string, unknown>>(query: SqlFragment): Promise<Row | undefined>;
  exec(query: SqlFragment): Promise<void>;
  /**
   * Runs `fn` in one transaction on its own connection (in a session: on the session's connection):
   * all of it is committed or none of it. Queries outside keep seeing the last committed state until
   * it commits.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on a connection of its own where each statement commits by itself, and where
   * `transaction` runs on that same connection: scratch work in temp tables (which belong to the
   * connection) is done before the transaction that writes what must be all-or-nothing. Inside a
   * transaction or session, runs `fn` on the caller's connection.
   */
  session<T>(fn: (s: Store) => Promise<T>): Promise<T>;
  /** Creates a connection-local temporary table with these columns (replacing one of that name). */
  createTemp(name: string, columns: readonly ColumnSpec[]): Promise<void>;
  /** Bulk-appends rows to a table whose columns are exactly `columns`, in order. Returns rows appended. */
  append(table: string, columns: readonly ColumnSpec[], rows: Iterable<BulkRow>): Promise<number>;
  close(): Promise<void>;
}

export type { SqlFragment, SqlValue };
