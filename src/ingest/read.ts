import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { gunzipSync, constants as zlib } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { TouchpointError } from '../core/errors.js';
import {
  type BulkRow,
  type ColumnSpec,
  ident,
  join,
  raw,
  type SqlFragment,
  type Store,
  sql,
} from '../store/index.js';
import type { Encoding } from './encoding.js';

export const FORMATS = ['csv', 'jsonl', 'json', 'parquet', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The raw table every file lands in first: one VARCHAR column per source column (c0, c1, …), plus
 * `_line` (the physical line) when read in Node.
 */
export const RAW = '_tp_raw';

export interface ReadOptions {
  readonly file: string;
  readonly format: Format;
  readonly gzip: boolean;
  /** CSV field delimiter (one character). */
  readonly delimiter: string;
  /** Text files reach the readers as UTF-8 (encoding.ts converts others first); kept for sniffing. */
  readonly encoding: Encoding;
  /** The name errors show (the user's file when `file` is a converted temporary copy). */
  readonly label?: string;
  /** Values that mean "missing" (besides an empty field). */
  readonly na: readonly string[];
  /** xlsx: sheet name or 1-based number. */
  readonly sheet?: string;
}

export interface RawTable {
  /** Source column names, in order; raw column i is `c{i}`. */
  readonly headers: readonly string[];
  readonly rows: number;
  /** True when the line numbers are the physical line (or row) of each record; false for the fast path. */
  readonly exact: boolean;
  /** Fast path: RAW has no `_line` column; a record's line is its rowid + lineBase (ordinal, not physical). */
  readonly lineBase?: number;
}

/** Format from the file name: .csv/.tsv/.txt, .jsonl/.ndjson, .json, .parquet, .xlsx, each optionally .gz. */
export function detectFormat(file: string): { format: Format; gzip: boolean } {
  let name = file.toLowerCase();
  const gzip = name.endsWith('.gz');
  if (gzip) name = name.slice(0, -3);
  const ext = extname(name);
  const format: Format | undefined =
    ext === '.csv' || ext === '.tsv' || ext === '.txt'
      ? 'csv'
      : ext === '.jsonl' || ext === '.ndjson'
        ? 'jsonl'
        : ext === '.json'
          ? 'json'
          : ext === '.parquet'
            ? 'parquet'
            : ext === '.xlsx'
              ? 'xlsx'
              : undefined;
  if (!format) {
    throw new TouchpointError(
      'invalid_input',
      `${file}: cannot tell the format from the name; give --format (${FORMATS.join(', ')})`,
    );
  }
  return { format, gzip };
}

const shown = (o: Pick<ReadOptions, 'file' | 'label'>): string => o.label ?? o.file;

export function checkFile(file: string): void {
  if (!existsSync(file) || !statSync(file).isFile())
    throw new TouchpointError('not_found', `${file}: no such file`);
}

function readText(o: ReadOptions): string {
  let buf = readFileSync(o.file);
  if (o.gzip) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new TouchpointError('invalid_input', `${shown(o)}: not a gzip file`, { cause: e });
    }
  }
  let text = buf.toString(o.encoding === 'utf8' ? 'utf8' : 'latin1');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/**
 * The first `bytes` bytes of a file's text (decompressed when gzipped), without reading the rest: a
 * gzipped file is inflated from its first compressed bytes only (a sync flush accepts the cut).
 */
export function headText(
  o: Pick<ReadOptions, 'file' | 'gzip' | 'encoding' | 'label'>,
  bytes: number,
): string {
  const fd = openSync(o.file, 'r');
  let buf: Buffer;
  try {
    // gzip: text compresses 3–10×; read compressed bytes until the inflated head is long enough
    for (let want = o.gzip ? Math.max(16 * 1024, bytes >> 2) : bytes; ; want *= 4) {
      const raw = Buffer.alloc(want);
      const n = readSync(fd, raw, 0, want, 0);
      buf = raw.subarray(0, n);
      if (o.gzip) {
        try {
          buf = gunzipSync(buf, { finishFlush: zlib.Z_SYNC_FLUSH });
        } catch (e) {
          throw new TouchpointError('invalid_input', `${shown(o)}: not a gzip file`, { cause: e });
        }
      }
      if (!o.gzip || buf.length >= bytes || n < want) break;
    }
  } finally {
    closeSync(fd);
  }
  let text = buf.subarray(0, bytes).toString(o.encoding === 'utf8' ? 'utf8' : 'latin1');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** Guesses the CSV delimiter from the header line: the most frequent of , ; TAB |. Reads 64 KiB of the file. */
export function sniffDelimiter(o: Pick<ReadOptions, 'file' | 'gzip' | 'encoding'>): string {
  const first = headText(o, 64 * 1024).split('\n')[0] ?? '';
  let best = ',';
  let most = 0;
  for (const d of [',', ';', '\t', '|']) {
    const n = first.split(d).length - 1;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

const rawColumns = (n: number): ColumnSpec[] => [
  { name: '_line', type: 'bigint' },
  ...Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: 'varchar' as const })),
];

async function fillRaw(tx: Store, headers: string[], rows: BulkRow[]): Promise<RawTable> {
  const cols = rawColumns(headers.length);
  await tx.createTemp(RAW, cols);
  await tx.append(RAW, cols, rows);
  return { headers, rows: rows.length, exact: true };
}

/**
 * The header's column names: blank ones become `column<n>`; a name given twice is refused (which of
 * the two columns should a field take? One would win without a word), naming the file, the header's
 * line and the column.
 */
function uniqueHeaders(headers: readonly unknown[], file: string, line: number): string[] {
  const out = headers.map((h, i) =>
    h === null || h === undefined || String(h).trim() === '' ? `column${i + 1}` : String(h).trim(),
  );
  const first = new Map<string, number>();
  out.forEach((h, i) => {
    const at = first.get(h);
    if (at === undefined) {
      first.set(h, i);
      return;
    }
    const message = `column ${JSON.stringify(h)} appears twice in the header (columns ${at + 1} and ${i + 1}): rename one, nothing was imported`;
    throw new TouchpointError('invalid_input', `${file}:${line}: ${message}`, {
      details: [{ file, line, field: h, message }],
    });
  });
  return out;
}

const textOf = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/**
 * Reads a file into RAW with exact line numbers, in Node: the slow path, taken for xlsx and JSON
 * arrays, and for CSV / JSON Lines only when the fast path found a bad row (to name its line).
 */
export async function readRawExact(tx: Store, o: ReadOptions): Promise<RawTable> {
  const na = new Set(['', ...o.na]);
  const cell = (v: unknown): string | null => {
    const t = textOf(v);
    return t === null || na.has(t) ? null : t;
  };
  if (o.format === 'csv') {
    const text = readText(o);
    let records: { record: string[]; raw: string }[];
    try {
      records = parse(text, {
        delimiter: o.delimiter,
        raw: true,
        skip_empty_lines: false,
        relax_column_count: true,
      }) as unknown as { record: string[]; raw: string }[];
    } catch (e) {
      const err = e as { lines?: number; message?: string };
      throw new TouchpointError(
        'invalid_input',
        `${shown(o)}:${err.lines ?? '?'}: ${err.message ?? 'unreadable CSV'}`,
        {
          cause: e,
          details: [{ file: shown(o), line: err.lines, message: err.message ?? 'unreadable CSV' }],
        },
      );
    }
    let line = 1;
    let headers: string[] | undefined;
    const rows: BulkRow[] = [];
    for (const r of records) {
      const start = line;
      // raw holds the record's text; its end-of-line is included for LF files, not for CRLF ones
      line += (r.raw.match(/\n/g)?.length ?? 0) + (r.raw.endsWith('\n') ? 0 : 1);
      if (r.record.length === 1 && r.record[0]!.trim() === '') continue; // blank line
      if (!headers) {
        headers = uniqueHeaders(r.record, shown(o), start);
        continue;
      }
      if (r.record.length !== headers.length) {
        throw new TouchpointError(
          'invalid_input',
          `${shown(o)}:${start}: the row has ${r.record.length} fields, the header has ${headers.length} (check the delimiter and quotes)`,
          {
            details: [
              {
                file: shown(o),
                line: start,
                message: `${r.record.length} fields, expected ${headers.length}`,
              },
            ],
          },
        );
      }
      rows.push([start, ...r.record.map(cell)]);
    }
    if (!headers) throw new TouchpointError('invalid_input', `${shown(o)}: the file is empty`);
    return fillRaw(tx, headers, rows);
  }
  if (o.format === 'jsonl' || o.format === 'json') {
    const text = readText(o);
    let objects: { line: number; value: unknown }[] = [];
    if (o.format === 'jsonl') {
      text.split('\n').forEach((l, i) => {
        if (l.trim() === '') return;
        try {
          objects.push({ line: i + 1, value: JSON.parse(l) });
        } catch (e) {
          throw new TouchpointError(
            'invalid_input',
            `${shown(o)}:${i + 1}: not a JSON object: ${(e as Error).message}`,
            {
              details: [{ file: shown(o), line: i + 1, message: 'not valid JSON' }],
            },
          );
        }
      });
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        const message = (e as Error).message;
        const at = /at position (\d+)/.exec(message);
        const line = at ? lineAt(text, Number(at[1])) : undefined;
        throw new TouchpointError(
          'invalid_input',
          `${shown(o)}${line ? `:${line}` : ''}: not valid JSON: ${message}`,
          line ? { details: [{ file: shown(o), line, message: 'not valid JSON' }] } : undefined,
        );
      }
      if (!Array.isArray(parsed))
        throw new TouchpointError('invalid_input', `${shown(o)}: expected a JSON array of objects`);
      const lines = elementLines(text);
      objects = parsed.map((value, i) => ({ line: lines[i] ?? i + 1, value }));
    }
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const { line, value } of objects) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new TouchpointError('invalid_input', `${shown(o)}:${line}: expected a JSON object`, {
          details: [{ file: shown(o), line, message: 'expected a JSON object' }],
        });
      }
      for (const k of Object.keys(value)) {
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
    }
    const rows = objects.map(({ line, value }) => [
      line,
      ...keys.map((k) => cell((value as Record<string, unknown>)[k])),
    ]);
    return fillRaw(tx, keys, rows);
  }
  if (o.format === 'xlsx') {
    const { readSheet } = await import('read-excel-file/node');
    let buf = readFileSync(o.file);
    if (o.gzip) buf = gunzipSync(buf);
    let data: unknown[][];
    try {
      const sheet = o.sheet === undefined ? undefined : /^\d+$/.test(o.sheet) ? Number(o.sheet) : o.sheet;
      data = (await (sheet === undefined ? readSheet(buf) : readSheet(buf, sheet))) as unknown[][];
    } catch (e) {
      throw new TouchpointError(
        'invalid_input',
        `${shown(o)}: not a readable .xlsx workbook: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const headerAt = data.findIndex((r) => r.some((v) => v !== null && v !== ''));
    if (headerAt < 0) throw new TouchpointError('invalid_input', `${shown(o)}: the sheet is empty`);
    const headers = uniqueHeaders(data[headerAt]!, shown(o), headerAt + 1);
    const rows: BulkRow[] = [];
    for (let i = headerAt + 1; i < data.length; i++) {
      const r = data[i]!;
      if (r.every((v) => v === null || v === '')) continue;
      rows.push([i + 1, ...headers.map((_, j) => cell(r[j]))]);
    }
    return fillRaw(tx, headers, rows);
  }
  throw new TouchpointError('internal', `no exact reader for ${o.format}`);
}

/**
 * Reads a file into RAW with the engine's readers (read_csv / read_json_objects / read_parquet): the
 * fast path. `_line` is the record's ordinal, exact only for Parquet (a row number). Returns
 * undefined when the engine cannot read the file, so the caller takes the exact path and names the line.
 */
export async function readRawFast(tx: Store, o: ReadOptions): Promise<RawTable | undefined> {
  if (o.format === 'xlsx' || o.format === 'json') return undefined;
  const nullstr = ['', ...o.na];
  try {
    let source: SqlFragment;
    let headers: string[];
    if (o.format === 'csv') {
      const opts = sql`all_varchar = true, header = true, delim = ${o.delimiter}, quote = '"', escape = '"',
        nullstr = ${nullstr}, encoding = 'utf-8', strict_mode = true,
        compression = ${o.gzip ? 'gzip' : 'none'}`;
      const desc = await tx.all<{ column_name: string }>(
        sql`DESCRIBE SELECT * FROM read_csv(${shown(o)}, ${opts}) LIMIT 0`,
      );
      // header names as Node's parser reads them, so both paths name columns alike; the engine's sniffer
      // may invent columns for ragged rows: the header line decides
      const header = headerRecord(o);
      headers = uniqueHeaders(header.record, shown(o), header.line);
      if (headers.length !== desc.length) throw FAST_PATH_FAILED;
      source = sql`SELECT * FROM read_csv(${shown(o)}, ${opts}, names = ${headers.map((_, i) => `c${i}`)})`;
    } else if (o.format === 'jsonl') {
      const objs = sql`read_json_objects(${shown(o)}, format = 'newline_delimited', compression = ${o.gzip ? 'gzip' : 'none'})`;
      await tx.exec(sql`CREATE OR REPLACE TEMP TABLE _tp_json AS SELECT json FROM ${objs}`);
      const bad = await tx.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM _tp_json WHERE json_type(json) <> 'OBJECT'`,
      );
      if ((bad?.n ?? 0) > 0) throw FAST_PATH_FAILED;
      headers = (
        await tx.all<{
          k: string;
        }>(sql`SELECT k FROM (SELECT unnest(json_keys(json)) AS k, row_number() OVER () AS o FROM _tp_json)
          GROUP BY k ORDER BY min(o)`)
      ).map((r) => r.k);
      const cols = headers.map(
        (h, i) =>
          sql`nullif(json_extract_string(json, ${`$.${JSON.stringify(h)}`}), '') AS ${ident(`c${i}`)}`,
      );
      source = sql`SELECT ${cols.length ? join(cols) : raw('NULL AS c0')} FROM _tp_json`;
    } else {
      const desc = await tx.all<{ column_name: string }>(
        sql`DESCRIBE SELECT * FROM read_parquet(${shown(o)})`,
      );
      headers = desc.map((d) => d.column_name);
      // positional references (#1, #2, …): numbers written here, never input
      const cols = headers.map((_, i) => sql`CAST(${raw(`#${i + 1}`)} AS VARCHAR) AS ${ident(`c${i}`)}`);
      source = sql`SELECT ${join(cols)} FROM read_parquet(${shown(o)})`;
    }
    await tx.exec(sql`CREATE OR REPLACE TEMP TABLE ${ident(RAW)} AS ${source}`);
    if (o.format !== 'csv' && o.na.length > 0) {
      // JSON / Parquet values that are missing markers become NULL, as CSV's nullstr does
      const sets = headers.map(
        (_, i) =>
          sql`${ident(`c${i}`)} = CASE WHEN ${ident(`c${i}`)} IN (SELECT unnest(${[...o.na]})) THEN NULL ELSE ${ident(`c${i}`)} END`,
      );
      if (sets.length > 0) await tx.exec(sql`UPDATE ${ident(RAW)} SET ${join(sets)}`);
    }
    const n = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(RAW)}`);
    return { headers, rows: n?.n ?? 0, exact: o.format === 'parquet', lineBase: o.format === 'csv' ? 2 : 1 };
  } catch (e) {
    if (e instanceof TouchpointError || e === FAST_PATH_FAILED) throw e;
    throw FAST_PATH_FAILED; // the engine refused the file: the caller retries on the exact path
  }
}

/** Thrown when the engine cannot read a file as given: the caller takes the exact path. */
export const FAST_PATH_FAILED = new Error('fast path failed');

/** The first record of a CSV file (its header), as Node's parser reads it, and the line it starts on. */
function headerRecord(o: ReadOptions): { record: string[]; line: number } {
  // only the start of the file: the header record
  const text = headText(o, 1 << 20);
  const first = parse(text, {
    delimiter: o.delimiter,
    to: 1,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { empty_lines: number } }[];
  return { record: first[0]?.record ?? [], line: (first[0]?.info.empty_lines ?? 0) + 1 };
}

/** The 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line each element of a top-level JSON array starts on, for errors that name the line a person
 * sees in an editor (the text has already parsed, so only strings, nesting and newlines matter).
 */
export function elementLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectValue && c !== ']') {
      out.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return out;
}
