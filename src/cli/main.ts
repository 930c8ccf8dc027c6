import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { type ErrorCode, formatDetail, isTouchpointError, TouchpointError } from '../core/errors.js';
import type { AnyOperation, OperationContext } from '../core/operation.js';
import { kebab, parseParams, type RawInput } from '../core/params.js';
import {
  type Capabilities,
  type CommandSpec,
  loadCommandTable,
  loadOperation,
  specOf,
} from './command-table.js';
import { checkWorkspace } from './workspace.js';

/** Exit codes by error code; 1 is anything unexpected. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  internal: 1,
  invalid_input: 2,
  not_found: 3,
  conflict: 4,
  locked: 5,
  unavailable: 6,
  unauthorized: 7,
  forbidden: 7,
  too_large: 2,
};

export interface GlobalOptions {
  db: string;
  json?: boolean;
  /** Send the command to this Touchpoint server instead of opening --db (or TOUCHPOINT_SERVER). */
  server?: string;
  /** The server's data folder, for the accounts verbs (or TOUCHPOINT_DATA_DIR). */
  dataDir?: string;
}

export const defaultDbPath = (): string => process.env.TOUCHPOINT_DB ?? './touchpoint.duckdb';

/** The package version, read once from package.json (two folders up from src/cli or lib/cli). */
export function packageVersion(): string {
  return VERSION;
}
const VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
})();

const spellFlag = (spec: Pick<CommandSpec, 'positional'>) => (f: string) =>
  spec.positional.includes(f) ? f.toUpperCase() : `--${kebab(f)}`;

/**
 * Checks what commander cannot know from the flags alone, before anything is loaded, so a mistake
 * is one line naming the flag: a required flag left out, a number that is not one.
 */
export function checkRaw(spec: CommandSpec, raw: RawInput): void {
  const spell = spellFlag(spec);
  const usage = `touchpoint ${spec.area} ${spec.verb}`;
  for (const f of spec.fields) {
    const v = raw[f.name];
    if (v === undefined) {
      if (!f.optional)
        throw new TouchpointError(
          'invalid_input',
          `${spell(f.name)} is required${f.description ? ` (${f.description})` : ''}: ${usage}${spec.positional
            .map((p) => ` ${p.toUpperCase()}`)
            .join('')} ${spec.positional.includes(f.name) ? '' : `${spell(f.name)} <value>`}`.trimEnd(),
        );
      continue;
    }
    if (f.kind === 'number') {
      const one = Array.isArray(v) ? v[v.length - 1] : v;
      if (typeof one !== 'string' || one.trim() === '' || !Number.isFinite(Number(one)))
        throw new TouchpointError(
          'invalid_input',
          `${spell(f.name)}: expected a number, got ${JSON.stringify(one)} (e.g. ${spell(f.name)} ${
            typeof f.defaultValue === 'number' ? f.defaultValue : 10
          })`,
        );
    }
  }
}

/**
 * A list meant for a file (an operation with an `out` flag, such as `cases export`) is not poured
 * onto a terminal: without --out, --json or --limit, the command asks for --out instead.
 */
export function checkOutOnTerminal(
  spec: CommandSpec,
  raw: RawInput,
  json: boolean | undefined,
  terminal: boolean = process.stdout.isTTY === true,
): void {
  if (!terminal || json || !spec.fields.some((f) => f.name === 'out')) return;
  if (raw.out !== undefined || raw.limit !== undefined) return;
  throw new TouchpointError(
    'invalid_input',
    `touchpoint ${spec.area} ${spec.verb} writes one row per item: give --out FILE.csv (or --limit N to look at a few, or --json to print them all)`,
  );
}

/** Runs one operation as the CLI does: open the workspace, validate, run, print. */
export async function runOperation(
  op: AnyOperation,
  raw: RawInput,
  global: GlobalOptions,
  spec: CommandSpec = specFromOperation(op),
): Promise<void> {
  checkRaw(spec, raw);
  const parsed = parseParams(op.params, raw, spellFlag(spec)) as Record<string, unknown>;
  const withFiles = readFileInputs(op, parsed);
  // a file read into a text parameter is checked like the text itself would have been
  const texts = Object.values(op.fileInputs ?? {}).filter((k) => withFiles[k] !== parsed[k]);
  const params =
    texts.length === 0
      ? withFiles
      : (parseParams(
          op.params,
          { ...raw, ...Object.fromEntries(texts.map((k) => [k, withFiles[k] as string])) },
          spellFlag(spec),
        ) as Record<string, unknown>);
  const server = global.server ?? process.env.TOUCHPOINT_SERVER ?? (await servingProcess(op, global));
  const { progressReporter } = await import('./progress.js');
  const progress = progressReporter();
  const ctx: OperationContext = {
    onProgress: global.json ? undefined : progress.onProgress,
    log: (line) => process.stderr.write(`${line}\n`),
    actor: 'cli',
  };
  if (server) {
    const { runRemote } = await import('../server/client.js');
    // the file was read here: the server gets its content, never the path
    const sent = Object.fromEntries(
      Object.entries(params).filter(([k]) => !Object.hasOwn(op.fileInputs ?? {}, k)),
    );
    for (const pathKey of Object.keys(op.fileOutputs ?? {}))
      if (sent[pathKey] !== undefined)
        throw new TouchpointError(
          'invalid_input',
          `--${kebab(pathKey)}: writing a file is done by a local run; drop --server (or the flag and use --json)`,
        );
    const result = await runRemote(server, op, sent);
    await print(op, result, params, global);
    return;
  }
  if (op.database === 'server') {
    const { runOnServerDatabase } = await import('./server-database.js');
    const result = writeFileOutputs(op, params, await runOnServerDatabase(op, params, global));
    await print(op, result, params, global);
    return;
  }
  // a verb that needs no workspace runs on an empty in-memory one when --db names no file
  const inMemory = op.workspace === 'optional' && !existsSync(global.db);
  if (!inMemory) checkWorkspace(global.db, mayCreateWorkspace(op));
  const file = inMemory ? ':memory:' : global.db;
  const [{ openStore }, { explainLock }] = await Promise.all([
    import('../store/index.js'),
    import('../server/client.js'),
  ]);
  const db = await openStore(file).catch((e) => Promise.reject(explainLock(e, file)));
  try {
    const result = writeFileOutputs(op, params, await op.run(db, params, ctx));
    progress.stop();
    await print(op, result, params, global);
  } finally {
    progress.stop();
    await db.close();
  }
}

/** A file named by the flag of `pathKey` that could not be read or written: one line naming the flag. */
const fileError = (code: 'not_found' | 'invalid_input', pathKey: string, what: string, e: unknown) =>
  new TouchpointError(code, `--${kebab(pathKey)}: ${what}: ${(e as Error).message}`, { cause: e });
/**
 * The URL of the live server that holds the workspace file, for a verb that goes through it
 * (`viaServer`, e.g. `monitors run` from cron while `touchpoint serve` holds the file); else undefined.
 */
async function servingProcess(op: AnyOperation, global: GlobalOptions): Promise<string | undefined> {
  if (!op.viaServer || !existsSync(global.db)) return undefined;
  const { readSidecar } = await import('../server/index.js');
  const s = readSidecar(global.db);
  if (!s) return undefined;
  try {
    process.kill(s.pid, 0);
  } catch {
    return undefined; // a sidecar left by a process that is gone
  }
  process.stderr.write(
    `touchpoint: ${global.db} is held by the server at ${s.url}; sending the command to it\n`,
  );
  return s.url;
}

/** The CLI edge reads the files an operation declares (`fileInputs`) into their text parameters. */
export function readFileInputs(op: AnyOperation, params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const [pathKey, textKey] of Object.entries(op.fileInputs ?? {})) {
    const path = out[pathKey];
    if (typeof path !== 'string' || out[textKey] !== undefined) continue;
    try {
      out[textKey] = readFileSync(path, 'utf8');
    } catch (e) {
      throw fileError('not_found', pathKey, `cannot read ${path}`, e);
    }
  }
  return out;
}

/**
 * The CLI edge writes the files an operation declares (`fileOutputs`): the content the operation put
 * in its result field goes to the path the user gave, and the rest of the result is printed.
 */
export function writeFileOutputs(
  op: AnyOperation,
  params: Record<string, unknown>,
  result: unknown,
): unknown {
  if (!op.fileOutputs || result === null || typeof result !== 'object') return result;
  const rest = { ...(result as Record<string, unknown>) };
  for (const [pathKey, field] of Object.entries(op.fileOutputs)) {
    const path = params[pathKey];
    const content = rest[field];
    delete rest[field];
    if (typeof path !== 'string' || content === undefined) continue;
    try {
      writeFileSync(path, content as string | Uint8Array);
    } catch (e) {
      throw fileError('invalid_input', pathKey, `cannot write ${path}`, e);
    }
  }
  return rest;
}

/** Only imports and the demo create a workspace; every other command needs one that exists. */
export const mayCreateWorkspace = (op: Pick<AnyOperation, 'area' | 'mode'>): boolean =>
  (op.area === 'import' || op.area === 'demo') && op.mode === 'write';

async function print(
  op: AnyOperation,
  result: unknown,
  params: Record<string, unknown>,
  global: GlobalOptions,
): Promise<void> {
  if (global.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const { renderGeneric, renderSections } = await import('./render.js');
  process.stdout.write(
    `${op.present ? renderSections(op.present(result, params)) : renderGeneric(result)}\n`,
  );
}

/** The spec of an operation run without its command-table entry (flags then go unchecked, as before). */
function specFromOperation(op: AnyOperation): CommandSpec {
  return { ...specOf('overview', op), fields: [] };
}

/**
 * Errors from commander (unknown command or flag, missing argument) as one line: the reason, the
 * "did you mean" commander computed, and where the usage is, instead of the whole usage.
 */
export function oneLineCommanderError(text: string, helpHint: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const reason = (lines[0] ?? 'invalid command').replace(/^error:\s*/, '');
  const suggestion = lines
    .slice(1)
    .map((l) => /^\(Did you mean (.+)\?\)$/.exec(l)?.[1])
    .find(Boolean);
  return `touchpoint: ${reason}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ${helpHint}\n`;
}

function configure(cmd: Command, path: string): Command {
  return cmd.exitOverride().configureOutput({
    outputError: (text, write) =>
      write(oneLineCommanderError(text, `see touchpoint ${path}${path ? ' ' : ''}--help`.replace('  ', ' '))),
  });
}

function addCommand(
  area: Command,
  spec: CommandSpec,
  globals: () => GlobalOptions,
  capabilities: Capabilities | undefined,
): void {
  const cmd = configure(
    area.command(spec.verb, { isDefault: spec.isDefault }).description(spec.summary),
    `${spec.area} ${spec.verb}`,
  );
  for (const name of spec.positional) {
    const f = spec.fields.find((x) => x.name === name);
    cmd.argument(f?.optional ? `[${name}]` : `<${name}>`, f?.description ?? '');
  }
  for (const f of spec.fields) {
    if (spec.positional.includes(f.name)) continue;
    const flag = `--${kebab(f.name)}`;
    const desc = [
      f.description,
      f.choices ? `(${f.choices.join(' | ')})` : '',
      f.defaultValue !== undefined ? `[default: ${JSON.stringify(f.defaultValue)}]` : '',
      f.optional ? '' : '(required)',
    ]
      .filter(Boolean)
      .join(' ');
    if (f.kind === 'boolean') {
      // `noHeader` beside `header`: `--no-header` is the negation of `--header`, added with it
      const negative = /^no[A-Z]/.exec(f.name) ? `${f.name[2]!.toLowerCase()}${f.name.slice(3)}` : undefined;
      if (negative && spec.fields.some((x) => x.name === negative)) continue;
      cmd.addOption(new Option(flag, desc));
      if (!negative) {
        const neg = `--no-${kebab(f.name)}`;
        const named = spec.fields.find((x) => x.name === `no${f.name[0]!.toUpperCase()}${f.name.slice(1)}`);
        cmd.addOption(new Option(neg, named?.description ?? `the opposite of ${flag}`).hideHelp(!named));
      }
    } else if (f.kind === 'array') {
      cmd.addOption(
        new Option(`${flag} <values>`, `${desc} (comma-separated or repeated)`).argParser(
          (v: string, prev: string[] = []) => [...prev, v],
        ),
      );
    } else cmd.addOption(new Option(`${flag} <value>`, desc));
  }
  // a verb on the server database (accounts) is told where that database is
  if (spec.database === 'server')
    cmd.addOption(
      new Option('--data-dir <dir>', 'the server data folder holding server.duckdb (or TOUCHPOINT_DATA_DIR)'),
    );
  cmd.action(async (...args: unknown[]) => {
    const opts = { ...(args[spec.positional.length] as Record<string, string | string[] | boolean>) };
    const dataDir = spec.database === 'server' ? opts.dataDir : undefined;
    delete opts[spec.database === 'server' ? 'dataDir' : ''];
    const raw: RawInput = { ...opts };
    spec.positional.forEach((name, i) => {
      if (args[i] !== undefined) raw[name] = args[i] as string;
    });
    checkRaw(spec, raw);
    checkOutOnTerminal(spec, raw, globals().json);
    const g = typeof dataDir === 'string' ? { ...globals(), dataDir } : globals();
    await runOperation(await loadOperation(spec, capabilities), raw, g, spec);
  });
}

/**
 * Builds the CLI from the command table (the operation table's CLI view, see command-table.ts) plus
 * the edge-only commands (`start`, `serve`).
 */
export function buildProgram(
  extra: (program: Command, globals: () => GlobalOptions) => void,
  table: readonly CommandSpec[],
  /** Where each spec's capability loads from (default src/capabilities.ts). */
  capabilities?: Capabilities,
): Command {
  const program = configure(
    new Command('touchpoint')
      .description(
        'Touchpoint: where the customer experience breaks, for whom, what it costs, and whether a fix worked',
      )
      .version(VERSION, '-V, --version', 'print the version')
      .option('--db <file>', 'workspace database file (default ./touchpoint.duckdb, or TOUCHPOINT_DB)')
      .option('--json', 'print JSON instead of tables')
      .option('--server <url>', 'send the command to a running Touchpoint server (or TOUCHPOINT_SERVER)'),
    '',
  );
  const globals = (): GlobalOptions => {
    const o = program.opts<{ db?: string; json?: boolean; server?: string }>();
    return { db: o.db ?? defaultDbPath(), json: o.json, server: o.server };
  };
  const areas = new Map<string, Command>();
  for (const spec of table) {
    let area = areas.get(spec.area);
    if (!area) {
      area = configure(program.command(spec.area).description(`${spec.area} commands`), spec.area);
      // options may come after the area and verb too: `touchpoint journey map --json`
      area.option('--db <file>').option('--json').option('--server <url>');
      areas.set(spec.area, area);
    }
    const a = area;
    addCommand(
      a,
      spec,
      () => {
        const g = globals();
        const o = a.opts<{ db?: string; json?: boolean; server?: string }>();
        return { db: o.db ?? g.db, json: o.json ?? g.json, server: o.server ?? g.server };
      },
      capabilities,
    );
  }
  extra(program, globals);
  program.enablePositionalOptions(false);
  return program;
}

export function reportError(e: unknown): number {
  if (isTouchpointError(e)) {
    process.stderr.write(`touchpoint: ${e.message}\n`);
    // the message usually is the first detail already: list only what it does not say
    const rest = e.details.filter(
      (d) => !e.message.includes(formatDetail(d)) && !e.message.includes(d.message),
    );
    const more = rest.slice(0, 20);
    for (const d of more) process.stderr.write(`  ${formatDetail(d)}\n`);
    if (rest.length > more.length) process.stderr.write(`  … and ${rest.length - more.length} more\n`);
    return EXIT_CODES[e.code];
  }
  const err = e as { code?: string; exitCode?: number; message?: string };
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
    return err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
      ? 0
      : 2;
  }
  const first = (err.message ?? String(e)).split('\n')[0];
  process.stderr.write(`touchpoint: internal error: ${first} (TOUCHPOINT_DEBUG=1 prints the stack trace)\n`);
  if (process.env.TOUCHPOINT_DEBUG) console.error(e);
  return 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [{ registerEdgeCommands }, table] = await Promise.all([
      import('./edge-commands.js'),
      loadCommandTable(),
    ]);
    await buildProgram(registerEdgeCommands, table).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
