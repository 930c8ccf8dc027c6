import { CAPABILITIES } from './capabilities.js';
import type { AnyOperation } from './core/operation.js';

/**
 * Every operation Touchpoint serves, the one table the CLI and the server are built from
 * (DESIGN.md §5): the operations of every capability in `src/capabilities.ts`, in its order.
 */
export const operations: readonly AnyOperation[] = (
  await Promise.all(Object.values(CAPABILITIES).map((load) => load()))
).flatMap((m) => m.operations);

export function findOperation(area: string, verb: string): AnyOperation | undefined {
  return operations.find((o) => o.area === area && o.verb === verb);
}
