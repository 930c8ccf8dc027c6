import { TouchpointError } from '../core/errors.js';
import type { Progress } from '../core/operation.js';
import { type FileFormat, type ImportReport, importRecords, undoImport } from '../ingest/index.js';
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
}

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
  const cases = await importRecords(db, 'cases', log.cases, {
    ...common,
    lineOf: (i) => log.caseLines[i] ?? i + 1,
  });
  let caseEvents: ImportReport;
  try {
    caseEvents = await importRecords(db, 'case-events', log.caseEvents, {
      ...common,
      lineOf: (i) => log.eventLines[i] ?? i + 1,
      total: log.caseEvents.length,
    });
  } catch (e) {
    // all or nothing: take the cases back out when their events are refused
    await undoImport(db, cases.importId);
    throw e;
  }
  return { format, cases, caseEvents, notes: log.notes };
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
    importFile: async (db, file, { map }, ctx) => {
      const r = await importCaseEventsFile(db, file, {
        format,
        map,
        ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        ...(ctx.now ? { now: ctx.now } : {}),
      });
      for (const note of r.notes) ctx.log?.(note);
      ctx.log?.(
        `cases: ${r.cases.rowsStored} stored, ${r.cases.rowsUpdated} updated (import ${r.cases.importId})`,
      );
      return r.caseEvents;
    },
  }),
);
