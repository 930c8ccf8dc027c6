import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** For tests: the server as a real child process on loopback, and small HTTP helpers. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/touchpoint.js');
export const ADMIN_PASSWORD = 'test-admin-password-123';

export interface ChildServer {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly dataDir: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const tempDir = (prefix = 'tp-server-'): string => mkdtempSync(join(tmpdir(), prefix));

/** Starts `touchpoint serve --port 0` and resolves once it printed its URL. */
export function startChild(
  opts: { dataDir?: string; db?: string; env?: Record<string, string>; args?: readonly string[] } = {},
): Promise<ChildServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const args = [
    BIN,
    ...(opts.db ? ['--db', opts.db] : []),
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      TOUCHPOINT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TOUCHPOINT_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${err}`)), 30_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${err}`));
    });
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({
          url: m[1]!,
          proc,
          dataDir,
          stdout: () => out,
          stderr: () => err,
          stop: async (signal = 'SIGTERM') => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

export interface Res<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

/** fetch → status, parsed body (when JSON), text, headers. */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; raw?: string | Buffer } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** Signs in as the env-created admin; returns headers that carry the session and CSRF token. */
export async function adminSession(
  url: string,
  username = 'admin',
  password = ADMIN_PASSWORD,
): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie, 'x-csrf-token': csrf };
}

export async function createKey(
  url: string,
  session: Record<string, string>,
  workspace: string,
  scopes: readonly string[],
): Promise<string> {
  const r = await call<{ key: string }>(`${url}/api/v1/admin/keys`, {
    headers: { ...session, 'x-touchpoint-workspace': workspace },
    body: { name: `test-${scopes.join('-')}`, scopes },
  });
  if (r.status !== 200) throw new Error(`key creation failed: ${r.status} ${r.text}`);
  return r.body.key;
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** An API key of the default workspace with `scopes`, created in a session of the first admin. */
export const defaultKey = async (url: string, scopes: readonly string[]): Promise<string> =>
  createKey(url, await adminSession(url), 'default', scopes);

/** Runs the CLI as a real process. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((r) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    p.on('exit', (code) => r({ code, stdout, stderr }));
  });
}

/**
 * A large POST the way curl sends it: `Expect: 100-continue`, the body only after the server says
 * continue, so a 413 arrives as an answer rather than as a reset connection.
 */
export function postLarge(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const u = new URL(url);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length), expect: '100-continue' },
    });
    req.on('continue', () => req.end(body));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (b: Buffer) => {
        text += b.toString();
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.flushHeaders();
  });
}
