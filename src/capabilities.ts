/**
 * Every capability Touchpoint has, each a loader of its module: THE list. A new capability is a
 * folder under src/ plus one line here. The operation table (`src/operations.ts`) loads them all
 * (the server); the CLI loads only the one a command needs (`src/cli/command-table.ts`: loading every
 * capability costs about a second — DuckDB, NLP models, clustering libraries).
 */
import type { AnyOperation } from './core/operation.js';

export const CAPABILITIES = {
  overview: () => import('./overview/index.js'),
  findings: () => import('./findings/index.js'),
  cases: () => import('./cases/index.js'),
  // the import verbs take the case-log readers from the cases capability
  ingest: async () => {
    const [{ importOperations }, { caseLogFileFormats }] = await Promise.all([
      import('./ingest/index.js'),
      import('./cases/index.js'),
    ]);
    return { operations: importOperations(caseLogFileFormats) };
  },
  demo: () => import('./demo/index.js'),
  feedback: () => import('./feedback/index.js'),
  journeys: () => import('./journeys/index.js'),
  experiments: () => import('./experiments/index.js'),
  personas: () => import('./personas/index.js'),
  health: () => import('./health/index.js'),
  accounts: () => import('./accounts/index.js'),
  monitors: () => import('./monitors/index.js'),
  people: () => import('./people/index.js'),
  customers: () => import('./customers/index.js'),
  goals: () => import('./goals/index.js'),
  policies: () => import('./policies/index.js'),
  notify: () => import('./notify/index.js'),
  automations: () => import('./automations/index.js'),
  audit: async () => {
    const { operations, operationSource, reportOperations } = await import('./audit/index.js');
    // the report shows goals and experiments when their capabilities serve them (feature
    // detection); the table is looked up when the report runs, after it has been built
    const find = async (area: string, verb: string) =>
      (await import('./operations.js')).findOperation(area, verb);
    return {
      operations: [
        ...operations,
        ...reportOperations([
          operationSource('goals', 'goals', 'status', find),
          operationSource('experiments', 'experiments', 'list', find),
        ]),
      ],
    };
  },
} as const satisfies Record<string, CapabilityLoader>;

export type CapabilityLoader = () => Promise<{ readonly operations: readonly AnyOperation[] }>;
export type Capability = keyof typeof CAPABILITIES;
