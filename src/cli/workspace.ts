import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TouchpointError } from '../core/errors.js';

/** DuckDB's file magic: the bytes "DUCK" at offset 8 of every database file. */
const DUCKDB_MAGIC = 'DUCK';

/** Whether the file at `path` starts like a DuckDB database (an empty file counts as new). */
export function looksLikeDuckDb(path: string): boolean {
  if (statSync(path).size === 0) return true;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    const n = readSync(fd, head, 0, 12, 0);
    return n === 12 && head.subarray(8, 12).toString('latin1') === DUCKDB_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks the workspace file before anything opens it, so a mistake is one line and nothing is
 * created by accident: a command that reads needs a workspace that exists (opening a missing path
 * would create an empty one, and `start` would later serve it instead of generating the demo); only
 * imports, `demo` and `start` create one, in a folder that exists. A file that is not a DuckDB
 * database (a CSV given to --db) is refused by name.
 */
export function checkWorkspace(db: string, mayCreate: boolean): void {
  if (db === ':memory:') return;
  if (existsSync(db)) {
    if (statSync(db).isDirectory())
      throw new TouchpointError(
        'invalid_input',
        `--db ${db} is a folder; give a workspace file such as ${db}/touchpoint.duckdb`,
      );
    if (!looksLikeDuckDb(db))
      throw new TouchpointError(
        'invalid_input',
        `--db ${db} is not a Touchpoint workspace (not a DuckDB file); to load a file's rows use touchpoint import <kind> ${db}`,
      );
    return;
  }
  if (!mayCreate)
    throw new TouchpointError(
      'not_found',
      `no workspace at ${db}: create one with touchpoint demo (the demo company) or touchpoint import <kind> FILE (your data), or point --db / TOUCHPOINT_DB at an existing one`,
    );
  const folder = dirname(resolve(db));
  if (!existsSync(folder))
    throw new TouchpointError(
      'not_found',
      `--db ${db}: the folder ${folder} does not exist; create it first`,
    );
}
