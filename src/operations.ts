import { caseLogFileFormats, operations as cases } from './cases/index.js';
import type { AnyOperation } from './core/operation.js';
import { operations as demo } from './demo/index.js';
import { operations as experiments } from './experiments/index.js';
import { operations as feedback } from './feedback/index.js';
import { operations as findings } from './findings/index.js';
import { operations as goals } from './goals/index.js';
import { operations as health } from './health/index.js';
import { importOperations } from './ingest/index.js';
import { operations as journeys } from './journeys/index.js';
import { operations as overview } from './overview/index.js';
import { operations as personas } from './personas/index.js';

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
  ...goals,
  ...personas,
  ...health,
];

export function findOperation(area: string, verb: string): AnyOperation | undefined {
  return operations.find((o) => o.area === area && o.verb === verb);
}
