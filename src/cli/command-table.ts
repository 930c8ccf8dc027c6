/**
 * The CLI's view of the operation table without loading it: what `--help`, flag parsing and "did
 * you mean" need (area, verb, summary, flags) for every operation. Loading every capability costs
 * about a second (DuckDB, NLP models, clustering libraries), so the compiled build (`npm run build`,
 * scripts/build.ts) writes this table to `lib/cli/commands.json` and a command loads only the
 * capability it runs. Run from the TypeScript sources, the table is derived from the operations.
 * The capabilities are those of `src/capabilities.ts`, the one list the operation table is also
 * built from: nothing here is kept by hand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CAPABILITIES, type CapabilityLoader } from '../capabilities.js';
import type { AnyOperation } from '../core/operation.js';
import { describeFields } from '../core/params.js';

type FieldInfo = ReturnType<typeof describeFields>[number];

export { CAPABILITIES, type Capability } from '../capabilities.js';

export interface CommandSpec {
  /** The key of its capability in `src/capabilities.ts`. */
  readonly capability: string;
  readonly area: string;
  readonly verb: string;
  readonly summary: string;
  readonly mode: 'read' | 'write';
  readonly isDefault: boolean;
  /** `server`: runs on the server's own database (accounts), found with --data-dir. */
  readonly database?: 'server';
  readonly positional: readonly string[];
  readonly fields: readonly FieldInfo[];
}

/** The spec of one operation, as the CLI needs it. */
export function specOf(capability: string, op: AnyOperation): CommandSpec {
  return {
    capability,
    area: op.area,
    verb: op.verb,
    summary: op.summary,
    mode: op.mode,
    isDefault: op.isDefault === true,
    ...(op.database ? { database: op.database } : {}),
    positional: op.positional ?? [],
    // defaults that are not JSON (functions, dates) are not shown in help
    fields: describeFields(op.params).map((f) =>
      f.defaultValue === undefined || isJson(f.defaultValue) ? f : { ...f, defaultValue: undefined },
    ),
  };
}

const isJson = (v: unknown): boolean =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v);

/** A list of capabilities: `src/capabilities.ts`, or (tests) it plus one more. */
export type Capabilities = Readonly<Record<string, CapabilityLoader>>;

/** Every CLI operation's spec, loading every capability (the slow path, and the build's input). */
export async function deriveCommandTable(capabilities: Capabilities = CAPABILITIES): Promise<CommandSpec[]> {
  const out: CommandSpec[] = [];
  for (const [capability, load] of Object.entries(capabilities)) {
    for (const op of (await load()).operations) {
      if (op.edges?.cli !== false) out.push(specOf(capability, op));
    }
  }
  return out;
}

/** Where the compiled build keeps the table: beside this module in lib/cli/. */
export const COMMANDS_JSON = new URL('./commands.json', import.meta.url);

/** The table: from lib/cli/commands.json when running compiled, else derived from the sources. */
export async function loadCommandTable(): Promise<readonly CommandSpec[]> {
  if (import.meta.url.endsWith('.js') && existsSync(COMMANDS_JSON)) {
    return JSON.parse(readFileSync(COMMANDS_JSON, 'utf8')) as CommandSpec[];
  }
  return deriveCommandTable();
}

/** The operation a spec names, loading only its capability. */
export async function loadOperation(
  spec: CommandSpec,
  capabilities: Capabilities = CAPABILITIES,
): Promise<AnyOperation> {
  const load = capabilities[spec.capability];
  if (!load) throw new Error(`no capability ${spec.capability}: rebuild (npm run build)`);
  const { operations } = await load();
  const op = operations.find((o) => o.area === spec.area && o.verb === spec.verb);
  if (!op) throw new Error(`operation ${spec.area} ${spec.verb} is not in the ${spec.capability} capability`);
  return op;
}
