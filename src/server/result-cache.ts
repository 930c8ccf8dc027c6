/**
 * Results of read analyses kept until the workspace's data changes (docs/web.md "First paint").
 *
 * An operation that declares `cache` (src/core/operation.ts) computes its result from the workspace's
 * data and its parameters only, so the server answers the same call from memory until the next write
 * to that workspace. Every write goes through the workspace's single writer, which moves its
 * `generation` after each committed job (src/server/workspaces.ts): an entry belongs to the
 * generation it was computed at and is never served at another. Identical calls in flight share one
 * computation (a page's panels and a second tab ask for the same figures at once). The keys are the
 * parsed parameters (defaults filled in), so `?feedbackKind=csat` and no parameter are one entry.
 *
 * `warm` recomputes, one at a time, the calls asked for at the previous generation (and each cached
 * operation's defaults at start), so the first person to open a page after an import does not pay
 * for it: see `Warmer`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { AnyOperation } from '../core/operation.js';
import { parseParams, type RawInput } from '../core/params.js';

interface Entry {
  readonly value: Promise<unknown>;
  readonly at: number;
}

/** Stable JSON of parsed parameters: keys sorted, undefined left out. */
export function paramsKey(params: Readonly<Record<string, unknown>>): string {
  const sorted = Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort()
    .map((k) => [k, params[k]]);
  return JSON.stringify(sorted);
}

/** One call as the cache knows it: which operation, with which parsed parameters. */
export interface CachedCall {
  readonly op: AnyOperation;
  readonly params: Record<string, unknown>;
}

export class ResultCache {
  /** Per workspace: the generation its entries belong to and the entries, oldest use first. */
  private readonly spaces = new Map<
    string,
    { generation: number; entries: Map<string, Entry>; calls: Map<string, CachedCall> }
  >();
  hits = 0;
  misses = 0;

  constructor(
    /** Most entries kept per workspace (least recently used go first). */
    private readonly maxEntries = 300,
    private readonly clock: () => number = Date.now,
  ) {}

  private space(workspace: string, generation: number) {
    let s = this.spaces.get(workspace);
    if (!s || s.generation !== generation) {
      // the data moved on: every entry of the older generation is dropped at once; the calls asked
      // for stay known so the warmer can recompute them
      const calls = s?.calls ?? new Map<string, CachedCall>();
      s = { generation, entries: new Map(), calls };
      this.spaces.set(workspace, s);
    }
    return s;
  }

  /**
   * The result of `call` on `workspace` at `generation`: from memory when computed at this
   * generation (and, for an operation with `maxAgeSeconds`, not older than that), else `compute()`'s,
   * kept unless it fails.
   */
  get<T>(
    workspace: string,
    generation: number,
    call: CachedCall,
    compute: () => Promise<T>,
    count = true,
  ): Promise<T> {
    const s = this.space(workspace, generation);
    const key = `${call.op.area}.${call.op.verb}\u0000${paramsKey(call.params)}`;
    s.calls.delete(key);
    s.calls.set(key, call);
    while (s.calls.size > this.maxEntries) s.calls.delete(s.calls.keys().next().value!);
    const maxAge = call.op.cache?.maxAgeSeconds;
    const hit = s.entries.get(key);
    if (hit && (maxAge === undefined || this.clock() - hit.at <= maxAge * 1000)) {
      if (count) this.hits++;
      s.entries.delete(key); // most recently used last
      s.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    if (count) this.misses++;
    const value = compute();
    const entry: Entry = { value, at: this.clock() };
    s.entries.set(key, entry);
    while (s.entries.size > this.maxEntries) s.entries.delete(s.entries.keys().next().value!);
    // a failure is not kept: the next call tries again
    value.catch(() => {
      if (s.entries.get(key) === entry) s.entries.delete(key);
    });
    return value;
  }

  /** Whether `call` is answered from memory at `generation` now. */
  has(workspace: string, generation: number, call: CachedCall): boolean {
    const s = this.spaces.get(workspace);
    if (!s || s.generation !== generation) return false;
    return s.entries.has(`${call.op.area}.${call.op.verb}\u0000${paramsKey(call.params)}`);
  }

  /** The calls asked for on `workspace` (most recent last): what the warmer recomputes after a write. */
  calls(workspace: string): CachedCall[] {
    return [...(this.spaces.get(workspace)?.calls.values() ?? [])];
  }

  /** Forgets a workspace (closed, replaced). */
  drop(workspace: string): void {
    this.spaces.delete(workspace);
  }
}

/**
 * Recomputes, in the background and one at a time, the cached calls of a workspace after its data
 * changed (and each cached operation's defaults at start): the calls asked for most recently first.
 * A pass starts `delayMs` after the last write, so an import of many batches is warmed once.
 */
export class Warmer {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly extras = new Map<string, () => readonly CachedCall[]>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private stopped = false;
  /** Calls recomputed so far. */
  warmed = 0;

  constructor(
    private readonly cache: ResultCache,
    /** Computes one call into the cache (nothing when it is there already). */
    private readonly recompute: (workspace: string, call: CachedCall) => Promise<void>,
    private readonly delayMs = 1000,
  ) {}

  /** Plans a pass over `workspace`'s calls, plus `extra` (the defaults at start). */
  schedule(workspace: string, extra: () => readonly CachedCall[] = () => []): void {
    if (this.stopped) return;
    const before = this.timers.get(workspace);
    if (before) clearTimeout(before);
    else this.pending++;
    // a pass planned again before it ran (a write right after start) keeps what was planned with it
    const earlier = this.extras.get(workspace);
    const all = earlier ? () => [...earlier(), ...extra()] : extra;
    this.extras.set(workspace, all);
    const t = setTimeout(() => {
      this.timers.delete(workspace);
      this.extras.delete(workspace);
      this.chain = this.chain.then(() => this.pass(workspace, all())).finally(() => this.pending--);
    }, this.delayMs);
    t.unref?.();
    this.timers.set(workspace, t);
  }

  private async pass(workspace: string, extra: readonly CachedCall[]): Promise<void> {
    const seen = new Set<string>();
    for (const call of [...this.cache.calls(workspace).reverse(), ...extra]) {
      if (this.stopped) return;
      const key = `${call.op.area}.${call.op.verb}\u0000${paramsKey(call.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        await this.recompute(workspace, call);
        this.warmed++;
      } catch {
        // a call that fails here fails for its caller too, with its message; nothing to keep
      }
    }
  }

  /** Resolves once no pass is planned or running (benchmarks and tests wait for it). */
  async idle(): Promise<void> {
    while (this.pending > 0) {
      await this.chain;
      if (this.pending > 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** No new pass; waits for the running call to finish (before the workspaces close). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.pending -= this.timers.size;
    this.timers.clear();
    await this.chain;
  }
}

/** A call as kept on disk between runs: the operation's name and its parameters as query text. */
interface SavedCall {
  readonly op: string;
  readonly params: Record<string, string | string[]>;
}

const asText = (v: unknown): string | string[] | undefined =>
  v === undefined || v === null
    ? undefined
    : Array.isArray(v)
      ? v.map((x) => (x instanceof Date ? x.toISOString() : String(x)))
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? undefined
          : String(v);

/**
 * Writes the calls asked for on each workspace to `file` (at shutdown), so the next start recomputes
 * what people looked at, not only each analysis's defaults. Parameters are kept as query text and
 * parsed again at start, exactly as a request's would be.
 */
export function saveCalls(file: string, cache: ResultCache, workspaces: readonly string[]): void {
  const out: Record<string, SavedCall[]> = {};
  for (const w of workspaces)
    out[w] = cache.calls(w).map((c) => ({
      op: `${c.op.area}.${c.op.verb}`,
      params: Object.fromEntries(
        Object.entries(c.params)
          .map(([k, v]) => [k, asText(v)] as const)
          .filter((e): e is readonly [string, string | string[]] => e[1] !== undefined),
      ),
    }));
  writeFileSync(file, `${JSON.stringify(out)}\n`, { mode: 0o600 });
}

/** The calls of `workspace` saved by the previous run (none when absent or unreadable). */
export function loadCalls(file: string, workspace: string, ops: readonly AnyOperation[]): CachedCall[] {
  let saved: Record<string, SavedCall[]>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SavedCall[]>;
  } catch {
    return [];
  }
  const out: CachedCall[] = [];
  for (const s of saved[workspace] ?? []) {
    const op = ops.find((o) => `${o.area}.${o.verb}` === s.op);
    if (!op?.cache || op.mode !== 'read') continue;
    try {
      out.push({ op, params: parseParams(op.params, s.params as RawInput) as Record<string, unknown> });
    } catch {
      // the operation's parameters changed since: nothing to compute ahead
    }
  }
  return out;
}

/** Each cached read with its default parameters (those that need none), as a request would parse them. */
export function defaultCalls(ops: readonly AnyOperation[]): CachedCall[] {
  const out: CachedCall[] = [];
  for (const op of ops) {
    if (!op.cache || op.mode !== 'read' || op.database === 'server' || op.edges?.http === false) continue;
    try {
      out.push({ op, params: parseParams(op.params, {} as RawInput) as Record<string, unknown> });
    } catch {
      // needs a parameter (a finding id, a customer): nothing to compute ahead
    }
  }
  return out;
}
