export type { OpenOptions } from './duckdb.js';
export { normalize, openStore } from './duckdb.js';
export { migrate, migrations } from './migrations/index.js';
export type { Migration } from './migrations/types.js';
export type { CompiledSql, SqlFragment, SqlValue } from './sql.js';
export { compile, empty, ident, isFragment, join, raw, sql } from './sql.js';
export type { BulkRow, ColumnSpec, ColumnType, Store } from './store.js';
export { withTestDb } from './test-db.js';
