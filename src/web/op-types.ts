/**
 * The result type of every operation, by its `'<area>.<verb>'` name, read from the one operation
 * table's types (each capability's `operations`, through src/capabilities.ts): `useOp('journey.map')`
 * knows it returns a `MapResult`, and a changed result shape fails the type-check of every page that
 * reads it. Types only: nothing of the server is bundled.
 */
import type { CAPABILITIES } from '../capabilities.js';

type Loaders = typeof CAPABILITIES;
/** Every capability module's type (each loader's resolved module). */
type Modules = { [K in keyof Loaders]: Awaited<ReturnType<Loaders[K]>> }[keyof Loaders];
/** Every operation's type: a union over the capabilities' `operations` lists. */
type AnyOp = Modules extends infer M
  ? M extends { readonly operations: readonly (infer O)[] }
    ? O
    : never
  : never;

type Named<O> = O extends { readonly area: infer A extends string; readonly verb: infer V extends string }
  ? string extends A | V
    ? never // built at run time without literal names (a list assembled by a loader): not nameable
    : `${A}.${V}`
  : never;

/** `'journey.map'`, `'feedback.scores'`, …: every operation the table names literally. */
export type OpKey = Named<AnyOp>;

/** The result type of operation `K` (what `GET|POST /api/v1/<area>/<verb>` answers as JSON). */
export type OpResult<K extends OpKey> = AnyOp extends infer O
  ? O extends {
      readonly area: infer A extends string;
      readonly verb: infer V extends string;
      run(...args: never[]): Promise<infer R>;
    }
    ? `${A}.${V}` extends K
      ? R
      : never
    : never
  : never;

/** `'journey.map'` → `['journey', 'map']` (areas hold no dot; verbs may hold dashes). */
export function splitOpKey(key: string): readonly [string, string] {
  const i = key.indexOf('.');
  return [key.slice(0, i), key.slice(i + 1)];
}
