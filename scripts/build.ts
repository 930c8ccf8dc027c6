/**
 * The build behind `npm run build` (and npm's `prepare`, so `npm install` / `npm ci` run it):
 * compiles src/ to JavaScript in lib/ (tsconfig.build.json), copies the data files the code reads
 * beside itself (sentiment models), writes the CLI's command table (lib/cli/commands.json) so
 * `--help` and a command load only what they use, then stamps the build. bin/touchpoint.js runs lib/
 * when the stamp is newer than every source, and the TypeScript sources through tsx otherwise.
 *   node --import tsx scripts/build.ts
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'lib');
const t0 = performance.now();

rmSync(lib, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  rmSync(lib, { recursive: true, force: true });
  process.stderr.write('build: tsc failed; bin/touchpoint.js runs the sources through tsx\n');
  process.exit(tsc.status ?? 1);
}

// data files read beside the code (new URL('./models/…', import.meta.url))
for (const rel of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
  if (rel.startsWith('web') || /\.tsx?$/.test(rel) || !/\.(json|bin|txt)$/.test(rel)) continue;
  mkdirSync(dirname(join(lib, rel)), { recursive: true });
  cpSync(join(root, 'src', rel), join(lib, rel));
}

const { deriveCommandTable } = (await import(
  join(lib, 'cli/command-table.js')
)) as typeof import('../src/cli/command-table.js');
writeFileSync(join(lib, 'cli/commands.json'), `${JSON.stringify(await deriveCommandTable())}\n`);
writeFileSync(join(lib, '.build-stamp'), `${new Date().toISOString()}\n`);
process.stdout.write(`build: lib/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
