/**
 * Node-side helpers for the cockpit's build (used by `touchpoint start`, the browser tests and the
 * bench): is dist/web missing or stale, and build it with Vite.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The cockpit's sources. */
export const WEB_SRC = resolve(here, '../../src/web'); // also from the compiled lib/web/build.js
/** Where the cockpit is built; the server serves it as static files. */
export const WEB_DIST = resolve(here, '../../dist/web');

/** Newest modification time of the cockpit's sources (tests excluded), in ms. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (!/\.test\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether the build is missing or older than any source of the cockpit. */
export function webBuildIsStale(dist = WEB_DIST, src = WEB_SRC): boolean {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return true;
  return statSync(index).mtimeMs < newestSource(src);
}

/** Builds the cockpit with Vite (src/web/vite.config.ts) into dist/web. */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_SRC, 'vite.config.ts'), logLevel: 'warn' });
}

/** Builds only when needed; returns whether it built. Concurrent callers in one process share one build. */
let building: Promise<boolean> | undefined;
export function ensureWebBuild(): Promise<boolean> {
  building ??= (async () => {
    if (!webBuildIsStale()) return false;
    await buildWeb();
    return true;
  })().finally(() => {
    building = undefined;
  });
  return building;
}
