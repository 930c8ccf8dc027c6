import { type Store, sql } from '../store/index.js';
import { type Queue, queueFor } from './model.js';
import { token } from './secrets.js';

export interface AuditEntry {
  /** Who did it: `user:alice`, `key:website`, `local:<os user>` (the CLI), `env`, `anonymous`. */
  readonly actor: string;
  readonly action: string;
  readonly workspace?: string | null;
  readonly target?: string | null;
  readonly details?: Record<string, unknown>;
  readonly ip?: string;
  readonly requestId?: string;
}

/** The audit log of admin actions, in the server database: append-only, newest first. */
export class AuditLog {
  private readonly queue: Queue;
  constructor(db: Store | Queue) {
    this.queue = 'q' in db ? db : queueFor(db);
  }

  async record(e: AuditEntry): Promise<void> {
    await this.queue.q((db) =>
      db.exec(sql`INSERT INTO audit_log VALUES (${`a_${token(9)}`}, ${new Date()}, ${e.actor}, ${e.action},
        ${e.workspace ?? null}, ${e.target ?? null}, ${JSON.stringify(e.details ?? {})}, ${e.ip ?? null},
        ${e.requestId ?? null})`),
    );
  }

  /** The newest entries of one workspace, and with `serverLevel` those of no workspace (users, setup). */
  async list(workspace: string, limit: number, serverLevel = false): Promise<Record<string, unknown>[]> {
    const rows = await this.queue.q((db) =>
      db.all<Record<string, unknown> & { details: string }>(
        sql`SELECT ts, actor, action, workspace, target, details, ip, request_id AS "requestId" FROM audit_log
            WHERE workspace = ${workspace} OR (${serverLevel} AND workspace IS NULL)
            ORDER BY ts DESC, id LIMIT ${limit}`,
      ),
    );
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }));
  }
}
