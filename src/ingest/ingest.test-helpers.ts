import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTouchpointError, type TouchpointError } from '../core/errors.js';
import { ident, type Store, sql } from '../store/index.js';

/** The TouchpointError `p` is refused with; fails the test when it resolves or throws anything else. */
export async function refused(p: Promise<unknown>): Promise<TouchpointError> {
  try {
    await p;
  } catch (e) {
    if (isTouchpointError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** How many rows `table` holds. */
export const rowCount = async (db: Store, table: string): Promise<number> =>
  (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(table)}`))!.n;

/**
 * A writer of input files in a new temporary directory (under the run's TMPDIR, removed when the
 * run ends): `file(name, content)` writes a file of that name and returns its path; a counter keeps
 * two files of the same name apart.
 */
export function fileWriter(prefix: string): (name: string, content: string | Buffer) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return (name, content) => {
    const p = join(dir, `${++n}-${name}`);
    writeFileSync(p, content);
    return p;
  };
}
