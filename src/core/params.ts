import type { z } from 'zod';
import { type ErrorDetail, TouchpointError } from './errors.js';

export type RawInput = Record<string, string | readonly string[] | boolean | undefined>;

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'enum' | 'other';

interface FieldInfo {
  readonly name: string;
  readonly kind: Kind;
  readonly optional: boolean;
  readonly description?: string;
  readonly choices?: readonly string[];
  readonly defaultValue?: unknown;
}

// zod 4 keeps a definition on every schema; we only read the documented `_zod.def` shape.
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  entries?: Record<string, string>;
  defaultValue?: unknown;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Describes the fields of an operation's parameter schema, for CLI flags, query strings and docs. */
export function describeFields(schema: z.ZodObject): FieldInfo[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    let s = field as z.ZodType;
    let optional = false;
    let defaultValue: unknown;
    for (;;) {
      const d = defOf(s);
      if (d.type === 'optional' || d.type === 'nullable') {
        optional = true;
        s = d.innerType!;
      } else if (d.type === 'default' || d.type === 'prefault') {
        optional = true;
        defaultValue = d.defaultValue;
        s = d.innerType!;
      } else if (d.type === 'pipe') s = d.in!;
      else break;
    }
    const d = defOf(s);
    const kind: Kind =
      d.type === 'string' ||
      d.type === 'number' ||
      d.type === 'boolean' ||
      d.type === 'array' ||
      d.type === 'enum'
        ? d.type
        : 'other';
    const description = (field as z.ZodType).description ?? s.description;
    return {
      name,
      kind,
      optional,
      ...(description ? { description } : {}),
      ...(d.type === 'enum' && d.entries ? { choices: Object.values(d.entries) } : {}),
      ...(defaultValue !== undefined ? { defaultValue } : {}),
    };
  });
}

export const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Turns text input (CLI flags, URL query) into typed values by the schema's field kinds, then
 * validates. Errors name the field as the caller spells it (`--window-days` or `windowDays`).
 */
export function parseParams<S extends z.ZodObject>(
  schema: S,
  input: RawInput,
  spell: (field: string) => string = (f) => f,
): z.output<S> {
  const fields = describeFields(schema);
  const known = new Set(fields.map((f) => f.name));
  const unknown = Object.keys(input).filter((k) => !known.has(k) && input[k] !== undefined);
  if (unknown.length > 0) {
    throw new TouchpointError('invalid_input', `unknown parameter ${spell(unknown[0]!)}`, {
      details: unknown.map((u) => ({ field: spell(u), message: 'unknown parameter' })),
    });
  }
  const value: Record<string, unknown> = {};
  for (const f of fields) {
    const v = input[f.name];
    if (v === undefined) continue;
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (f.kind === 'number') value[f.name] = one === '' ? Number.NaN : Number(one);
    else if (f.kind === 'boolean')
      value[f.name] = one === true || one === 'true' || one === '1' || one === '';
    else if (f.kind === 'array') {
      const items = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','));
      value[f.name] = items.map((s) => s.trim()).filter((s) => s !== '');
    } else value[f.name] = one;
  }
  return validate(schema, value, spell);
}

/** Validates an already-typed value (a JSON body) and maps zod issues to one TouchpointError. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  spell: (field: string) => string = (f) => f,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details: ErrorDetail[] = r.error.issues.map((i) => ({
    field: i.path.length > 0 ? spell(i.path.map(String).join('.')) : '(input)',
    message: i.message,
  }));
  const first = details[0]!;
  throw new TouchpointError('invalid_input', `${first.field}: ${first.message}`, { details });
}
