import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup (every project): the run's temporary files go under one directory of their own —
 * TMPDIR is set before the test workers (and the servers and CLIs they start) are spawned, so every
 * `mkdtemp(tmpdir())` of a test lands there — and the whole directory is removed when the run ends,
 * whether or not each test cleaned up after itself.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
