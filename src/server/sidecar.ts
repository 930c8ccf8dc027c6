import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The sidecar a serving process writes beside a workspace file: who holds it and how to reach it. */
export interface Sidecar {
  readonly url: string;
  readonly pid: number;
  readonly workspace: string;
  readonly startedAt: string;
}
export const sidecarPath = (dbFile: string): string => `${resolve(dbFile)}.server.json`;

export function readSidecar(dbFile: string): Sidecar | undefined {
  try {
    return JSON.parse(readFileSync(sidecarPath(dbFile), 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

/**
 * A database file (and its write-ahead log) readable by its owner only: workspaces hold customer
 * data and server.duckdb the hashes of keys and passwords. Files created by the server already are
 * (it sets umask 077); this also tightens files that existed before.
 */
export function ownerOnly(file: string): void {
  for (const f of [file, `${file}.wal`])
    try {
      if (existsSync(f)) chmodSync(f, 0o600);
    } catch {
      // a file we may read but not chmod (another owner): leave it as it is
    }
}
