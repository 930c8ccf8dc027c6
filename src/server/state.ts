import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { TouchpointError } from '../core/errors.js';
import { type Migration, migrate, openStore, type Store, sql } from '../store/index.js';
import type { Principal, Role, Scope } from './routes.js';
import { ROLES, SCOPES } from './routes.js';
import { sha256, token } from './secrets.js';
import { SurveyLinks } from './survey-links.js';

/**
 * Server-wide state in its own DuckDB file (`DATA_DIR/server.duckdb`), opened with the same store
 * but with its own migrations (50–59): workspaces, users, sessions, API keys, survey tokens and the
 * audit log. Secrets are never stored: passwords and API keys as argon2id hashes, session ids and
 * survey tokens (random 256-bit values) as SHA-256.
 */
export const SERVER_MIGRATIONS: readonly Migration[] = [
  {
    version: 50,
    name: 'server-state',
    up: [
      sql`CREATE TABLE server_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
      sql`CREATE TABLE workspaces (name VARCHAR PRIMARY KEY, file VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)`,
      sql`CREATE TABLE users (
        id VARCHAR PRIMARY KEY, username VARCHAR NOT NULL UNIQUE, password_hash VARCHAR NOT NULL,
        role VARCHAR NOT NULL, workspaces JSON NOT NULL, created_at TIMESTAMP NOT NULL, disabled_at TIMESTAMP)`,
      sql`CREATE TABLE sessions (
        id_hash VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, csrf VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL)`,
      sql`CREATE TABLE api_keys (
        key_id VARCHAR PRIMARY KEY, hash VARCHAR NOT NULL, name VARCHAR NOT NULL, workspace VARCHAR NOT NULL,
        scopes JSON NOT NULL, created_by VARCHAR, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)`,
      sql`CREATE TABLE survey_tokens (
        token_hash VARCHAR PRIMARY KEY, workspace VARCHAR NOT NULL, survey_id VARCHAR NOT NULL,
        customer_id VARCHAR, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, used_at TIMESTAMP)`,
      sql`CREATE TABLE audit_log (
        id VARCHAR PRIMARY KEY, ts TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
        workspace VARCHAR, target VARCHAR, details JSON, ip VARCHAR, request_id VARCHAR)`,
    ],
  },
  {
    version: 51,
    name: 'survey-public-links',
    up: [
      sql`CREATE TABLE survey_public_links (
        link_id VARCHAR PRIMARY KEY, workspace VARCHAR NOT NULL, survey_id VARCHAR NOT NULL,
        per_hour INTEGER NOT NULL, created_by VARCHAR, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)`,
    ],
  },
];

const nowIso = (): Date => new Date();
/** `tp_<keyId: 16 hex>_<secret: 32 base64url>`. */
export const KEY_FORMAT = /^tp_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/;
export const WORKSPACE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SESSION_HOURS = 12;

export interface ApiKeyInfo {
  readonly keyId: string;
  readonly name: string;
  readonly workspace: string;
  readonly scopes: readonly Scope[];
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface UserInfo {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly workspaces: readonly string[] | '*';
  readonly createdAt: string;
}

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly workspace?: string | null;
  readonly target?: string | null;
  readonly details?: Record<string, unknown>;
  readonly ip?: string;
  readonly requestId?: string;
}

/** A tiny mutex: the state store has one connection and little traffic; keep its statements in order. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class ServerState {
  private readonly lock = new Mutex();
  /** sha256(full key) → key id, for keys verified once with argon2 (the hash is slow by design). */
  private readonly keyCache = new Map<string, { keyId: string; principal: Principal }>();
  private readonly sessionCache = new Map<string, { principal: Principal; expires: number }>();

  /** Survey tokens and public survey links. */
  readonly surveys = new SurveyLinks(this);

  private constructor(readonly db: Store) {}

  static async open(path: string): Promise<ServerState> {
    const db = await openStore(path, { migrate: false, memoryLimit: '256MB' });
    await migrate(db, SERVER_MIGRATIONS);
    return new ServerState(db);
  }

  close(): Promise<void> {
    return this.lock.run(() => this.db.close());
  }

  /** Runs `fn` on the state database, after the statements queued before it. */
  q<T>(fn: (db: Store) => Promise<T>): Promise<T> {
    return this.lock.run(() => fn(this.db));
  }

  // ── workspaces ──────────────────────────────────────────────────────────────
  async workspaces(): Promise<{ name: string; file: string; createdAt: string }[]> {
    const rows = await this.q((db) =>
      db.all<{ name: string; file: string; created_at: string }>(
        sql`SELECT name, file, created_at FROM workspaces ORDER BY name`,
      ),
    );
    return rows.map((r) => ({ name: r.name, file: r.file, createdAt: r.created_at }));
  }

  async workspaceFile(name: string): Promise<string | undefined> {
    const r = await this.q((db) =>
      db.one<{ file: string }>(sql`SELECT file FROM workspaces WHERE name = ${name}`),
    );
    return r?.file;
  }

  async addWorkspace(name: string, file: string): Promise<void> {
    if (!WORKSPACE_NAME.test(name))
      throw new TouchpointError('invalid_input', 'name: a workspace name is 1–63 of a-z 0-9 _ -', {
        details: [{ field: 'name', message: 'a workspace name is 1–63 of a-z 0-9 _ -, starting a-z or 0-9' }],
      });
    await this.q((db) =>
      db.exec(sql`INSERT INTO workspaces VALUES (${name}, ${file}, ${nowIso()})
        ON CONFLICT (name) DO UPDATE SET file = excluded.file`),
    );
  }

  // ── users and sessions ──────────────────────────────────────────────────────
  async userCount(): Promise<number> {
    const r = await this.q((db) => db.one<{ n: number }>(sql`SELECT count(*) AS n FROM users`));
    return r?.n ?? 0;
  }

  async createUser(input: {
    username: string;
    password: string;
    role: Role;
    workspaces: readonly string[] | '*';
  }): Promise<UserInfo> {
    if (input.password.length < 12)
      throw new TouchpointError('invalid_input', 'password: use at least 12 characters', {
        details: [{ field: 'password', message: 'use at least 12 characters' }],
      });
    if (!ROLES.includes(input.role))
      throw new TouchpointError('invalid_input', `role: one of ${ROLES.join(', ')}`, {
        details: [{ field: 'role', message: `one of ${ROLES.join(', ')}` }],
      });
    const id = `u_${token(9)}`;
    const passwordHash = await hash(input.password);
    const createdAt = nowIso();
    await this.q(async (db) => {
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

  async users(): Promise<UserInfo[]> {
    const rows = await this.q((db) =>
      db.all<{ id: string; username: string; role: Role; workspaces: string; created_at: string }>(
        sql`SELECT id, username, role, workspaces, created_at FROM users WHERE disabled_at IS NULL ORDER BY username`,
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      role: r.role,
      workspaces: JSON.parse(r.workspaces),
      createdAt: r.created_at,
    }));
  }

  /** Checks a password; returns a new session id (to set as cookie) and its CSRF token. */
  async login(
    username: string,
    password: string,
  ): Promise<{ sessionId: string; csrf: string; user: UserInfo }> {
    const row = await this.q((db) =>
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
    const now = nowIso();
    const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await this.q((db) =>
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
    const row = await this.q((db) =>
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
            WHERE s.id_hash = ${h} AND s.expires_at > ${nowIso()} AND u.disabled_at IS NULL`,
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
    await this.q((db) => db.exec(sql`DELETE FROM sessions WHERE id_hash = ${h}`));
  }

  // ── first run ───────────────────────────────────────────────────────────────
  /** A one-time setup token for creating the first admin (only while no user exists). */
  async issueSetupToken(): Promise<string> {
    const t = token(24);
    await this.q((db) =>
      db.exec(sql`INSERT INTO server_meta VALUES ('setup_token', ${sha256(t)})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    );
    return t;
  }

  async consumeSetupToken(t: string): Promise<boolean> {
    return this.q(async (db) => {
      const row = await db.one<{ value: string }>(
        sql`SELECT value FROM server_meta WHERE key = 'setup_token'`,
      );
      if (!row || !safeEqual(row.value, sha256(t))) return false;
      await db.exec(sql`DELETE FROM server_meta WHERE key = 'setup_token'`);
      return true;
    });
  }

  // ── API keys ────────────────────────────────────────────────────────────────
  /**
   * Creates a key `tp_<keyId>_<secret>`: the key id (public, indexed) finds the row in one lookup;
   * the secret is checked against its argon2id hash. The full key is returned once and never stored.
   */
  async createKey(input: {
    name: string;
    workspace: string;
    scopes: readonly Scope[];
    createdBy: string;
  }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (input.scopes.length === 0 || input.scopes.some((s) => !SCOPES.includes(s)))
      throw new TouchpointError('invalid_input', `scopes: one or more of ${SCOPES.join(', ')}`, {
        details: [{ field: 'scopes', message: `one or more of ${SCOPES.join(', ')}` }],
      });
    const keyId = randomBytes(8).toString('hex');
    const secret = token(24);
    const keyHash = await hash(secret);
    const createdAt = nowIso();
    await this.q((db) =>
      db.exec(sql`INSERT INTO api_keys VALUES (${keyId}, ${keyHash}, ${input.name}, ${input.workspace},
        ${JSON.stringify(input.scopes)}, ${input.createdBy}, ${createdAt}, NULL)`),
    );
    return {
      key: `tp_${keyId}_${secret}`,
      info: {
        keyId,
        name: input.name,
        workspace: input.workspace,
        scopes: input.scopes,
        createdBy: input.createdBy,
        createdAt: createdAt.toISOString(),
        revokedAt: null,
      },
    };
  }

  async keys(workspace: string): Promise<ApiKeyInfo[]> {
    const rows = await this.q((db) =>
      db.all<{
        key_id: string;
        name: string;
        workspace: string;
        scopes: string;
        created_by: string | null;
        created_at: string;
        revoked_at: string | null;
      }>(sql`SELECT key_id, name, workspace, scopes, created_by, created_at, revoked_at FROM api_keys
             WHERE workspace = ${workspace} ORDER BY created_at, key_id`),
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      name: r.name,
      workspace: r.workspace,
      scopes: JSON.parse(r.scopes),
      createdBy: r.created_by,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
    }));
  }

  async revokeKey(workspace: string, keyId: string): Promise<void> {
    const found = await this.q(async (db) => {
      const row = await db.one(
        sql`SELECT 1 FROM api_keys WHERE key_id = ${keyId} AND workspace = ${workspace} AND revoked_at IS NULL`,
      );
      if (row) await db.exec(sql`UPDATE api_keys SET revoked_at = ${nowIso()} WHERE key_id = ${keyId}`);
      return Boolean(row);
    });
    for (const [h, v] of this.keyCache) if (v.keyId === keyId) this.keyCache.delete(h);
    if (!found)
      throw new TouchpointError('not_found', `keyId: no active key ${keyId} in this workspace`, {
        details: [{ field: 'keyId', message: 'no active key with this id in this workspace' }],
      });
  }

  /** The principal of a key verified earlier in this process (no database, no argon2), if any. */
  cachedKey(key: string): Principal | undefined {
    return this.keyCache.get(sha256(key))?.principal;
  }

  /** The principal of an API key, or undefined when it is unknown, revoked or wrong. */
  async authenticateKey(key: string): Promise<Principal | undefined> {
    const m = KEY_FORMAT.exec(key);
    if (!m) return undefined;
    const h = sha256(key);
    const hit = this.keyCache.get(h);
    if (hit) return hit.principal;
    const row = await this.q((db) =>
      db.one<{ hash: string; name: string; workspace: string; scopes: string }>(
        sql`SELECT hash, name, workspace, scopes FROM api_keys WHERE key_id = ${m[1]!} AND revoked_at IS NULL`,
      ),
    );
    if (!row || !(await verify(row.hash, m[2]!))) return undefined;
    const principal: Principal = {
      type: 'key',
      id: m[1]!,
      name: row.name,
      scopes: JSON.parse(row.scopes),
      workspaces: [row.workspace],
    };
    this.keyCache.set(h, { keyId: m[1]!, principal });
    return principal;
  }

  // ── audit ───────────────────────────────────────────────────────────────────
  async audit(e: AuditEntry): Promise<void> {
    await this.q((db) =>
      db.exec(sql`INSERT INTO audit_log VALUES (${`a_${token(9)}`}, ${nowIso()}, ${e.actor}, ${e.action},
        ${e.workspace ?? null}, ${e.target ?? null}, ${JSON.stringify(e.details ?? {})}, ${e.ip ?? null},
        ${e.requestId ?? null})`),
    );
  }

  /** The newest entries of one workspace, and with `serverLevel` those of no workspace (users, setup). */
  async auditLog(workspace: string, limit: number, serverLevel = false): Promise<Record<string, unknown>[]> {
    const rows = await this.q((db) =>
      db.all<Record<string, unknown> & { details: string }>(
        sql`SELECT ts, actor, action, workspace, target, details, ip, request_id AS "requestId" FROM audit_log
            WHERE workspace = ${workspace} OR (${serverLevel} AND workspace IS NULL)
            ORDER BY ts DESC, id LIMIT ${limit}`,
      ),
    );
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }));
  }
}

// argon2id hash of a random string, used to spend the same time on unknown usernames.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Yb3Qm9eXqB4mH1G0c4sGd6m8wz1V3bC9yYw4PjJ8uM';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
