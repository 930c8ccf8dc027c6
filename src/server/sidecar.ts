import { readFileSync } from 'node:fs';
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
