import { Command, Option } from 'commander';
import { type ErrorCode, formatDetail, isTouchpointError } from '../core/errors.js';
import type { AnyOperation, OperationContext } from '../core/operation.js';
import { describeFields, kebab, parseParams, type RawInput } from '../core/params.js';
import { operations } from '../operations.js';
import { explainLock, runRemote } from '../server/client.js';
import { openStore } from '../store/index.js';
import { progressReporter } from './progress.js';
import { renderGeneric, renderSections } from './render.js';

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
}

export const defaultDbPath = (): string => process.env.TOUCHPOINT_DB ?? './touchpoint.duckdb';

/** Runs one operation as the CLI does: open the workspace, validate, run, print. */
export async function runOperation(op: AnyOperation, raw: RawInput, global: GlobalOptions): Promise<void> {
  const params = parseParams(op.params, raw, (f) =>
    op.positional?.includes(f) ? f.toUpperCase() : `--${kebab(f)}`,
  );
  const progress = progressReporter();
  const ctx: OperationContext = {
    onProgress: global.json ? undefined : progress.onProgress,
    log: (line) => process.stderr.write(`${line}\n`),
    actor: 'cli',
  };
  const server = global.server ?? process.env.TOUCHPOINT_SERVER;
  const db = server
    ? undefined
    : await openStore(global.db).catch((e) => Promise.reject(explainLock(e, global.db)));
  try {
    const result = db ? await op.run(db, params, ctx) : await runRemote(server!, op, params);
    progress.stop();
    if (global.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else
      process.stdout.write(
        `${op.present ? renderSections(op.present(result, params)) : renderGeneric(result)}\n`,
      );
  } finally {
    progress.stop();
    await db?.close();
  }
}

function addOperation(area: Command, op: AnyOperation, globals: () => GlobalOptions): void {
  const cmd = area.command(op.verb, { isDefault: op.isDefault === true }).description(op.summary);
  const fields = describeFields(op.params);
  const positional = op.positional ?? [];
  for (const name of positional) {
    const f = fields.find((x) => x.name === name);
    cmd.argument(f?.optional ? `[${name}]` : `<${name}>`, f?.description ?? '');
  }
  for (const f of fields) {
    if (positional.includes(f.name)) continue;
    const flag = `--${kebab(f.name)}`;
    const desc = [
      f.description,
      f.choices ? `(${f.choices.join(' | ')})` : '',
      f.defaultValue !== undefined ? `[default: ${JSON.stringify(f.defaultValue)}]` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (f.kind === 'boolean') cmd.addOption(new Option(flag, desc));
    else if (f.kind === 'array') {
      cmd.addOption(
        new Option(`${flag} <values>`, `${desc} (comma-separated or repeated)`).argParser(
          (v: string, prev: string[] = []) => [...prev, v],
        ),
      );
    } else cmd.addOption(new Option(`${flag} <value>`, desc));
  }
  cmd.action(async (...args: unknown[]) => {
    const opts = args[positional.length] as Record<string, string | string[] | boolean>;
    const raw: RawInput = { ...opts };
    positional.forEach((name, i) => {
      if (args[i] !== undefined) raw[name] = args[i] as string;
    });
    await runOperation(op, raw, globals());
  });
}

/** Builds the CLI from the operation table plus the edge-only commands (`start`, `serve`). */
export function buildProgram(
  extra: (program: Command, globals: () => GlobalOptions) => void = () => {},
): Command {
  const program = new Command('touchpoint')
    .description(
      'Touchpoint: where the customer experience breaks, for whom, what it costs, and whether a fix worked',
    )
    .option('--db <file>', 'workspace database file (default ./touchpoint.duckdb, or TOUCHPOINT_DB)')
    .option('--json', 'print JSON instead of tables')
    .option('--server <url>', 'send the command to a running Touchpoint server (or TOUCHPOINT_SERVER)')
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => {
    const o = program.opts<{ db?: string; json?: boolean; server?: string }>();
    return { db: o.db ?? defaultDbPath(), json: o.json, server: o.server };
  };
  const areas = new Map<string, Command>();
  for (const op of operations) {
    if (op.edges?.cli === false) continue;
    let area = areas.get(op.area);
    if (!area) {
      area = program.command(op.area).description(`${op.area} commands`);
      // options may come after the area and verb too: `touchpoint journey map --json`
      area.option('--db <file>').option('--json').option('--server <url>');
      areas.set(op.area, area);
    }
    addOperation(area, op, () => {
      const g = globals();
      const a = area!.opts<{ db?: string; json?: boolean; server?: string }>();
      return { db: a.db ?? g.db, json: a.json ?? g.json, server: a.server ?? g.server };
    });
  }
  extra(program, globals);
  program.enablePositionalOptions(false);
  return program;
}

export function reportError(e: unknown): number {
  if (isTouchpointError(e)) {
    process.stderr.write(`touchpoint: ${e.message}\n`);
    // the reason line often is the first detail: list only what it does not already say
    const rest = e.details.filter((d, i) => !(i === 0 && e.message.endsWith(formatDetail(d))));
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
  process.stderr.write(`touchpoint: internal error: ${err.message ?? String(e)}\n`);
  if (process.env.TOUCHPOINT_DEBUG) console.error(e);
  return 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { registerEdgeCommands } = await import('./edge-commands.js');
  try {
    await buildProgram(registerEdgeCommands).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
