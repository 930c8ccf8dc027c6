import { hash, verify } from '@node-rs/argon2';
import { TouchpointError } from '../core/errors.js';
import { sql } from '../store/index.js';
import { MIN_PASSWORD, type Principal, type Queue, ROLES, type Role, type UserInfo } from './model.js';
import { sha256, token } from './secrets.js';

const SESSION_HOURS = 12;

/** User accounts (argon2id password hashes) and their sessions (stored as SHA-256 of the id). */
export class Users {
  private readonly sessionCache = new Map<string, { principal: Principal; expires: number }>();

  constructor(private readonly state: Queue) {}
  async userCount(): Promise<number> {
    const r = await this.state.q((db) => db.one<{ n: number }>(sql`SELECT count(*) AS n FROM users`));
    return r?.n ?? 0;
  }

  async createUser(input: {
    username: string;
    password: string;
    role: Role;
    workspaces: readonly string[] | '*';
  }): Promise<UserInfo> {
    checkPassword(input.password);
    if (!ROLES.includes(input.role))
      throw new TouchpointError('invalid_input', `role: one of ${ROLES.join(', ')}`, {
        details: [{ field: 'role', message: `one of ${ROLES.join(', ')}` }],
      });
    const id = `u_${token(9)}`;
    const passwordHash = await hash(input.password);
    const createdAt = new Date();
    await this.state.q(async (db) => {
      const clash = await db.one(sql`SELECT 1 FROM users WHERE username = ${input.username}`);
      if (clash)
        throw new TouchpointError('conflict', `username: ${input.username} exists`, {
          details: [{ field: 'username', message: 'exists' }],
        });
      await db.exec(sql`INSERT INTO users VALUES (${id}, ${input.username}, ${passwordHash}, ${input.role},
        ${JSON.stringify(input.workspaces)}, ${createdAt}, NULL)`);
    });
    return {
      id,
      username: input.username,
      role: input.role,
      workspaces: input.workspaces,
      createdAt: createdAt.toISOString(),
    };
  }

  /** Every account, disabled ones too (with `disabledAt`). */
  async list(): Promise<(UserInfo & { disabledAt: string | null })[]> {
    const rows = await this.state.q((db) =>
      db.all<{
        id: string;
        username: string;
        role: Role;
        workspaces: string;
        created_at: string;
        disabled_at: string | null;
      }>(sql`SELECT id, username, role, workspaces, created_at, disabled_at FROM users ORDER BY username`),
    );
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      role: r.role,
      workspaces: JSON.parse(r.workspaces),
      createdAt: r.created_at,
      disabledAt: r.disabled_at,
    }));
  }

  /** The account of `username`, or a 404 naming the field. */
  async byName(username: string): Promise<{ id: string; passwordHash: string; disabled: boolean }> {
    const r = await this.state.q((db) =>
      db.one<{ id: string; password_hash: string; disabled_at: string | null }>(
        sql`SELECT id, password_hash, disabled_at FROM users WHERE username = ${username}`,
      ),
    );
    if (!r)
      throw new TouchpointError('not_found', `username: no user ${username}`, {
        details: [{ field: 'username', message: 'no such user' }],
      });
    return { id: r.id, passwordHash: r.password_hash, disabled: r.disabled_at !== null };
  }

  /** Disables (and signs out everywhere) or re-enables an account; returns how many sessions ended. */
  async setDisabled(username: string, disabled: boolean): Promise<number> {
    const u = await this.byName(username);
    await this.state.q((db) =>
      db.exec(sql`UPDATE users SET disabled_at = ${disabled ? new Date() : null} WHERE id = ${u.id}`),
    );
    return disabled ? this.endSessions(u.id) : 0;
  }

  /**
   * Sets a new password. With `oldPassword` (a user changing their own) the old one must match;
   * without it (an admin reset) it is not asked. Every session of the user ends except `keepSession`;
   * returns how many ended.
   */
  async setPassword(
    username: string,
    password: string,
    opts: { oldPassword?: string; keepSession?: string } = {},
  ): Promise<number> {
    checkPassword(password);
    const u = await this.byName(username);
    if (opts.oldPassword !== undefined && !(await verify(u.passwordHash, opts.oldPassword)))
      throw new TouchpointError('forbidden', 'oldPassword: wrong password', {
        details: [{ field: 'oldPassword', message: 'wrong password' }],
      });
    const passwordHash = await hash(password);
    await this.state.q((db) =>
      db.exec(sql`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${u.id}`),
    );
    return this.endSessions(u.id, opts.keepSession);
  }

  /** Ends every session of a user (but `keepSession`, a session id); returns how many ended. */
  async endSessions(userId: string, keepSession?: string): Promise<number> {
    const keep = keepSession ? sha256(keepSession) : '';
    for (const [h, v] of this.sessionCache)
      if (v.principal.id === userId && h !== keep) this.sessionCache.delete(h);
    return this.state.q(async (db) => {
      const n = await db.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM sessions WHERE user_id = ${userId} AND id_hash <> ${keep}`,
      );
      await db.exec(sql`DELETE FROM sessions WHERE user_id = ${userId} AND id_hash <> ${keep}`);
      return n?.n ?? 0;
    });
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = new Date();
    for (const [h, v] of this.sessionCache) if (v.expires <= now.getTime()) this.sessionCache.delete(h);
    return this.state.q(async (db) => {
      const n = await db.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM sessions WHERE expires_at <= ${now}`,
      );
      await db.exec(sql`DELETE FROM sessions WHERE expires_at <= ${now}`);
      return n?.n ?? 0;
    });
  }

  /** Checks a password; returns a new session id (to set as cookie) and its CSRF token. */
  async login(
    username: string,
    password: string,
  ): Promise<{ sessionId: string; csrf: string; user: UserInfo }> {
    const row = await this.state.q((db) =>
      db.one<{ id: string; password_hash: string; role: Role; workspaces: string; created_at: string }>(
        sql`SELECT id, password_hash, role, workspaces, created_at FROM users
            WHERE username = ${username} AND disabled_at IS NULL`,
      ),
    );
    // verify against a dummy hash when the user does not exist, so timing does not reveal names
    const ok = row
      ? await verify(row.password_hash, password)
      : await verify(DUMMY_HASH, password).then(() => false);
    if (!row || !ok) throw new TouchpointError('unauthorized', 'wrong username or password');
    const sessionId = token(32);
    const csrf = token(24);
    const now = new Date();
    const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await this.state.q((db) =>
      db.exec(
        sql`INSERT INTO sessions VALUES (${sha256(sessionId)}, ${row.id}, ${csrf}, ${now}, ${expires})`,
      ),
    );
    return {
      sessionId,
      csrf,
      user: {
        id: row.id,
        username,
        role: row.role,
        workspaces: JSON.parse(row.workspaces),
        createdAt: row.created_at,
      },
    };
  }

  async session(sessionId: string): Promise<Principal | undefined> {
    const h = sha256(sessionId);
    const hit = this.sessionCache.get(h);
    if (hit && hit.expires > Date.now()) return hit.principal;
    const row = await this.state.q((db) =>
      db.one<{
        user_id: string;
        csrf: string;
        expires_at: string;
        username: string;
        role: Role;
        workspaces: string;
      }>(
        sql`SELECT s.user_id, s.csrf, s.expires_at, u.username, u.role, u.workspaces
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id_hash = ${h} AND s.expires_at > ${new Date()} AND u.disabled_at IS NULL`,
      ),
    );
    if (!row) return undefined;
    const principal: Principal = {
      type: 'user',
      id: row.user_id,
      name: row.username,
      role: row.role,
      workspaces: JSON.parse(row.workspaces),
      csrf: row.csrf,
    };
    this.sessionCache.set(h, {
      principal,
      expires: Math.min(Date.parse(row.expires_at), Date.now() + 60_000),
    });
    return principal;
  }

  async logout(sessionId: string): Promise<void> {
    const h = sha256(sessionId);
    this.sessionCache.delete(h);
    await this.state.q((db) => db.exec(sql`DELETE FROM sessions WHERE id_hash = ${h}`));
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD)
    throw new TouchpointError('invalid_input', `password: use at least ${MIN_PASSWORD} characters`, {
      details: [{ field: 'password', message: `use at least ${MIN_PASSWORD} characters` }],
    });
}

// argon2id hash of a random string, used to spend the same time on unknown usernames.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Yb3Qm9eXqB4mH1G0c4sGd6m8wz1V3bC9yYw4PjJ8uM';
