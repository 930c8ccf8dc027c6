import { operations as audit, operationSource, reportOperations } from './audit/index.js';
import { caseLogFileFormats, operations as cases } from './cases/index.js';
import type { AnyOperation } from './core/operation.js';
import { operations as demo } from './demo/index.js';
import { operations as experiments } from './experiments/index.js';
import { operations as feedback } from './feedback/index.js';
import { operations as findings } from './findings/index.js';
import { operations as health } from './health/index.js';
import { importOperations } from './ingest/index.js';
import { operations as journeys } from './journeys/index.js';
import { operations as overview } from './overview/index.js';
import { operations as people } from './people/index.js';
import { operations as personas } from './personas/index.js';
import { operations as policies } from './policies/index.js';

/**
 * Every operation Touchpoint serves, the one table the CLI and the server are built from
 * (DESIGN.md §5). A capability adds its operations here.
 */
export const operations: readonly AnyOperation[] = [
  ...overview,
  ...findings,
  ...cases,
  ...importOperations(caseLogFileFormats),
  ...demo,
  ...feedback,
  ...journeys,
  ...experiments,
  ...personas,
  ...health,
  ...people,
  ...policies,
  ...audit,
  // the report shows goals and experiments when their capabilities serve them (feature detection)
  ...reportOperations([
    operationSource('goals', 'goals', 'status', (a, v) => findOperation(a, v)),
    operationSource('experiments', 'experiments', 'list', (a, v) => findOperation(a, v)),
  ]),
];

export function findOperation(area: string, verb: string): AnyOperation | undefined {
  return operations.find((o) => o.area === area && o.verb === verb);
}
