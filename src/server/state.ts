import { timingSafeEqual } from 'node:crypto';
import {
  type Accounts,
  type AuditEntry,
  accountsOf,
  type Queue,
  sha256,
  token,
  WORKSPACE_NAME,
} from '../accounts/index.js';
import { TouchpointError } from '../core/errors.js';
import { type Migration, migrate, openStore, type Store, sql } from '../store/index.js';
import { SurveyLinks } from './survey-links.js';

export {
  type ApiKeyInfo,
  type AuditEntry,
  KEY_FORMAT,
  type UserInfo,
  WORKSPACE_NAME,
} from '../accounts/index.js';

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
  {
    version: 52,
    name: 'api-key-parent',
    // the key that minted a key: revoking a key revokes every key it minted, transitively
    up: [sql`ALTER TABLE api_keys ADD COLUMN parent_key VARCHAR`],
  },
];

const nowIso = (): Date => new Date();

export class ServerState {
  /** The one queue of this database's statements, shared with the account operations run on it. */
  private readonly queue: Queue;
  /** Users, sessions, API keys and the audit log (the accounts capability). */
  readonly accounts: Accounts;
  /** Survey tokens and public survey links. */
  readonly surveys = new SurveyLinks(this);

  private constructor(readonly db: Store) {
    this.accounts = accountsOf(db);
    this.queue = this.accounts.queue;
  }
  /** User accounts and their sessions. */
  get users() {
    return this.accounts.users;
  }
  /** API keys. */
  get keys() {
    return this.accounts.keys;
  }

  static async open(path: string): Promise<ServerState> {
    const db = await openStore(path, { migrate: false, memoryLimit: '256MB' });
    await migrate(db, SERVER_MIGRATIONS);
    return new ServerState(db);
  }

  close(): Promise<void> {
    return this.queue.q((db) => db.close());
  }

  /** Runs `fn` on the state database, after the statements queued before it. */
  q<T>(fn: (db: Store) => Promise<T>): Promise<T> {
    return this.queue.q(fn);
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

  // ── audit ───────────────────────────────────────────────────────────────────
  audit(e: AuditEntry): Promise<void> {
    return this.accounts.audit.record(e);
  }

  /** The newest entries of one workspace, and with `serverLevel` those of no workspace (users, setup). */
  auditLog(workspace: string, limit: number, serverLevel = false): Promise<Record<string, unknown>[]> {
    return this.accounts.audit.list(workspace, limit, serverLevel);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
