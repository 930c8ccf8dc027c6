#!/usr/bin/env node
// The CLI entry. It runs the compiled JavaScript in lib/ (`npm run build`, run by `npm install` /
// `npm ci` through `prepare`) when that build is newer than every source it was made from, and the
// TypeScript sources through tsx otherwise (a checkout being edited, or no build): never stale
// code, and a command starts without transpiling when the build is fresh. TOUCHPOINT_FROM_SOURCE=1
// forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';

const stamp = new URL('../lib/.build-stamp', import.meta.url);
const src = new URL('../src/', import.meta.url);

/** Whether a source file newer than the build exists (tests and the cockpit's own sources aside). */
function sourcesNewerThan(ms) {
  for (const rel of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!/\.tsx?$/.test(rel) || /\.test\.tsx?$/.test(rel)) continue;
    if (/^web[\\/]/.test(rel) && !/^web[\\/]build\.ts$/.test(rel)) continue;
    if (statSync(new URL(rel, src)).mtimeMs > ms) return true;
  }
  return false;
}

const compiled =
  process.env.TOUCHPOINT_FROM_SOURCE !== '1' &&
  existsSync(stamp) &&
  !(existsSync(src) && sourcesNewerThan(statSync(stamp).mtimeMs));

let main;
if (compiled) ({ main } = await import('../lib/cli/main.js'));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
