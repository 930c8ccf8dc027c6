import { type ErrorCode, isTouchpointError, TouchpointError } from '../core/errors.js';
import type { AnyOperation } from '../core/operation.js';
import { readSidecar } from './workspaces.js';

/**
 * Runs an operation on a Touchpoint server instead of opening the workspace file: the CLI's
 * `--server URL` (or TOUCHPOINT_SERVER), with the API key in TOUCHPOINT_API_KEY. Returns exactly what
 * the server answered, which is what the local run would have printed with --json.
 */
export async function runRemote(
  server: string,
  op: AnyOperation,
  params: Record<string, unknown>,
  key: string | undefined = process.env.TOUCHPOINT_API_KEY,
): Promise<unknown> {
  if (op.edges?.http === false)
    throw new TouchpointError('invalid_input', `${op.area} ${op.verb} runs only locally; drop --server`);
  const base = server.replace(/\/+$/, '');
  const url = new URL(`${base}/api/v1/${op.area}/${op.verb}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let init: RequestInit = { method: 'GET', headers };
  if (op.mode === 'read' && !op.upload) {
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) url.searchParams.append(k, String(x));
      else url.searchParams.set(k, String(v));
    }
  } else {
    headers['content-type'] = 'application/json';
    init = { method: 'POST', headers, body: JSON.stringify(params) };
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new TouchpointError('unavailable', `cannot reach the Touchpoint server at ${base}`, { cause: e });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TouchpointError('internal', `the server at ${base} answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: ErrorCode; message?: string; details?: [] } }).error;
    const code = err?.code && err.code in CODES ? err.code : 'internal';
    const hint = res.status === 401 && !key ? ' (set TOUCHPOINT_API_KEY to an API key of the workspace)' : '';
    throw new TouchpointError(code, `${err?.message ?? `server answered ${res.status}`}${hint}`, {
      details: err?.details ?? [],
    });
  }
  return body;
}

const CODES: Record<ErrorCode, true> = {
  invalid_input: true,
  not_found: true,
  conflict: true,
  locked: true,
  unauthorized: true,
  forbidden: true,
  too_large: true,
  unavailable: true,
  internal: true,
};

/**
 * The store's 'locked' error, told better when a Touchpoint server holds the file: one line naming
 * the server and how to reach it (the sidecar `<db>.server.json` it writes while serving).
 */
export function explainLock(e: unknown, dbFile: string): unknown {
  if (!isTouchpointError(e) || e.code !== 'locked') return e;
  const s = readSidecar(dbFile);
  if (!s) return e;
  return new TouchpointError(
    'locked',
    `${dbFile} is held by the Touchpoint server at ${s.url} (pid ${s.pid}, workspace ${s.workspace}); run the command with --server ${s.url} (or TOUCHPOINT_SERVER) and TOUCHPOINT_API_KEY, or stop that server`,
    { cause: e },
  );
}
