import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

/** The default workspace, and the first admin from the environment or a one-time setup token. */
export async function firstRun(state: ServerState, workspaces: Workspaces, db: string | undefined) {
  await workspaces.ensure('default', db);
  await workspaces.get('default');
  if ((await state.users.userCount()) > 0) return undefined;
  const password = process.env.TOUCHPOINT_ADMIN_PASSWORD;
  if (!password) return state.issueSetupToken();
  const user = await state.users.createUser({
    username: process.env.TOUCHPOINT_ADMIN_USER ?? 'admin',
    password,
    role: 'admin',
    workspaces: '*',
  });
  await state.audit({ actor: 'env', action: 'setup.admin', target: user.id });
  return undefined;
}

/** Files this process creates (databases, WAL, sidecars) are its owner's only: umask 077. */
export function restrictNewFiles(): void {
  try {
    process.umask(process.umask() | 0o077);
  } catch {
    // not allowed in a worker thread; ownerOnly() still tightens the database files
  }
}
