import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import {
  type AnyOperation,
  defineOperation,
  type OperationContext,
  type Section,
} from '../core/operation.js';
import type { Store } from '../store/index.js';
import { parseEncoding } from './encoding.js';
import type { IdentityResult } from './identities.js';
import { type DryRunReport, importFile } from './import-file.js';
import type { ImportReport } from './import-records.js';
import { type MappingSpec, parseNa, parsePairs, readMappingFile } from './mapping.js';
import { FORMATS } from './read.js';
import { KIND_SPECS, KINDS, type Kind, UNKNOWN_FIELDS } from './schemas.js';
import { listImports, undoImport } from './undo.js';

/**
 * A file format another capability reads for `touchpoint import <kind>` (cases registers XES and the
 * ticket-audit log). The registry is handed to `importOperations` by `src/operations.ts`, so ingest
 * never imports the capabilities that extend it.
 */
export interface FileFormat {
  readonly name: string;
  /** The import kinds it serves (e.g. case-events). */
  readonly kinds: readonly Kind[];
  /** True when a file name alone says this format (e.g. `.xes.gz`). */
  readonly matches: (file: string) => boolean;
  /** Reads and stores the file (with `dryRun`, stores nothing and reports what it would); notes go to `ctx.log`. */
  readonly importFile: (
    db: Store,
    file: string,
    options: { readonly map: Readonly<Record<string, string>>; readonly dryRun: boolean },
    ctx: OperationContext,
  ) => Promise<ImportReport | DryRunReport>;
}

export const ImportFileParams = z.object({
  file: z
    .string()
    .min(1)
    .describe('the file to import (CSV, JSON Lines, JSON array, Parquet, .xlsx; .gz too)'),
  map: z
    .string()
    .optional()
    .describe(
      'field=column pairs, e.g. customer_id=userid,ts=created_at,channel=twitter (a value that is no column is a constant)',
    ),
  mapping: z
    .string()
    .optional()
    .describe('a YAML mapping file (map, questions, date_format, timezone, na, …)'),
  questions: z
    .string()
    .optional()
    .describe('feedback: survey columns and their kind, e.g. q1=nps,q2=csat,q3=text'),
  aliases: z
    .string()
    .optional()
    .describe(
      "identity stitching: alias type=column, e.g. email=Email,phone=Mobile (linked to the row's customer)",
    ),
  dateFormat: z
    .string()
    .optional()
    .describe('layout of timestamps, e.g. "DD/MM/YYYY HH:mm" (default ISO-8601)'),
  timezone: z
    .string()
    .optional()
    .describe('IANA zone of timestamps written without an offset, e.g. Europe/Paris (default UTC)'),
  na: z
    .string()
    .optional()
    .describe("missing-value markers, comma-separated, kept exactly: '?,NA, ' (a lone space counts)"),
  delimiter: z
    .string()
    .optional()
    .describe('CSV delimiter (default: guessed from the header among , ; TAB |)'),
  encoding: z
    .string()
    .optional()
    .describe(
      'text encoding of the file: utf8 (default; invalid UTF-8 is refused naming the line), windows-1252 (Excel on Windows) or latin1',
    ),
  format: z.string().optional().describe('file format (default: from the file name)'),
  sheet: z.string().optional().describe('.xlsx: sheet name or number (default the first)'),
  skipInvalid: z.boolean().default(false).describe('store the good rows and report the bad ones'),
  unknownFields: z
    .enum(UNKNOWN_FIELDS)
    .default('strict')
    .describe(
      'columns no field takes, for kinds without a properties/attributes column: strict refuses the file, lenient leaves them out',
    ),
  dryRun: z
    .boolean()
    .default(false)
    .describe('show the mapping, types, first rows and every bad row; write nothing'),
});
export type ImportFileParams = z.output<typeof ImportFileParams>;

/** The import parameters with `format` naming the built-in formats and the registered ones. */
function importFileParams(formats: readonly FileFormat[]) {
  return ImportFileParams.extend({
    format: z
      .enum([...FORMATS, ...formats.map((f) => f.name)])
      .optional()
      .describe(
        `file format (default: from the file name)${formats.map((f) => `; ${f.name}: ${f.kinds.join(', ')} only`).join('')}`,
      ),
  });
}

/** Merges CLI flags over a mapping file: flags win. */
export function mappingFromParams(p: ImportFileParams): MappingSpec {
  const file = p.mapping ? readMappingFile(p.mapping) : {};
  return {
    ...file,
    map: { ...(file.map ?? {}), ...(p.map ? parsePairs(p.map, '--map') : {}) },
    ...(p.questions ? { questions: parsePairs(p.questions, '--questions') } : {}),
    ...(p.aliases ? { aliases: parsePairs(p.aliases, '--aliases') } : {}),
    ...(p.dateFormat ? { dateFormat: p.dateFormat } : {}),
    ...(p.timezone ? { timezone: p.timezone } : {}),
    ...(p.na !== undefined ? { na: parseNa(p.na) } : {}),
    ...(p.delimiter ? { delimiter: p.delimiter } : {}),
    ...(p.encoding ? { encoding: parseEncoding(p.encoding) } : {}),
    ...(p.sheet ? { sheet: p.sheet } : {}),
  };
}

function presentImport(r: ImportReport | DryRunReport): readonly Section[] {
  if ('dryRun' in r) {
    const w = r.wouldStore;
    const out: Section[] = [
      {
        text:
          `dry run of ${r.file} as ${r.kind}: ${r.rowsRead} rows read, ` +
          (w
            ? `${w.stored} would be stored, ${w.updated} would update stored rows, ${w.duplicates} are already stored, `
            : `${r.rowsValid} would be stored, `) +
          `${r.rowsInvalid} would fail. Nothing was written.`,
      },
    ];
    if (r.columns.length > 0)
      out.push(
        { title: 'Columns', rows: r.columns },
        { title: 'Proposed mapping (paste as --map, then fix)', text: r.proposedMap || '(none)' },
      );
    if (r.unmapped.length > 0)
      out.push({ title: 'Required fields with no column', text: r.unmapped.join(', ') });
    if (r.preview.length > 0) out.push({ title: 'First rows as they would be stored', rows: r.preview });
    if (r.errors.length > 0) {
      out.push({ title: 'Rows that would fail', rows: r.errors.slice(0, 20).map((e) => ({ ...e })) });
      if (r.rowsInvalid > 20)
        out.push({ text: `… ${r.rowsInvalid - 20} more rows would fail (--json lists up to 1,000)` });
    }
    return out;
  }
  const out: Section[] = [
    {
      text:
        `import ${r.importId}: ${r.rowsRead} rows read, ${r.rowsStored} stored, ${r.rowsUpdated} updated, ` +
        `${r.duplicates} duplicates ignored, ${r.rowsSkipped} skipped, in ${(r.ms / 1000).toFixed(1)} s`,
    },
  ];
  if (r.identities) {
    out.push({
      text: identitiesLine(r.identities),
    });
  }
  if (r.errors.length > 0) out.push({ title: 'Skipped rows', rows: r.errors.map((e) => ({ ...e })) });
  return out;
}

/** The stitching line of an import or undo: workspace figures, then what this stitch recomputed. */
function identitiesLine(i: IdentityResult): string {
  const w = i.work;
  return (
    `identities: ${i.aliases} aliases resolved, ${i.conflicts} conflicting groups, ${i.eventsAttributed} events newly attributed` +
    ` (${w.full ? 'full rebuild: ' : ''}${w.components} group${w.components === 1 ? '' : 's'}, ${w.nodes} ids, ${w.links} links recomputed)`
  );
}

function importOperation(kind: Kind, formats: readonly FileFormat[]) {
  const fields = KIND_SPECS[kind].fields.map((f) => (f.required ? `${f.name}*` : f.name)).join(', ');
  return defineOperation({
    area: 'import',
    verb: kind,
    summary: `Import ${kind} from a file (fields: ${fields}; * = required)`,
    params: importFileParams(formats),
    mode: 'write',
    positional: ['file'],
    edges: { http: false },
    run: async (db, p, ctx) => {
      // formats other capabilities read (XES and ticket-audit case logs), then store through importRecords
      const plugin = formats.find((f) => (p.format ? f.name === p.format : f.matches(p.file)));
      if (plugin) {
        if (!plugin.kinds.includes(kind))
          throw new TouchpointError(
            'invalid_input',
            `--format ${plugin.name} imports ${plugin.kinds.join(', ')} only`,
          );
        // flags of the CSV reader would be dropped without a word: refused, naming the --map option
        const flags: Record<string, unknown> = {
          '--mapping': p.mapping,
          '--questions': p.questions,
          '--aliases': p.aliases,
          '--date-format (use --map date_format=iso|dmy|mdy)': p.dateFormat,
          '--timezone': p.timezone,
          '--na (use --map na=?)': p.na,
          '--delimiter': p.delimiter,
          '--encoding': p.encoding,
          '--sheet': p.sheet,
          '--skip-invalid': p.skipInvalid || undefined,
        };
        const ignored = Object.keys(flags).filter((f) => flags[f] !== undefined);
        if (ignored.length > 0)
          throw new TouchpointError(
            'invalid_input',
            `${ignored.join(', ')}: not an option of ${plugin.name} logs, which take their options in --map (docs/cases.md)`,
          );
        return plugin.importFile(
          db,
          p.file,
          { map: p.map ? parsePairs(p.map, '--map') : {}, dryRun: p.dryRun },
          ctx,
        );
      }
      return importFile(db, kind, {
        ...mappingFromParams(p),
        file: p.file,
        format: p.format as (typeof FORMATS)[number] | undefined,
        skipInvalid: p.skipInvalid,
        unknownFields: p.unknownFields,
        dryRun: p.dryRun,
        onProgress: ctx.onProgress,
        now: ctx.now,
      });
    },
    present: presentImport,
  });
}

export const ListImportsParams = z.object({
  limit: z.number().int().min(1).max(10_000).default(100),
});

export const listImportsOperation = defineOperation({
  area: 'import',
  verb: 'list',
  summary: 'Every import: rows read, stored, updated, skipped (with line and reason), duplicates, time',
  params: ListImportsParams,
  mode: 'read',
  listField: 'imports',
  run: async (db, p) => ({ imports: await listImports(db, p.limit) }),
  present: (r) => [
    {
      rows: r.imports.map((i) => ({
        id: i.id,
        kind: i.kind,
        file: i.file,
        started: i.startedAt,
        status: i.status,
        read: i.rowsRead,
        stored: i.rowsStored,
        updated: i.rowsUpdated,
        skipped: i.rowsSkipped,
        duplicates: i.duplicates,
        seconds: i.ms === null ? null : i.ms / 1000,
      })),
    },
  ],
});

export const UndoImportParams = z.object({
  id: z.string().min(1).describe('the import id (see touchpoint import list)'),
});

export const undoImportOperation = defineOperation({
  area: 'import',
  verb: 'undo',
  summary:
    'Delete exactly the rows an import first inserted; refuses while a later import that updated them is in effect',
  params: UndoImportParams,
  mode: 'write',
  permission: 'admin',
  positional: ['id'],
  run: (db, p, ctx) => undoImport(db, p.id, ctx.onProgress),
  present: (r) => [
    {
      text:
        `undid ${r.importId}: deleted ${
          Object.entries(r.deleted)
            .map(([t, n]) => `${n} ${t}`)
            .join(', ') || 'nothing'
        }` + (r.updatedKept > 0 ? `; ${r.updatedKept} rows it updated keep their new values` : ''),
    },
    ...(r.identities ? [{ text: identitiesLine(r.identities) }] : []),
  ],
});

/** The import verbs, one per kind, reading the built-in formats and the `formats` other capabilities add. */
export function importOperations(formats: readonly FileFormat[] = []): readonly AnyOperation[] {
  return [...KINDS.map((k) => importOperation(k, formats)), listImportsOperation, undoImportOperation];
}
