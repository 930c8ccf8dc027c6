import { TouchpointError } from '../core/errors.js';

/** Deepest nesting a request body may have (an event's `properties` rarely goes past 3). */
export const MAX_DEPTH = 32;
/** Longest string a field may hold, in characters. */
export const MAX_STRING = 65_536;
/** Body limit of ingest endpoints (bytes); other endpoints take 1 MiB. */
export const INGEST_BODY_LIMIT = 10 * 1024 * 1024;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Paths of operations that take an upload (`upload: true`): the ingest body limit applies to them too. */
export const UPLOAD_PATHS = new Set<string>();
/** The body limit of a request path. */
export const bodyLimitOf = (url: string): number =>
  url.startsWith('/api/v1/ingest/') || UPLOAD_PATHS.has(url.split('?')[0] ?? '')
    ? INGEST_BODY_LIMIT
    : DEFAULT_BODY_LIMIT;
/** Most records one ingest request may carry. */
export const MAX_BATCH_RECORDS = 10_000;

const decoder = new TextDecoder('utf-8', { fatal: true });

function bad(field: string, message: string): TouchpointError {
  return new TouchpointError('invalid_input', `${field}: ${message}`, { details: [{ field, message }] });
}

/** Bytes → text, refusing invalid UTF-8 instead of replacing it silently. */
export function decodeUtf8(buf: Buffer): string {
  try {
    return decoder.decode(buf);
  } catch {
    throw bad('(body)', 'not valid UTF-8');
  }
}

/**
 * Checks a parsed value for what a hostile body carries: prototype-pollution keys, nesting deeper
 * than MAX_DEPTH, strings longer than MAX_STRING. Names the path of the first offence.
 */
export function checkValue(value: unknown, path = '', depth = 0): void {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) throw bad(path || '(body)', `longer than ${MAX_STRING} characters`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) throw bad(path || '(body)', `nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkValue(value[i], `${path}[${i}]`, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    const p = path ? `${path}.${key}` : key;
    if (
      key === '__proto__' ||
      key === 'prototype' ||
      (key === 'constructor' && typeof (value as Record<string, unknown>)[key] === 'object')
    )
      throw bad(p, 'this key is not accepted (prototype pollution)');
    if (key.length > 256) throw bad(`${p.slice(0, 40)}…`, 'key longer than 256 characters');
    checkValue((value as Record<string, unknown>)[key], p, depth + 1);
  }
}

/**
 * Parses JSON text without trusting it: a depth pre-scan refuses deep nesting before the parser
 * recurses, then the value is checked (checkValue).
 */
export function parseJson(text: string, where = '(body)'): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) throw bad(where, `nested deeper than ${MAX_DEPTH} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(where, `malformed JSON (${(e as Error).message})`);
  }
  checkValue(value);
  return value;
}

/** An ingest body → records: a JSON array, `{ "records": [...] }`, one object, or NDJSON lines. */
export function recordsOf(body: unknown, contentType: string | undefined): Record<string, unknown>[] {
  let list: unknown;
  if (typeof body === 'string' && /ndjson|jsonl/.test(contentType ?? '')) {
    list = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l, i) => parseJson(l, `line ${i + 1}`));
  } else if (Array.isArray(body)) list = body;
  else if (body && typeof body === 'object' && Array.isArray((body as { records?: unknown }).records))
    list = (body as { records: unknown[] }).records;
  else if (body && typeof body === 'object') list = [body];
  else throw bad('(body)', 'send a JSON array of records, {"records": [...]}, or NDJSON lines');
  const arr = list as unknown[];
  if (arr.length > MAX_BATCH_RECORDS)
    throw new TouchpointError('too_large', `(body): at most ${MAX_BATCH_RECORDS} records per request`, {
      details: [
        { field: '(body)', message: `${arr.length} records; at most ${MAX_BATCH_RECORDS} per request` },
      ],
    });
  arr.forEach((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad(`[${i}]`, 'each record is a JSON object');
  });
  return arr as Record<string, unknown>[];
}
