import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TouchpointError } from '../core/errors.js';

/**
 * Text encodings of imported files. The engine reads UTF-8 only and would store a Latin-1 byte as
 * U+FFFD without a word, so every text file is checked as it streams (a line at a time in memory):
 * invalid UTF-8 is refused naming the line, with the `--encoding` to use. A file in another encoding
 * is converted to a temporary UTF-8 file first, streaming, and the engine reads that.
 */
export const ENCODINGS = ['utf8', 'latin1', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const NAMES: Record<string, Encoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  iso88591: 'latin1',
  'windows-1252': 'windows-1252',
  windows1252: 'windows-1252',
  cp1252: 'windows-1252',
};

export function parseEncoding(e: string | undefined): Encoding | undefined {
  if (e === undefined) return undefined;
  const enc = NAMES[e.toLowerCase()];
  if (!enc)
    throw new TouchpointError(
      'invalid_input',
      `--encoding: ${e} is not supported (utf8, latin1 or windows-1252)`,
      { details: [{ field: 'encoding', message: `${e} is not supported` }] },
    );
  return enc;
}

const open = (file: string, gzip: boolean): Readable => {
  const s = createReadStream(file, { highWaterMark: 1 << 20 });
  return gzip ? s.pipe(createGunzip()) : s;
};

/** The first invalid UTF-8 byte of a line: its 1-based column (in bytes) and value. */
function firstBadByte(line: Buffer): { column: number; byte: number } {
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    const n =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > line.length || !isUtf8(line.subarray(i, i + n))) return { column: i + 1, byte: b };
    i += n - 1;
  }
  return { column: line.length, byte: line[line.length - 1] ?? 0 };
}

function notUtf8(label: string, line: number, bytes: Buffer): TouchpointError {
  const { column, byte } = firstBadByte(bytes);
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  // 0x80–0x9F are printable only in Windows-1252 (€, curly quotes, dashes); the rest read alike in both
  const hint =
    byte >= 0x80 && byte <= 0x9f
      ? 'it looks like Windows-1252 (Excel on Windows): import with --encoding windows-1252'
      : 'if the file is Latin-1 or Windows-1252 (Excel on Windows), import with --encoding windows-1252 (or latin1)';
  const message = `not valid UTF-8 (byte ${hex} at byte ${column} of the line); ${hint}`;
  return new TouchpointError('invalid_input', `${label}:${line}: ${message}`, {
    details: [{ file: label, line, message }],
  });
}

function unreadable(label: string, gzip: boolean, e: unknown): TouchpointError {
  if (e instanceof TouchpointError) return e;
  const code = (e as { code?: string }).code ?? '';
  return new TouchpointError(
    'invalid_input',
    gzip && code.startsWith('Z_')
      ? `${label}: not a gzip file`
      : `${label}: cannot be read: ${(e as Error).message}`,
    { cause: e },
  );
}

/**
 * Streams the file (gunzipped when `gzip`) and refuses the first line that is not valid UTF-8,
 * naming it. Memory: one chunk and one line.
 */
export async function checkUtf8(file: string, gzip: boolean, label = file): Promise<void> {
  let line = 1;
  let pending: Buffer = Buffer.alloc(0);
  const check = (buf: Buffer): void => {
    if (isUtf8(buf)) {
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) line++;
      return;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const part = buf.subarray(start, nl < 0 ? buf.length : nl);
      if (!isUtf8(part)) throw notUtf8(label, line, part);
      if (nl < 0) return;
      line++;
      start = nl + 1;
    }
  };
  try {
    for await (const chunk of open(file, gzip)) {
      const buf = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        pending = buf;
        continue;
      }
      check(buf.subarray(0, last + 1));
      pending = Buffer.from(buf.subarray(last + 1));
    }
  } catch (e) {
    throw unreadable(label, gzip, e);
  }
  if (pending.length > 0) check(pending);
}

/**
 * Converts a file in `encoding` to a temporary UTF-8 file, streaming (gunzipped when `gzip`). The
 * caller reads `path` and calls `remove()` when done.
 */
export async function toUtf8File(
  file: string,
  gzip: boolean,
  encoding: Exclude<Encoding, 'utf8'>,
  ext: string,
): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-utf8-'));
  const path = join(dir, `converted${ext}`);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  // Latin-1 is ISO-8859-1 byte for byte (Node's 'latin1'); the WHATWG decoder's 'latin1' is Windows-1252
  const decoder = encoding === 'windows-1252' ? new TextDecoder('windows-1252') : undefined;
  const decode = (b: Buffer): string =>
    decoder ? decoder.decode(b, { stream: true }) : b.toString('latin1');
  try {
    await pipeline(
      open(file, gzip),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) yield Buffer.from(decode(chunk), 'utf8');
      },
      createWriteStream(path),
    );
  } catch (e) {
    remove();
    throw unreadable(file, gzip, e);
  }
  return { path, remove };
}
