import { totalmem } from 'node:os';
import { TouchpointError } from '../core/errors.js';

/**
 * The server's one rate limiter: a fixed window counter per id (`key:<keyId>`, `ip:<address>`,
 * `user:<id>`, `<route>:<address>`). Memory is bounded: past `maxIds` ids in one window the
 * oldest windows are dropped.
 */
export class Limiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly max: number,
    readonly windowMs = 60_000,
    private readonly maxIds = 100_000,
  ) {}

  /** Counts one request of `id`; false once `id` is over its limit in the current window. */
  hit(id: string): boolean {
    const now = Date.now();
    const w = this.windows.get(id);
    if (!w || now - w.start >= this.windowMs) {
      this.windows.delete(id);
      this.windows.set(id, { start: now, count: 1 });
      if (this.windows.size > this.maxIds) this.windows.delete(this.windows.keys().next().value!);
      return 1 <= this.max;
    }
    return ++w.count <= this.max;
  }

  /** True while `id` has used up its limit in the current window (without counting a request). */
  over(id: string): boolean {
    const w = this.windows.get(id);
    return Boolean(w && Date.now() - w.start < this.windowMs && w.count >= this.max);
  }

  /** Seconds until `id`'s window ends (at least 1). */
  retryAfter(id: string): number {
    const w = this.windows.get(id);
    return Math.max(1, Math.ceil(((w?.start ?? Date.now()) + this.windowMs - Date.now()) / 1000));
  }

  /** Counts a request and throws the 429 answer when `id` is over its limit. */
  take(id: string, what: string): void {
    if (!this.hit(id)) throw rateLimited(this, id, what);
  }

  /** Throws the 429 answer while `id` is over its limit (the request itself is not counted). */
  check(id: string, what: string): void {
    if (this.over(id)) throw rateLimited(this, id, what);
  }
}

/** A refused request: 429 with `Retry-After`, in the one error shape (code `rate_limited`). */
export class RateLimited extends TouchpointError {
  readonly statusCode = 429;
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super('forbidden', message);
  }
}

const rateLimited = (l: Limiter, id: string, what: string): RateLimited =>
  new RateLimited(
    `rate limited: at most ${l.max} ${what} per ${l.windowMs / 1000} s; retry after ${l.retryAfter(id)} s`,
    l.retryAfter(id),
  );

/**
 * Each workspace's DuckDB `memory_limit` by default: a fair share of 80% of this machine's RAM among
 * `maxOpen` workspaces open at once (DuckDB's own default is 80% of RAM per database, so eight open
 * workspaces could each claim most of the machine). At least 256 MB.
 */
export function fairMemoryShare(maxOpen: number, ram = totalmem()): string {
  return `${Math.max(256, Math.floor((0.8 * ram) / 2 ** 20 / Math.max(1, maxOpen)))}MB`;
}
