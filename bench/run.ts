/**
 * `npm run bench [-- NAME…] [-- --accept]`: runs every bench/*.bench.ts (or those whose name contains
 * NAME) in order and prints their figures with the machine and data sizes. Performance goals live
 * here, never in timed unit tests.
 *
 * Each numeric figure is printed beside the last ACCEPTED one (`bench/last-figures.json`, committed,
 * with the machine and date it came from), so a regression shows in the run that causes it. `--accept`
 * writes this run's figures into that file (merged: benches not run keep their last figures); accept
 * only a run on a quiet machine, and commit the file with the change that moved the figures.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const args = process.argv.slice(2);
const accept = args.includes('--accept');
const filter = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
console.log(`machine: ${machine}`);

/** The last accepted figures: `bench name › figure name` → value and unit. */
interface LastFigures {
  readonly machine: string;
  readonly date: string;
  readonly figures: Record<string, { readonly value: number; readonly unit: string }>;
}
const LAST = join(here, 'last-figures.json');
const last: LastFigures | undefined = existsSync(LAST)
  ? (JSON.parse(readFileSync(LAST, 'utf8')) as LastFigures)
  : undefined;
if (last) console.log(`last accepted figures: ${last.date}, on ${last.machine}`);
const figures: Record<string, { value: number; unit: string }> = {};
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** `(last 1.2 s, +8 %)` beside a figure that has a last accepted value in the same unit. */
function versusLast(key: string, value: number, unit: string): string {
  const before = last?.figures[key];
  if (!before || before.unit !== unit) return '';
  const change =
    before.value === 0
      ? ''
      : `, ${value >= before.value ? '+' : ''}${((100 * (value - before.value)) / before.value).toFixed(0)} %`;
  return `  [last ${fmt(before.value)}${unit ? ` ${unit}` : ''}${change}]`;
}
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
      const key = `${f.replace('.bench.ts', '')} › ${name}`;
      const v = typeof value === 'number' ? fmt(value) : value;
      const vs = typeof value === 'number' ? versusLast(key, value, unit) : '';
      if (typeof value === 'number' && Number.isFinite(value)) figures[key] = { value, unit };
      console.log(`${name}: ${v}${unit ? ` ${unit}` : ''}${note ? `  (${note})` : ''}${vs}`);
    },
  });
  console.log(`(${f} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

if (accept) {
  const merged: LastFigures = {
    machine,
    date: new Date().toISOString().slice(0, 10),
    figures: { ...(last?.figures ?? {}), ...figures },
  };
  writeFileSync(LAST, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`\naccepted ${Object.keys(figures).length} figures into bench/last-figures.json`);
}
