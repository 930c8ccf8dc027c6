import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/touchpoint.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TOUCHPOINT_SERVER: '', ...env },
    cwd: dir,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** stderr as lines, and the check every mistake passes: exactly one line, no stack trace. */
function oneLine(err: string): string {
  const lines = err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(err).not.toMatch(/^\s+at |Error:|Usage:/m);
  return lines[0]!;
}

/** A workspace with two customers, made the way a user makes one: by importing a file. */
const ws = join(dir, 'ws.duckdb');
beforeAll(() => {
  writeFileSync(join(dir, 'customers.csv'), 'id,name,segment\nc1,Ann,smb\nc2,Bob,enterprise\n');
  const r = run(['import', 'customers', 'customers.csv', '--db', ws]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
});

describe('touchpoint CLI (real process)', () => {
  it('prints a table by default and JSON with --json, on the --db file', () => {
    const table = run(['overview', 'summary', '--db', ws]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/Rows per table/);
    const json = run(['overview', 'summary', '--db', ws, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).counts.customers).toBe(2);
  });

  it('takes the database from TOUCHPOINT_DB when --db is absent', () => {
    const r = run(['--json', 'findings', 'list'], { TOUCHPOINT_DB: ws });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ findings: [] });
  });

  it('loads every capability under plain Node (no test-runner module interop) and lists every area', async () => {
    const { operations } = await import('../operations.js');
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const area of new Set(operations.filter((o) => o.edges?.cli !== false).map((o) => o.area))) {
      expect(r.out).toContain(area);
    }
  });

  it('prints the version of package.json with --version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(version);
  });
});

describe('a missing workspace is never created by reading (#17.2)', () => {
  it.each([
    ['overview', 'summary'],
    ['findings', 'list'],
    ['cases', 'handoffs'],
    ['journey', 'pain-points'],
  ])('%s %s on a missing file: exit 3 (not found), one line, no file', (area, verb) => {
    const db = join(dir, `missing-${area}.duckdb`);
    const r = run([area, verb, '--db', db]);
    expect(r.code).toBe(3);
    expect(oneLine(r.err)).toMatch(
      /^touchpoint: no workspace at .*missing-.*: create one with touchpoint demo/,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('a path in a folder that does not exist: refused, and no folder is made', () => {
    const db = join(dir, 'no/such/folder/x.duckdb');
    expect(run(['overview', 'summary', '--db', db]).code).toBe(3);
    const imp = run(['import', 'customers', 'customers.csv', '--db', db]);
    expect(imp.code).toBe(3);
    expect(oneLine(imp.err)).toMatch(/the folder .*no\/such\/folder does not exist/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('an import creates the workspace it names', () => {
    const db = join(dir, 'created-by-import.duckdb');
    expect(run(['import', 'customers', 'customers.csv', '--db', db]).code).toBe(0);
    expect(existsSync(db)).toBe(true);
  });
});

describe('every mistake is one line naming the flag or file (#17.8)', () => {
  it('the CLI edge reads the input file and writes --out; the printed result leaves the content out', () => {
    writeFileSync(join(dir, 'comments.csv'), 'id,comment\n=2+2,the courier was rude\n2,great service\n');
    const r = run([
      'feedback',
      'analyze-text',
      'comments.csv',
      '--text-column',
      'comment',
      '--id-column',
      'id',
      '--out',
      'scored.csv',
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Record<string, unknown>;
    expect(printed.out).toBe('scored.csv');
    expect(printed).not.toHaveProperty('csv');
    const lines = readFileSync(join(dir, 'scored.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,label,score,themes');
    expect(lines).toHaveLength(3);
    // through the one CSV writer: a cell a spreadsheet would run is neutralised
    expect(lines[1]).toMatch(/^'=2\+2,negative,/);
    const bad = run([
      'feedback',
      'analyze-text',
      'comments.csv',
      '--text-column',
      'comment',
      '--out',
      join(dir, 'no/such/dir.csv'),
    ]);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.err)).toMatch(/^touchpoint: --out: cannot write .*no\/such\/dir\.csv/);
  });

  it('a number flag that is not a number', () => {
    const r = run(['findings', 'list', '--db', ws, '--limit', 'many']);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toBe('touchpoint: --limit: expected a number, got "many" (e.g. --limit 50)');
  });

  it('a required flag left out names the flag, not zod', () => {
    const r = run(['feedback', 'follow-up-assign', 'x', '--db', ws]);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(
      /^touchpoint: --assignee is required.*touchpoint feedback follow-up-assign ID --assignee <value>$/,
    );
  });

  it('a CSV given as --db is refused by name, not as a DuckDB catalog error', () => {
    const r = run(['overview', 'summary', '--db', 'customers.csv']);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(/^touchpoint: --db customers\.csv is not a Touchpoint workspace/);
    expect(readFileSync(join(dir, 'customers.csv'), 'utf8')).toMatch(/^id,name/);
  });

  it.each([
    [['nonsense'], /unknown command 'nonsense'; see touchpoint --help$/],
    [['case', 'handoffs'], /unknown command 'case' \(did you mean cases\?\)/],
    [
      ['cases', 'handofs'],
      /unknown command 'handofs' \(did you mean handoffs\?\); see touchpoint cases --help$/,
    ],
    [
      ['findings', 'list', '--limt', '3'],
      /unknown option '--limt' \(did you mean --limit\?\); see touchpoint findings list --help$/,
    ],
  ])('a typo (%j) is one line with a suggestion, not the usage', (args, line) => {
    const r = run([...args, '--db', ws]);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(line);
    expect(r.out).toBe('');
  });

  it('an import error says its reason once', () => {
    writeFileSync(join(dir, 'bad-events.csv'), 'customer_id,ts,touchpoint\nc1,not-a-date,cart\n');
    const r = run(['import', 'events', 'bad-events.csv', '--db', ws]);
    expect(r.code).toBe(2);
    expect(oneLine(r.err)).toMatch(/^touchpoint: bad-events\.csv:2: ts: "not-a-date" is not/);
  });
});

describe('start and serve check their port before any work (#17.8)', () => {
  let blocker: Server;
  let port = 0;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it('start on a port in use: exit 4 with one line, no demo generated, no workspace created', () => {
    const db = join(dir, 'start.duckdb');
    const t0 = Date.now();
    const r = run(['start', '--port', String(port), '--db', db]);
    expect(r.code).toBe(4);
    expect(oneLine(r.err)).toBe(
      `touchpoint: port ${port} on 127.0.0.1 is in use (another Touchpoint?): stop it, or give --port N (or PORT=N; 0 picks a free one)`,
    );
    expect(r.out).toBe('');
    expect(existsSync(db)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('serve on a port in use: the same line', () => {
    const r = run(['serve', '--port', String(port), '--data-dir', join(dir, 'srv')]);
    expect(r.code).toBe(4);
    expect(oneLine(r.err)).toMatch(/^touchpoint: port \d+ on 127\.0\.0\.1 is in use/);
  });
});

describe('start-up cost (#17.11)', () => {
  it('--help, an area help and --version load no DuckDB and no capability, given the command table', async () => {
    // the compiled build reads the table from lib/cli/commands.json; here it comes from a file too
    const { deriveCommandTable } = await import('./command-table.js');
    const tableFile = join(dir, 'commands.json');
    writeFileSync(tableFile, JSON.stringify(await deriveCommandTable()));
    const probe = `
      const { register } = await import('tsx/esm/api'); register();
      const { readFileSync } = await import('node:fs');
      const { createRequire } = await import('node:module');
      const { buildProgram } = await import(${JSON.stringify(new URL('./main.ts', import.meta.url).pathname)});
      const { registerEdgeCommands } = await import(${JSON.stringify(new URL('./edge-commands.ts', import.meta.url).pathname)});
      const table = JSON.parse(readFileSync(${JSON.stringify(tableFile)}, 'utf8'));
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = () => true;
      for (const argv of [['--help'], ['cases', '--help'], ['cases', 'handoffs', '--help'], ['--version']]) {
        await buildProgram(registerEdgeCommands, table).parseAsync(argv, { from: 'user' }).catch((e) => {
          if (!/helpDisplayed|version/.test(e.code)) throw e;
        });
      }
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /duckdb|ml-kmeans|wink|zod/.test(k));
      write(JSON.stringify(loaded));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});

describe('boolean flags (#17.9)', () => {
  it('every boolean flag of every command has its --no- form, and --no-write turns writing off', async () => {
    const { deriveCommandTable } = await import('./command-table.js');
    const { buildProgram } = await import('./main.js');
    const table = await deriveCommandTable();
    const program = buildProgram(() => {}, table);
    const booleans = table.flatMap((s) =>
      s.fields
        .filter((f) => f.kind === 'boolean' && !/^no[A-Z]/.test(f.name))
        .map((f) => [s, f.name] as const),
    );
    expect(booleans.map(([s, f]) => `${s.area} ${s.verb} --${f}`)).toContain('journey pain-points --write');
    for (const [spec, name] of booleans) {
      const cmd = program.commands
        .find((c) => c.name() === spec.area)!
        .commands.find((c) => c.name() === spec.verb)!;
      const kebabName = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      expect(cmd.options.map((o) => o.long)).toContain(`--no-${kebabName}`);
    }
    const painPoints = program.commands
      .find((c) => c.name() === 'journey')!
      .commands.find((c) => c.name() === 'pain-points')!;
    let seen: unknown;
    painPoints.action((opts: Record<string, unknown>) => {
      seen = opts.write;
    });
    await program.parseAsync(['journey', 'pain-points', '--no-write'], { from: 'user' });
    expect(seen).toBe(false);
  });
});

describe('the lazy command table', () => {
  it('holds exactly the CLI operations of src/operations.ts', async () => {
    const [{ deriveCommandTable }, { operations }] = await Promise.all([
      import('./command-table.js'),
      import('../operations.js'),
    ]);
    const table = (await deriveCommandTable()).map((s) => `${s.area} ${s.verb}`).sort();
    const ops = operations
      .filter((o) => o.edges?.cli !== false)
      .map((o) => `${o.area} ${o.verb}`)
      .sort();
    expect(table).toEqual(ops);
  });
});
