import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import {
  type DryRunReport,
  type FileFormat,
  type ImportReport,
  importRecords,
  undoImport,
} from '../ingest/index.js';
import type { Store } from '../store/index.js';
import type { CaseLog } from './case-log.js';
import { readTicketAudit } from './ticket-audit.js';
import { readXes } from './xes.js';

export const CASE_LOG_FORMATS = ['xes', 'ticket-audit'] as const;
export type CaseLogFormat = (typeof CASE_LOG_FORMATS)[number];

export interface ReadCaseEventsOptions {
  /** Default: from the name (`.xes`, `.xes.gz` → xes; anything else → ticket-audit). */
  readonly format?: CaseLogFormat;
  /** Canonical field → attribute / column, plus format options (docs/cases.md). */
  readonly map?: Readonly<Record<string, string>>;
  readonly onProgress?: (p: Progress) => void;
  /** Read, validate and store inside a transaction that is rolled back: the report says what would be stored. */
  readonly dryRun?: boolean;
}

export function caseLogFormatOf(path: string, format?: string): CaseLogFormat {
  if (format) {
    if (!(CASE_LOG_FORMATS as readonly string[]).includes(format))
      throw new TouchpointError(
        'invalid_input',
        `--format must be one of ${CASE_LOG_FORMATS.join(', ')}, not ${format}`,
      );
    return format as CaseLogFormat;
  }
  return /\.xes(\.gz)?$/i.test(path) ? 'xes' : 'ticket-audit';
}

/**
 * Reads a case log file (XES or ticket audit) into canonical `cases` and `case-events` records.
 * `touchpoint import case-events FILE --format xes|ticket-audit [--map …]` calls this, then
 * `importCaseEventsFile` stores them through the ingest helper's `importRecords`.
 */
export function readCaseEventsFile(path: string, options: ReadCaseEventsOptions = {}): Promise<CaseLog> {
  const format = caseLogFormatOf(path, options.format);
  const o = {
    ...(options.map ? { map: options.map } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return format === 'xes' ? readXes(path, o) : readTicketAudit(path, o);
}

export interface CaseLogImportReport {
  readonly format: CaseLogFormat;
  readonly cases: ImportReport;
  readonly caseEvents: ImportReport;
  readonly notes: readonly string[];
  /** Cases of the file that end closed and open (by its states: docs/cases.md), and reopened ones. */
  readonly summary: CaseLog['summary'];
  /** True when nothing was stored (`dryRun`): the figures are what an import would store. */
  readonly dryRun: boolean;
  /** A dry run's first case events as they would be stored. */
  readonly preview?: readonly Record<string, unknown>[];
}

/** Thrown inside a dry run's transaction so that it rolls back; never leaves this file. */
const ROLL_BACK = new Error('dry run: roll back');

/**
 * Reads and imports a case log: the cases, then their events (idempotent on ids: `<case>#<seq>` for
 * events). A file that cannot be read stores nothing; events refused by validation take their cases'
 * import back out (undo), so the file loads all or nothing.
 */
export async function importCaseEventsFile(
  db: Store,
  path: string,
  options: ReadCaseEventsOptions & { readonly now?: () => Date } = {},
): Promise<CaseLogImportReport> {
  const format = caseLogFormatOf(path, options.format);
  const log = await readCaseEventsFile(path, { ...options, format });
  const common = {
    source: path,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.now ? { now: options.now } : {}),
    options: { format, map: options.map ?? {} },
  };
  const store = async (tx: Store, skipInvalid: boolean) => {
    const cases = await importRecords(tx, 'cases', log.cases, {
      ...common,
      skipInvalid,
      lineOf: (i) => log.caseLines[i] ?? i + 1,
    });
    let caseEvents: ImportReport;
    try {
      caseEvents = await importRecords(tx, 'case-events', log.caseEvents, {
        ...common,
        skipInvalid,
        lineOf: (i) => log.eventLines[i] ?? i + 1,
        total: log.caseEvents.length,
      });
    } catch (e) {
      // all or nothing: take the cases back out when their events are refused
      if (!options.dryRun) await undoImport(tx, cases.importId);
      throw e;
    }
    return {
      format,
      cases,
      caseEvents,
      notes: log.notes,
      summary: log.summary,
      dryRun: !!options.dryRun,
      ...(options.dryRun ? { preview: log.caseEvents.slice(0, 5) } : {}),
    };
  };
  if (!options.dryRun) return store(db, false);
  // A dry run stores in a transaction and rolls it back: the counts (new, updated, duplicates) are the
  // store's own, and bad rows are listed rather than refused. `db` must not be inside a transaction
  // already (the operation's store never is): a joined transaction would not roll back here.
  let report: CaseLogImportReport | undefined;
  try {
    await db.transaction(async (tx) => {
      report = await store(tx, true);
      throw ROLL_BACK;
    });
  } catch (e) {
    if (e !== ROLL_BACK) throw e;
  }
  return report!;
}

/**
 * The import's line about cases: stored (or that would be) and how many end closed and open, so a
 * log whose states were not read (every case open) shows at once.
 */
export function caseLine(r: CaseLogImportReport): string {
  const c = r.cases;
  const { closed, open, reopened } = r.summary;
  return (
    `cases: ${c.rowsStored} ${r.dryRun ? 'would be stored' : 'stored'}, ${c.rowsUpdated} ${r.dryRun ? 'would be updated' : 'updated'}` +
    `${r.dryRun ? '' : ` (import ${c.importId})`}; in the file ${closed} end closed, ${open} open` +
    `${reopened > 0 ? `, ${reopened} reopened at least once` : ''}` +
    (closed === 0 && open > 0
      ? ' — no state closed a case: map the state with --map state=ATTRIBUTE (docs/cases.md)'
      : '')
  );
}

/** A case-log dry run in the shape of a file import's dry run (what `presentImport` prints). */
export function caseLogDryRun(file: string, r: CaseLogImportReport): DryRunReport {
  const ev = r.caseEvents;
  return {
    dryRun: true,
    kind: 'case-events',
    file,
    format: r.format,
    rowsRead: ev.rowsRead,
    rowsValid: ev.rowsRead - ev.rowsSkipped,
    rowsInvalid: ev.rowsSkipped,
    columns: [],
    proposedMap: '',
    unmapped: [],
    preview: r.preview ?? [],
    errors: ev.errors,
    wouldStore: { stored: ev.rowsStored, updated: ev.rowsUpdated, duplicates: ev.duplicates },
  };
}

/**
 * The case logs `touchpoint import case-events FILE` reads, handed to the ingest capability's format
 * registry by src/operations.ts: the cases are stored first, the events answer for the import.
 */
export const caseLogFileFormats: readonly FileFormat[] = CASE_LOG_FORMATS.map(
  (format): FileFormat => ({
    name: format,
    kinds: ['case-events'],
    // a ticket-audit log is a CSV: only --format names it
    matches: (file) => format === 'xes' && caseLogFormatOf(file) === 'xes',
    importFile: async (db, file, { map, dryRun }, ctx) => {
      const r = await importCaseEventsFile(db, file, {
        format,
        map,
        dryRun,
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        ...(ctx.now ? { now: ctx.now } : {}),
      });
      for (const note of r.notes) ctx.log?.(note);
      ctx.log?.(caseLine(r));
      return r.dryRun ? caseLogDryRun(file, r) : r.caseEvents;
    },
  }),
);
