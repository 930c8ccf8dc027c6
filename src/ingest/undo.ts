import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { bumpVersion, ident, type Store, sql, VERSIONED_TABLES } from '../store/index.js';
import { type IdentityResult, stitchIdentities } from './identities.js';
import { IMPORTED_TABLES } from './merge.js';

export interface ImportRow {
  readonly id: string;
  readonly kind: string;
  readonly file: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: string;
  readonly rowsRead: number;
  readonly rowsStored: number;
  readonly rowsUpdated: number;
  readonly rowsSkipped: number;
  readonly duplicates: number;
  readonly ms: number | null;
  readonly errors: readonly { line: number; field: string; message: string }[];
}

interface Raw {
  id: string;
  kind: string;
  file: string | null;
  started_at: string;
  finished_at: string | null;
  status: string;
  rows_read: number;
  rows_stored: number;
  rows_updated: number;
  rows_skipped: number;
  duplicates: number;
  errors: string | null;
}

const toRow = (r: Raw): ImportRow => ({
  id: r.id,
  kind: r.kind,
  file: r.file,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  rowsRead: r.rows_read,
  rowsStored: r.rows_stored,
  rowsUpdated: r.rows_updated,
  rowsSkipped: r.rows_skipped,
  duplicates: r.duplicates,
  ms: r.finished_at ? new Date(r.finished_at).getTime() - new Date(r.started_at).getTime() : null,
  errors: r.errors ? (JSON.parse(r.errors) as ImportRow['errors']) : [],
});

/** Every import, newest first. */
export async function listImports(db: Store, limit = 100): Promise<ImportRow[]> {
  const rows = await db.all<Raw>(sql`SELECT * FROM imports ORDER BY started_at DESC, id DESC LIMIT ${limit}`);
  return rows.map(toRow);
}

export interface UndoResult {
  readonly importId: string;
  /** Rows deleted per table (only tables the import inserted into). */
  readonly deleted: Record<string, number>;
  /** Rows this import updated (first inserted by an earlier import): they keep their new values. */
  readonly updatedKept: number;
  /** Identity stitching of the components whose links the undo deleted. */
  readonly identities?: IdentityResult;
}

/**
 * Deletes exactly the rows `importId` first inserted (import_id = it), in one transaction, and marks
 * the import undone. Refuses (conflict) when a later import that is still in effect has updated any
 * of those rows, naming that import: undo it first (then this undo deletes those rows too, with the
 * values the undone import left in them), or keep both. Rows the import only updated keep their new values
 * (Touchpoint keeps no history of earlier values); the result counts them. The identity components
 * that held a deleted link are stitched again (deleted events change no other event's attribution).
 */
export async function undoImport(
  db: Store,
  importId: string,
  onProgress?: (p: Progress) => void,
): Promise<UndoResult> {
  return db.transaction(async (tx) => {
    const imp = await tx.one<Raw>(sql`SELECT * FROM imports WHERE id = ${importId}`);
    if (!imp) throw new TouchpointError('not_found', `no import ${importId}; see touchpoint import list`);
    if (imp.status === 'undone')
      throw new TouchpointError('conflict', `import ${importId} was already undone`);
    const blockers: { table: string; n: number; by: string }[] = [];
    for (const t of IMPORTED_TABLES) {
      const rows = await tx.all<{
        by: string;
        n: number;
      }>(sql`SELECT r.updated_import_id AS by, count(*) AS n FROM ${ident(t)} r
        JOIN imports later ON later.id = r.updated_import_id AND later.status <> 'undone'
        WHERE r.import_id = ${importId} AND r.updated_import_id <> ${importId}
        GROUP BY r.updated_import_id ORDER BY r.updated_import_id`);
      for (const r of rows) blockers.push({ table: t, n: r.n, by: r.by });
    }
    if (blockers.length > 0) {
      const list = blockers
        .map((b) => `${b.n} ${b.table} row${b.n === 1 ? '' : 's'} updated by ${b.by}`)
        .join('; ');
      throw new TouchpointError(
        'conflict',
        `cannot undo ${importId}: a later import changed rows it inserted (${list}); undo ${blockers[0]!.by} first`,
        { details: blockers.map((b) => ({ field: b.table, message: `${b.n} rows updated by ${b.by}` })) },
      );
    }
    const deleted: Record<string, number> = {};
    let updatedKept = 0;
    // both ends of every link about to go: the seeds of the stitch below
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_undo_seeds AS
      SELECT alias_type AS t, alias AS a FROM identity_links WHERE import_id = ${importId}
      UNION SELECT linked_type, linked_alias FROM identity_links WHERE import_id = ${importId}`);
    for (const t of IMPORTED_TABLES) {
      const n = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM ${ident(t)} WHERE import_id = ${importId}`,
      );
      if ((n?.n ?? 0) > 0) {
        await tx.exec(sql`DELETE FROM ${ident(t)} WHERE import_id = ${importId}`);
        const versioned = VERSIONED_TABLES[t];
        if (versioned) await bumpVersion(tx, versioned);
        deleted[t] = n!.n;
      }
      const u = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM ${ident(t)} WHERE updated_import_id = ${importId}`,
      );
      updatedKept += u?.n ?? 0;
    }
    const identities =
      deleted.identity_links !== undefined
        ? await stitchIdentities(tx, { seeds: sql`SELECT t, a FROM _tp_undo_seeds`, onProgress })
        : undefined;
    await tx.exec(sql`DROP TABLE IF EXISTS _tp_undo_seeds`);
    await tx.exec(sql`UPDATE imports SET status = 'undone' WHERE id = ${importId}`);
    return { importId, deleted, updatedKept, ...(identities ? { identities } : {}) };
  });
}
