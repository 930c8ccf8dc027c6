import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResultCache } from './result-cache.js';
import type { Principal } from './routes.js';
import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

/** Who is calling and which workspace the request is bound to, once the route's guard passed. */
export interface Guarded {
  readonly principal: Principal | undefined;
  readonly workspace: string;
}

/** A route handler after the guard: parse → call → respond. */
export type Handler = (req: FastifyRequest, reply: FastifyReply, g: Guarded) => Promise<unknown>;

/** What every group of routes needs from the running server. */
export interface ServerContext {
  readonly state: ServerState;
  readonly workspaces: Workspaces;
  /** Results of `cache` reads, per workspace and data generation. */
  readonly results: ResultCache;
  /** The server's own URL (known once it listens). */
  readonly url: () => string;
  /** Records an admin action in the audit log, with who did it, from where, in which request. */
  readonly audit: (
    req: FastifyRequest,
    g: { readonly principal: Principal | undefined; readonly workspace: string | null },
    action: string,
    target: string | null,
    details?: Record<string, unknown>,
  ) => Promise<void>;
}

/** `user:alice`, `key:website`, `local:local-admin`, or `anonymous`. */
export const actorOf = (p: Principal | undefined): string => (p ? `${p.type}:${p.name}` : 'anonymous');
