import type { z } from 'zod';
import type { Store } from '../store/index.js';

/** Progress of long work, reported by domains and drawn by the edge (a bar in the CLI). */
export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total?: number;
  readonly unit?: string;
}

export interface OperationContext {
  readonly onProgress?: (p: Progress) => void;
  /** Lines of information for a person (warnings, notes); the CLI prints them to stderr. */
  readonly log?: (line: string) => void;
  /** The clock; tests and replays pin it. */
  readonly now?: () => Date;
  /** Who is calling, when an edge knows (server: `user:alice` or `key:website`; CLI: `local:<os user>`). */
  readonly actor?: string;
  /** The caller's identity and reach, for verbs that depend on who asks (accounts). */
  readonly caller?: Caller;
  /** The workspace the edge bound the call to (server: the key's or the chosen one; CLI: `default`). */
  readonly workspace?: string;
  /** Where the call came from, for the audit log (server: client address and request id). */
  readonly origin?: { readonly ip?: string; readonly requestId?: string };
}

/** Who calls, as the edges know it: a user, an API key, or the local admin (the CLI, loopback `start`). */
export interface Caller {
  readonly type: 'user' | 'key' | 'local';
  readonly id: string;
  readonly name: string;
  /** The workspaces the caller may use, or '*' for all. */
  readonly workspaces: readonly string[] | '*';
}

/**
 * What a caller must be granted to run an operation on the server (docs/permissions.md): `read`
 * (viewers and up), `act` (work a queue: agents and up), `write` (change analyses: analysts and up),
 * `ingest`, `admin` (replace or undo workspace data, manage its keys; audited), or `server` (users and
 * sessions: an admin user of every workspace, never a key nor a workspace-limited admin).
 */
export type OperationPermission = 'read' | 'act' | 'write' | 'ingest' | 'admin' | 'server';

/** What a person reads: sections of rows (drawn as tables) or text. */
export type Section =
  | {
      readonly title?: string;
      readonly rows: readonly object[];
      readonly columns?: readonly string[];
    }
  | { readonly title?: string; readonly text: string };

/**
 * One capability verb, written once and served at every edge (DESIGN.md §5):
 * `touchpoint <area> <verb>` in the CLI, `GET|POST /api/v1/<area>/<verb>` in the server, and the
 * cockpit page, all validate with `params` and call `run`.
 */
export interface Operation<S extends z.ZodObject = z.ZodObject, R = unknown> {
  readonly area: string;
  readonly verb: string;
  readonly summary: string;
  readonly params: S;
  /** read: GET, safe to repeat. write: POST, changes the workspace. */
  readonly mode: 'read' | 'write';
  /** Needed on the server; default `read` for reads and `write` for writes. */
  readonly permission?: OperationPermission;
  /**
   * `optional`: the verb works on its input alone (a file, a calculator) and uses the workspace only
   * when there is one (e.g. its taxonomy); without one it runs on an empty in-memory workspace
   * instead of being refused.
   */
  readonly workspace?: 'optional';
  /**
   * `server`: runs on the server's own database (accounts: users, sessions, keys, audit log) instead
   * of a workspace's; the CLI opens `<data dir>/server.duckdb`. Such verbs record their own audit
   * entries, with `ctx.actor`.
   */
  readonly database?: 'server';
  /**
   * Parameters that name a file to read, each with the text parameter it fills: the CLI reads the
   * file into the text parameter (the path stays for messages); the server reads no file by path and
   * refuses the path parameter. The operation itself never opens a user's path.
   */
  readonly fileInputs?: Readonly<Record<string, string>>;
  /**
   * Parameters that name a file to write (`out`) → the result field that holds its content (text, or
   * bytes for a PDF). When the parameter is given, the operation puts the content in that field; the
   * CLI edge writes the file and prints the rest of the result. The operation never opens the path,
   * and the server refuses the parameter (an API caller reads the result itself).
   */
  readonly fileOutputs?: Readonly<Record<string, string>>;
  /**
   * A read whose input is an uploaded file's text (e.g. a CSV to analyse): the server takes it as a
   * POST with a JSON body, still runs it as a read and with a read's permission. Default false.
   */
  readonly upload?: boolean;
  /** Edges that serve it (default both). File-path verbs such as `import` are CLI-only. */
  readonly edges?: { readonly cli?: boolean; readonly http?: boolean };
  /** The area's default verb in the CLI: `touchpoint demo` runs `demo generate`. */
  readonly isDefault?: boolean;
  /** Parameter names taken as positional CLI arguments, in order. */
  readonly positional?: readonly string[];
  /**
   * When a running Touchpoint server holds the workspace file (its sidecar `<db>.server.json` names a
   * live process), the CLI sends the call to that server instead of failing on the lock — for verbs
   * cron runs against a served workspace (`monitors run`). Default false.
   */
  readonly viaServer?: boolean;
  /** Long lists: the server paginates this result field. */
  readonly listField?: string;
  /**
   * A read whose result is a function of the workspace's data and its parameters only — not of who
   * asks — may be kept by the server until the next write to the workspace (src/server/result-cache.ts),
   * and recomputed in the background after a write. `maxAgeSeconds`: the result also reads the clock
   * (an age, a due date), so it is kept at most that long. Absent: computed on every call.
   */
  readonly cache?: { readonly maxAgeSeconds?: number };
  run(db: Store, params: z.output<S>, ctx: OperationContext): Promise<R>;
  /** The human view for the terminal; without it the CLI draws the result generically. */
  present?(result: R, params: z.output<S>): readonly Section[];
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds operations of every parameter type
export type AnyOperation = Operation<z.ZodObject, any>;

/**
 * Typed identity: keeps `run`'s params inferred from the schema, and the area and verb as literal
 * types, so an edge can name an operation's result type by `'<area>.<verb>'` (the cockpit's typed
 * `useOp`, src/web/op-types.ts).
 */
export function defineOperation<
  S extends z.ZodObject,
  R,
  const A extends string = string,
  const V extends string = string,
>(
  op: Operation<S, R> & { readonly area: A; readonly verb: V },
): Operation<S, R> & { readonly area: A; readonly verb: V } {
  return op;
}
