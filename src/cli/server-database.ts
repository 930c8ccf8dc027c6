import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isTouchpointError, TouchpointError } from '../core/errors.js';
import type { AnyOperation, Caller, OperationContext } from '../core/operation.js';
import type { GlobalOptions } from './main.js';

/**
 * The server data folders to look in, in order: `--data-dir`, TOUCHPOINT_DATA_DIR, then where
 * `touchpoint start` keeps it (`.touchpoint` beside the workspace), where `touchpoint serve --db`
 * does (`.touchpoint-server` beside it), and `serve`'s default `./touchpoint-data`.
 */
export function dataDirCandidates(global: Pick<GlobalOptions, 'db' | 'dataDir'>): string[] {
  const given = global.dataDir ?? process.env.TOUCHPOINT_DATA_DIR;
  if (given) return [resolve(given)];
  const beside = dirname(resolve(global.db));
  return [join(beside, '.touchpoint'), join(beside, '.touchpoint-server'), resolve('touchpoint-data')];
}

/** The person at the terminal: the local admin, named by their OS account in the audit log. */
export function localCaller(): Caller {
  let name = 'local-admin';
  try {
    name = userInfo().username || name;
  } catch {
    // no passwd entry (some containers): keep local-admin
  }
  return { type: 'local', id: 'local', name, workspaces: '*' };
}

/**
 * Runs an accounts verb on the server database (`<data dir>/server.duckdb`) as the local admin: the
 * person who can open that file can do anything the server can. The file must exist (the server
 * creates it on its first start) and not be held by a running server.
 */
export async function runOnServerDatabase(
  op: AnyOperation,
  params: Record<string, unknown>,
  global: GlobalOptions,
): Promise<unknown> {
  const tried = dataDirCandidates(global);
  const dir = tried.find((d) => existsSync(join(d, 'server.duckdb')));
  if (!dir)
    throw new TouchpointError(
      'not_found',
      `no server data (server.duckdb) in ${tried.join(', ')}: start the server once (touchpoint start or touchpoint serve), or give --data-dir`,
    );
  const file = join(dir, 'server.duckdb');
  const { ServerState } = await import('../server/state.js');
  const state = await ServerState.open(file).catch((e: unknown) => {
    if (isTouchpointError(e) && e.code === 'locked')
      throw new TouchpointError(
        'locked',
        `${file} is held by a running Touchpoint server: stop it, or send the command to it with --server URL and an admin key in TOUCHPOINT_API_KEY (keys and audit verbs; users and sessions need an admin user in the cockpit's Settings)`,
        { cause: e },
      );
    throw e;
  });
  const caller = localCaller();
  const ctx: OperationContext = {
    actor: `local:${caller.name}`,
    caller,
    workspace: typeof params.workspace === 'string' ? params.workspace : 'default',
    log: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    return await op.run(state.db, params, ctx);
  } finally {
    await state.close();
  }
}
