import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { TouchpointError } from './errors.js';

/**
 * Parses YAML and validates it with a zod schema; every error names the file, the line and the
 * field (`rules.yaml:7: dormantDays: Too small: expected number to be >0`). Aliases expanded more than
 * 100 times are refused (the yaml library's guard against alias bombs).
 */
export function parseYamlWith<S extends z.ZodType>(text: string, schema: S, file: string): z.output<S> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const details = doc.errors.map((x) => ({
      file,
      line: x.linePos?.[0]?.line,
      message: x.message.split('\n')[0]!,
    }));
    throw new TouchpointError('invalid_input', `${file}:${details[0]!.line ?? '?'}: ${details[0]!.message}`, {
      details,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0]!;
    throw new TouchpointError('invalid_input', `${file}: ${message}`, {
      details: [{ file, message }],
      cause: e,
    });
  }
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => {
    const path = i.path as (string | number)[];
    // the line of the offending node, else of its nearest parent that exists
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined;
      if (node?.range) line = text.slice(0, node.range[0]).split('\n').length;
    }
    return { file, line, field: path.join('.') || '(top)', message: i.message };
  });
  const d = details[0]!;
  throw new TouchpointError('invalid_input', `${file}:${d.line ?? '?'}: ${d.field}: ${d.message}`, {
    details,
  });
}
