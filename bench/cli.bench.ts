/**
 * CLI start (issue 24): the CPU a command costs before and around its work, against the floor of
 * node alone and node + the engine opening a database, in the same run. Each figure is the median
 * of 5 runs of a real `bin/touchpoint.js` process (the compiled lib/ when it is fresh); CPU = user +
 * system time of the process, read by the process itself at exit (wall time on a shared machine says
 * more about the neighbours than about the CLI). Goal: a command's start under 0.5 s of CPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/generate.js';
import { openStore } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/touchpoint.js');
// the child prints its own CPU time at exit, on stderr's last line
const HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu '+(u.user+u.system)/1e6+'\\n')})`;
const RUNS = 5;

function cpuOf(args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--import', HOOK, ...args], { cwd: ROOT, encoding: 'utf8' });
    const m = /cpu ([\d.]+)\s*$/.exec(r.stderr);
    if (r.status !== 0 || !m)
      throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-400)}`);
    times.push(Number(m[1]));
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

export default async function (ctx: BenchContext): Promise<void> {
  const db = join(ctx.outDir, 'cli-demo.duckdb');
  if (!existsSync(db)) {
    const store = await openStore(db);
    try {
      await generateDemo(store, { seed: 42, customers: 1500 });
    } finally {
      await store.close();
    }
  }
  const node = cpuOf(['-e', '0']);
  const engine = cpuOf([
    '-e',
    `import('@duckdb/node-api').then(async ({ DuckDBInstance }) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); (await i.connect()).closeSync(); })`,
  ]);
  ctx.report('floor: node alone', node, 's CPU');
  ctx.report('floor: node + the engine opening the demo file', engine, 's CPU');
  const commands: [string, string[]][] = [
    ['touchpoint --version', ['--version']],
    ['touchpoint --help', ['--help']],
    ['touchpoint findings list (1.5k-customer demo)', ['findings', 'list', '--db', db]],
    ['touchpoint overview summary (1.5k-customer demo)', ['overview', 'summary', '--db', db]],
  ];
  for (const [name, args] of commands) {
    const cpu = cpuOf([BIN, ...args]);
    ctx.report(name, cpu, 's CPU', `${(cpu / engine).toFixed(2)}× node + engine; goal: start < 0.5 s`);
  }
}
