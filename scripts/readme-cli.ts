/**
 * Regenerates the README's CLI reference from real runs on the demo company:
 *   node --import tsx scripts/readme-cli.ts [DB]   (default bench/out/readme-demo.duckdb, created if missing)
 * Every command in the operation table is listed with its flags; the examples below are run for real
 * and their output pasted between the README's `<!-- cli:begin -->` and `<!-- cli:end -->` markers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeFields, kebab } from '../src/core/params.js';
import { operations } from '../src/operations.js';

const db = process.argv[2] ?? 'bench/out/readme-demo.duckdb';
const BIN = 'bin/touchpoint.js';

function run(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args, '--db', db], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`touchpoint ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

if (!existsSync(db)) {
  mkdirSync(dirname(db), { recursive: true }); // the CLI creates a workspace only in a folder that exists
  run(['demo']);
}

/** Examples that are run for real; each shows at most `lines` lines of output. */
const EXAMPLES: { args: string[]; lines: number }[] = [
  { args: ['overview', 'summary'], lines: 60 },
  { args: ['journey', 'map'], lines: 16 },
  {
    args: [
      'journey',
      'funnel',
      '--level',
      'touchpoint',
      '--steps',
      'cart,checkout,payment',
      '--by',
      'channel',
    ],
    lines: 16,
  },
  { args: ['journey', 'paths', '--top', '5'], lines: 16 },
  { args: ['journey', 'pain-points'], lines: 12 },
  { args: ['journey', 'moments'], lines: 12 },
  { args: ['feedback', 'scores', '--by', 'touchpoint'], lines: 16 },
  { args: ['feedback', 'themes'], lines: 16 },
  { args: ['feedback', 'drivers'], lines: 12 },
  { args: ['cases', 'handoffs', '--by', 'reason'], lines: 14 },
  { args: ['cases', 'ping-pong'], lines: 12 },
  { args: ['cases', 'levers'], lines: 12 },
  { args: ['cases', 'overdue-updates', '--as-of', '2026-10-01T00:00:00Z'], lines: 10 },
  { args: ['cases', 'inflow'], lines: 12 },
  { args: ['findings', 'list', '--limit', '10'], lines: 14 },
];

const out: string[] = [];
out.push('### Commands\n');
out.push('| command | what it does | flags |');
out.push('|---|---|---|');
const sorted = [...operations]
  .filter((o) => o.edges?.cli !== false)
  .sort((a, b) => (a.area + a.verb).localeCompare(b.area + b.verb));
for (const op of sorted) {
  const pos = (op.positional ?? []).map((p) => ` ${p.toUpperCase()}`).join('');
  const flags = describeFields(op.params)
    .filter((f) => !(op.positional ?? []).includes(f.name))
    // the text a file flag is read into is filled by the CLI itself (an HTTP caller sends it)
    .filter((f) => !Object.values(op.fileInputs ?? {}).includes(f.name))
    .map((f) => `\`--${kebab(f.name)}\``)
    .join(' ');
  out.push(
    `| \`touchpoint ${op.area} ${op.verb}${pos}\` | ${op.summary.replaceAll('|', '\\|')} | ${flags} |`,
  );
}
out.push('\n### Examples on the demo company\n');
out.push(
  'Real output on the demo company as `touchpoint demo` makes it (seed 42, 40,000 customers); long outputs are cut.\n',
);
for (const ex of EXAMPLES) {
  const area = ex.args[0]!;
  const verb = ex.args[1]!;
  if (!operations.some((o) => o.area === area && o.verb === verb)) continue;
  let text: string;
  try {
    text = run(ex.args);
  } catch (e) {
    console.error(String(e));
    continue;
  }
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(0, ex.lines);
  if (lines.length > ex.lines) shown.push(`… (${lines.length - ex.lines} more lines)`);
  out.push(`\`\`\`\n$ touchpoint ${ex.args.join(' ')}\n${shown.join('\n')}\n\`\`\`\n`);
}

const readme = readFileSync('README.md', 'utf8');
const begin = '<!-- cli:begin -->';
const end = '<!-- cli:end -->';
const next = readme.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${out.join('\n')}\n${end}`);
writeFileSync('README.md', next);
console.log(`README CLI reference: ${sorted.length} commands, examples from ${db}`);
