import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { TouchpointError } from '../core/errors.js';
import { sql } from '../store/index.js';
import { type ApiKeyInfo, KEY_FORMAT, type Principal, type Queue, SCOPES, type Scope } from './model.js';
import { sha256, token } from './secrets.js';

/** API keys `tp_<keyId>_<secret>`: the secret stored as an argon2id hash, verified keys cached by SHA-256. */
export class ApiKeys {
  /** sha256(full key) → key id, for keys verified once with argon2 (the hash is slow by design). */
  private readonly keyCache = new Map<string, { keyId: string; principal: Principal }>();

  constructor(private readonly state: Queue) {}
  /**
   * Creates a key `tp_<keyId>_<secret>`: the key id (public, indexed) finds the row in one lookup;
   * the secret is checked against its argon2id hash. The full key is returned once and never stored.
   */
  async createKey(input: {
    name: string;
    workspace: string;
    scopes: readonly Scope[];
    createdBy: string;
    /** The key that mints this one, when a key does: revoked with it. */
    parentKey?: string;
  }): Promise<{ key: string; info: ApiKeyInfo }> {
    if (input.scopes.length === 0 || input.scopes.some((s) => !SCOPES.includes(s)))
      throw new TouchpointError('invalid_input', `scopes: one or more of ${SCOPES.join(', ')}`, {
        details: [{ field: 'scopes', message: `one or more of ${SCOPES.join(', ')}` }],
      });
    const keyId = randomBytes(8).toString('hex');
    const secret = token(24);
    const keyHash = await hash(secret);
    const createdAt = new Date();
    await this.state.q((db) =>
      db.exec(sql`INSERT INTO api_keys (key_id, hash, name, workspace, scopes, created_by, created_at, revoked_at, parent_key)
        VALUES (${keyId}, ${keyHash}, ${input.name}, ${input.workspace}, ${JSON.stringify(input.scopes)},
        ${input.createdBy}, ${createdAt}, NULL, ${input.parentKey ?? null})`),
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

  async list(workspace: string): Promise<ApiKeyInfo[]> {
    const rows = await this.state.q((db) =>
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

  /** Revokes a key of the workspace and every key minted by it (transitively); returns their ids. */
  async revokeKey(workspace: string, keyId: string): Promise<string[]> {
    const revoked = await this.state.q(async (db) => {
      const row = await db.one(
        sql`SELECT 1 FROM api_keys WHERE key_id = ${keyId} AND workspace = ${workspace} AND revoked_at IS NULL`,
      );
      if (!row) return [];
      const tree = await db.all<{ key_id: string }>(
        sql`WITH RECURSIVE tree(key_id) AS (
              SELECT ${keyId}
              UNION SELECT k.key_id FROM api_keys k JOIN tree t ON k.parent_key = t.key_id
            )
            SELECT a.key_id FROM tree JOIN api_keys a USING (key_id) WHERE a.revoked_at IS NULL ORDER BY a.key_id`,
      );
      const ids = tree.map((r) => r.key_id);
      await db.exec(sql`UPDATE api_keys SET revoked_at = ${new Date()} WHERE list_contains(${ids}, key_id)`);
      return ids;
    });
    for (const [h, v] of this.keyCache) if (revoked.includes(v.keyId)) this.keyCache.delete(h);
    if (revoked.length === 0)
      throw new TouchpointError('not_found', `keyId: no active key ${keyId} in this workspace`, {
        details: [{ field: 'keyId', message: 'no active key with this id in this workspace' }],
      });
    return revoked;
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
    const row = await this.state.q((db) =>
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
}
