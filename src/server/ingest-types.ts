import type { Store } from '../store/index.js';

/** What the ingest capability's `importRecords` returns (src/ingest contract). */
export interface ImportReport {
  readonly importId: string;
  readonly kind: string;
  readonly rowsRead: number;
  readonly rowsStored: number;
  readonly rowsUpdated: number;
  readonly rowsSkipped: number;
  readonly duplicates: number;
  readonly errors: readonly { line?: number; field?: string; message: string }[];
  readonly ms: number;
}

/** Loads one batch of records of one kind into a store (inside the transaction it is given). */
export type Importer = (
  db: Store,
  kind: string,
  records: readonly Record<string, unknown>[],
  options: { source: string },
) => Promise<ImportReport>;

/**
 * The answer to one ingest request: the import of its commit group (rows* count the whole group when
 * `groupBatches` > 1, i.e. when concurrent requests shared one transaction), and its own size.
 */
export interface GroupReport extends ImportReport {
  readonly batchRecords: number;
  readonly groupBatches: number;
}

/** Records of one kind, part of one request. */
export interface IngestPart {
  readonly kind: string;
  readonly records: readonly Record<string, unknown>[];
}
