/**
 * `npm run bench [-- NAME…]`: runs every bench/*.bench.ts (or those whose name contains NAME) in
 * order and prints their figures with the machine and data sizes. Performance goals live here, never
 * in timed unit tests.
 */
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchContext {
  /** Prints one figure line: `name: value unit (note)`. */
  readonly report: (name: string, value: number | string, unit?: string, note?: string) => void;
  /** Scratch directory for databases and files, removed by nobody: under bench/out/ (git-ignored). */
  readonly outDir: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

const cpu = cpus();
console.log(
  `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
const { mkdirSync } = await import('node:fs');
const outDir = join(here, 'out');
mkdirSync(outDir, { recursive: true });
for (const f of files) {
  console.log(`\n## ${f.replace('.bench.ts', '')}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as {
    default: (ctx: BenchContext) => Promise<void>;
  };
  const t0 = performance.now();
  await mod.default({
    outDir,
    report: (name, value, unit = '', note = '') => {
      const v =
        typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value;
      console.log(`${name}: ${v}${unit ? ` ${unit}` : ''}${note ? `  (${note})` : ''}`);
    },
  });
  console.log(`(${f} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
