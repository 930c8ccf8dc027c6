/**
 * A tiny `sql` tag: every `${value}` becomes a bound parameter (`$1`, `$2`, …). Fragments built with
 * `sql` nest; identifiers go through `ident()`; `raw()` is the greppable escape hatch for vetted
 * constants only — never for user input.
 */
export type SqlValue = string | number | boolean | null | bigint | Date | readonly SqlValue[];

const FRAGMENT = Symbol('sql.fragment');

export interface SqlFragment {
  readonly [FRAGMENT]: true;
  readonly strings: readonly string[];
  readonly values: readonly (SqlValue | SqlFragment)[];
}

export interface CompiledSql {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

function fragment(strings: readonly string[], values: readonly (SqlValue | SqlFragment)[]): SqlFragment {
  return { [FRAGMENT]: true, strings, values };
}

export function isFragment(v: unknown): v is SqlFragment {
  return typeof v === 'object' && v !== null && FRAGMENT in v;
}

export function sql(
  strings: TemplateStringsArray,
  ...values: (SqlValue | SqlFragment | undefined)[]
): SqlFragment {
  // raw strings: a backslash in SQL (a regular expression, say) reaches the engine as written
  return fragment(
    [...strings.raw],
    values.map((v) => (v === undefined ? null : v)),
  );
}

/** Inline SQL text. Only for constants written in this codebase (keywords, vetted column lists). */
export function raw(text: string): SqlFragment {
  return fragment([text], []);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A quoted identifier; refuses anything that is not a plain name so it can never carry SQL. */
export function ident(name: string): SqlFragment {
  if (!IDENT.test(name)) throw new Error(`invalid SQL identifier: ${JSON.stringify(name)}`);
  return raw(`"${name}"`);
}

export function join(parts: readonly SqlFragment[], separator: SqlFragment = raw(', ')): SqlFragment {
  if (parts.length === 0) return raw('');
  const strings: string[] = [''];
  const values: (SqlValue | SqlFragment)[] = [];
  parts.forEach((p, i) => {
    if (i > 0) {
      values.push(separator);
      strings.push('');
    }
    values.push(p);
    strings.push('');
  });
  return fragment(strings, values);
}

export const empty: SqlFragment = raw('');

/** Compiles a fragment to text with `$n` placeholders and the flat list of values. */
export function compile(f: SqlFragment): CompiledSql {
  const values: SqlValue[] = [];
  const walk = (fr: SqlFragment): string => {
    let text = fr.strings[0] ?? '';
    fr.values.forEach((v, i) => {
      if (isFragment(v)) text += walk(v);
      else {
        values.push(v);
        text += `$${values.length}`;
      }
      text += fr.strings[i + 1] ?? '';
    });
    return text;
  };
  const text = walk(f);
  return { text, values };
}
