/**
 * The CLI's view of the operation table without loading it: what `--help`, flag parsing and "did
 * you mean" need (area, verb, summary, flags) for every operation. Loading every capability costs
 * about a second (DuckDB, NLP models, clustering libraries), so the compiled build (`npm run build`,
 * scripts/build.ts) writes this table to `lib/cli/commands.json` and a command loads only the
 * capability it runs. Run from the TypeScript sources, the table is derived from the operations.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AnyOperation } from '../core/operation.js';
import { describeFields } from '../core/params.js';

type FieldInfo = ReturnType<typeof describeFields>[number];

/** The capability modules whose `operations` make up `src/operations.ts`, loaded on demand. */
export const CAPABILITIES = {
  overview: () => import('../overview/index.js'),
  findings: () => import('../findings/index.js'),
  cases: () => import('../cases/index.js'),
  // the import verbs take the case-log readers from the cases capability (see src/operations.ts)
  ingest: async () => {
    const [{ importOperations }, { caseLogFileFormats }] = await Promise.all([
      import('../ingest/index.js'),
      import('../cases/index.js'),
    ]);
    return { operations: importOperations(caseLogFileFormats) };
  },
  demo: () => import('../demo/index.js'),
  feedback: () => import('../feedback/index.js'),
  journeys: () => import('../journeys/index.js'),
  experiments: () => import('../experiments/index.js'),
  goals: () => import('../goals/index.js'),
  personas: () => import('../personas/index.js'),
  health: () => import('../health/index.js'),
} as const satisfies Record<string, () => Promise<{ operations: readonly AnyOperation[] }>>;

export type Capability = keyof typeof CAPABILITIES;

export interface CommandSpec {
  readonly capability: Capability;
  readonly area: string;
  readonly verb: string;
  readonly summary: string;
  readonly mode: 'read' | 'write';
  readonly isDefault: boolean;
  readonly positional: readonly string[];
  readonly fields: readonly FieldInfo[];
}

/** The spec of one operation, as the CLI needs it. */
export function specOf(capability: Capability, op: AnyOperation): CommandSpec {
  return {
    capability,
    area: op.area,
    verb: op.verb,
    summary: op.summary,
    mode: op.mode,
    isDefault: op.isDefault === true,
    positional: op.positional ?? [],
    // defaults that are not JSON (functions, dates) are not shown in help
    fields: describeFields(op.params).map((f) =>
      f.defaultValue === undefined || isJson(f.defaultValue) ? f : { ...f, defaultValue: undefined },
    ),
  };
}

const isJson = (v: unknown): boolean =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v);

/** Every CLI operation's spec, loading every capability (the slow path, and the build's input). */
export async function deriveCommandTable(): Promise<CommandSpec[]> {
  const out: CommandSpec[] = [];
  for (const [capability, load] of Object.entries(CAPABILITIES) as [
    Capability,
    () => Promise<{ operations: readonly AnyOperation[] }>,
  ][]) {
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
export async function loadOperation(spec: CommandSpec): Promise<AnyOperation> {
  const { operations } = await CAPABILITIES[spec.capability]();
  const op = operations.find((o) => o.area === spec.area && o.verb === spec.verb);
  if (!op) throw new Error(`operation ${spec.area} ${spec.verb} is not in the ${spec.capability} capability`);
  return op;
}
