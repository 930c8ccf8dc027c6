import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TouchpointError } from '../core/errors.js';
import { openStore, type Store } from '../store/index.js';
import { ownerOnly, readSidecar, type Sidecar, sidecarPath } from './sidecar.js';
import type { ServerState } from './state.js';

export { ownerOnly, readSidecar, type Sidecar, sidecarPath } from './sidecar.js';

import type { GroupReport, Importer, IngestPart } from './ingest-types.js';

export type { GroupReport, Importer, ImportReport, IngestPart } from './ingest-types.js';

interface IngestJob {
  readonly type: 'ingest';
  /** Committed together or not at all (one request: e.g. a webhook's cases and case events). */
  readonly parts: readonly IngestPart[];
  readonly size: number;
  readonly source: string;
  readonly resolve: (r: GroupReport[]) => void;
  readonly reject: (e: unknown) => void;
}

/** Kinds are loaded in this order inside a transaction: a case before its events. */
const KIND_ORDER = ['customers', 'cases', 'events', 'feedback', 'case-events'];
const kindRank = (k: string): number => {
  const i = KIND_ORDER.indexOf(k);
  return i < 0 ? KIND_ORDER.length : i;
};
interface ExclusiveJob {
  readonly type: 'exclusive';
  readonly fn: (db: Store) => Promise<unknown>;
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: unknown) => void;
}
type Job = IngestJob | ExclusiveJob;

/** Most records one group commit takes; later batches wait for the next transaction. */
export const GROUP_MAX_RECORDS = 50_000;

/**
 * One open workspace file and its single writer. Every change goes through one queue: ingest batches
 * that arrive together share one transaction (group commit) and each caller is answered only after
 * COMMIT returned; write operations run alone, in order. Reads run on their own connections and see
 * the last committed state.
 */
export class Workspace {
  private readonly queue: Job[] = [];
  private draining: Promise<void> | undefined;
  private closing = false;
  groups = 0;
  /**
   * Moves after every job of the single writer (a write operation, an ingest group), once it has
   * committed or failed: a result computed at one generation is stale at the next (result-cache.ts).
   */
  generation = 0;
  /** Called after the generation moved (the server's warmer recomputes what people look at). */
  onWritten: ((workspace: string) => void) | undefined;

  constructor(
    readonly name: string,
    readonly db: Store,
    private readonly importer: () => Promise<Importer>,
  ) {}

  ingest(kind: string, records: readonly Record<string, unknown>[], source: string): Promise<GroupReport> {
    return this.ingestAll([{ kind, records }], source).then((r) => r[0]!);
  }

  /**
   * Several kinds in one transaction: every part is stored, or (one invalid record anywhere) none.
   * The reports are in the order of `parts`.
   */
  ingestAll(parts: readonly IngestPart[], source: string): Promise<GroupReport[]> {
    const size = parts.reduce((n, p) => n + p.records.length, 0);
    return new Promise<GroupReport[]>((resolve, reject) => {
      this.push({ type: 'ingest', parts, size, source, resolve, reject });
    });
  }

  write<T>(fn: (db: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push({ type: 'exclusive', fn, resolve: resolve as (r: unknown) => void, reject });
    });
  }

  /** A read on its own connection, isolated from writes in flight. */
  read<T>(fn: (db: Store) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  private push(job: Job): void {
    if (this.closing) {
      job.reject(
        new TouchpointError('unavailable', 'the server is shutting down; retry against the next one'),
      );
      return;
    }
    this.queue.push(job);
    this.kick();
  }

  /**
   * Starts the drain loop unless it runs. A job pushed after the loop saw an empty queue but before
   * it finished (a caller answered by the last commit that at once queues more work) is picked up
   * by the re-check, never left waiting.
   */
  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // let batches that arrived in the same tick join the first transaction
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const first = this.queue[0]!;
      if (first.type === 'exclusive') {
        this.queue.shift();
        try {
          const r = await first.fn(this.db);
          this.written();
          first.resolve(r);
        } catch (e) {
          this.written();
          first.reject(e);
        }
        continue;
      }
      const group: IngestJob[] = [];
      let n = 0;
      while (this.queue.length > 0 && this.queue[0]!.type === 'ingest') {
        const j = this.queue[0] as IngestJob;
        if (group.length > 0 && n + j.size > GROUP_MAX_RECORDS) break;
        group.push(j);
        n += j.size;
        this.queue.shift();
      }
      await this.commitGroup(group);
    }
  }

  /** Moves the generation before the writer's caller is answered, so its next read sees it. */
  private written(): void {
    this.generation++;
    this.onWritten?.(this.name);
  }

  /**
   * One transaction for the whole group; the records of each kind go through ONE import (the
   * per-import overhead — staging, merge, the imports row — is paid once per group, not per request).
   * Callers are answered after COMMIT. If the group fails (one bad batch), each batch is retried alone
   * so only the bad one is refused.
   */
  private async commitGroup(group: readonly IngestJob[]): Promise<void> {
    const importRecords = await this.importer();
    const run = (jobs: readonly IngestJob[]) =>
      this.db.transaction(async (tx) => {
        const byKind = new Map<string, { job: IngestJob; part: IngestPart }[]>();
        for (const job of jobs)
          for (const part of job.parts)
            byKind.set(part.kind, [...(byKind.get(part.kind) ?? []), { job, part }]);
        const reports = new Map<IngestPart, GroupReport>();
        for (const kind of [...byKind.keys()].sort((a, b) => kindRank(a) - kindRank(b))) {
          const list = byKind.get(kind)!;
          const records = list.length === 1 ? list[0]!.part.records : list.flatMap((l) => l.part.records);
          const sources = [...new Set(list.map((l) => l.job.source))].join(',');
          const report = await importRecords(tx, kind, records, { source: sources });
          for (const { part } of list)
            reports.set(part, { ...report, batchRecords: part.records.length, groupBatches: list.length });
        }
        return new Map(jobs.map((j) => [j, j.parts.map((p) => reports.get(p)!)]));
      });
    try {
      const reports = await run(group);
      this.groups++;
      this.written();
      for (const j of group) j.resolve(reports.get(j)!); // after COMMIT only
    } catch (e) {
      this.written();
      if (group.length === 1) {
        group[0]!.reject(e);
        return;
      }
      for (const j of group) {
        try {
          const r = await run([j]);
          this.groups++;
          this.written();
          j.resolve(r.get(j)!);
        } catch (err) {
          j.reject(err);
        }
      }
    }
  }

  /** Refuses new work, finishes what is queued, closes the file. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.draining) await this.draining;
    await this.db.close();
  }
}

/** The workspaces of one server: names → files under the data dir (or one given file), opened lazily. */
export class Workspaces {
  private readonly open = new Map<string, Promise<Workspace>>();
  private url = '';

  constructor(
    private readonly state: ServerState,
    private readonly dataDir: string,
    private readonly importer: () => Promise<Importer>,
    /** DuckDB `memory_limit` of each workspace (see `fairMemoryShare`). */
    private readonly memoryLimit?: string,
  ) {}

  /** Called with the workspace's name after each write to it (set by the server). */
  onWritten: ((workspace: string) => void) | undefined;

  setUrl(url: string): void {
    this.url = url;
    for (const [name, w] of this.open) void w.then((ws) => this.writeSidecar(name, ws.db.path));
  }

  fileFor(name: string): string {
    return join(this.dataDir, 'workspaces', `${name}.duckdb`);
  }

  async ensure(name: string, file?: string): Promise<void> {
    const known = await this.state.workspaceFile(name);
    if (!known || (file && resolve(file) !== known))
      await this.state.addWorkspace(name, resolve(file ?? this.fileFor(name)));
  }

  get(name: string): Promise<Workspace> {
    let w = this.open.get(name);
    if (!w) {
      w = this.openOne(name);
      this.open.set(name, w);
      w.catch(() => this.open.delete(name));
    }
    return w;
  }

  private async openOne(name: string): Promise<Workspace> {
    const file = await this.state.workspaceFile(name);
    if (!file) throw new TouchpointError('not_found', `workspace ${name} does not exist`);
    const db = await openStore(file, { memoryLimit: this.memoryLimit });
    ownerOnly(file);
    if (this.url) this.writeSidecar(name, file);
    const ws = new Workspace(name, db, this.importer);
    ws.onWritten = (n) => this.onWritten?.(n);
    return ws;
  }

  private writeSidecar(name: string, file: string): void {
    const s: Sidecar = {
      url: this.url,
      pid: process.pid,
      workspace: name,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(sidecarPath(file), `${JSON.stringify(s)}\n`, { mode: 0o600 });
  }

  openNames(): string[] {
    return [...this.open.keys()];
  }

  async closeAll(): Promise<void> {
    const all = await Promise.allSettled([...this.open.values()]);
    for (const r of all) {
      if (r.status !== 'fulfilled') continue;
      await r.value.close();
      const side = sidecarPath(r.value.db.path);
      if (existsSync(side) && readSidecar(r.value.db.path)?.pid === process.pid)
        rmSync(side, { force: true });
    }
    this.open.clear();
  }
}
