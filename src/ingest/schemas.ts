import { z } from 'zod';
import { DEFAULT_ZONE, parseTime } from '../core/time.js';

/**
 * The record kinds Touchpoint imports, and for each one its fields. Canonical field names are the
 * table columns (docs/data-model.md); `timestamp` is accepted for `ts`. One field table drives the
 * zod schemas (API and JS callers), the SQL conversion of files (the bulk path) and the docs.
 */
export const KINDS = [
  'customers',
  'events',
  'feedback',
  'cases',
  'case-events',
  'teams',
  'employees',
  'pulse',
  'touchpoint-owners',
  'journeys',
  'identities',
] as const;
export type Kind = (typeof KINDS)[number];

export type FieldType = 'string' | 'number' | 'integer' | 'timestamp' | 'boolean' | 'json';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** A record without it is invalid. */
  readonly required?: boolean;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Used when the record leaves the field empty. */
  readonly default?: string | number | boolean;
  /** Used instead of `default` when the record leaves the field empty but sets `field` (a case with a close time is closed). */
  readonly defaultWhenSet?: { readonly field: string; readonly value: string };
  readonly description?: string;
}

export interface KindSpec {
  readonly kind: Kind;
  /** The table rows land in (journeys fan out to three tables, see merge.ts). */
  readonly table: string;
  /** Columns that identify a row: re-importing the same key updates instead of duplicating. */
  readonly key: readonly string[];
  /** When the key is `id` and a record has none, the id is derived from the row's content. */
  readonly deriveId: boolean;
  readonly fields: readonly FieldSpec[];
  /** The JSON column that keeps every unmapped column of a file, typed. */
  readonly extras?: string;
}

export const CASE_EVENT_TYPES = [
  'opened',
  'assigned',
  'status',
  'update_sent',
  'customer_contact',
  'note',
  'reopened',
  'closed',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];
export const FEEDBACK_KINDS = ['nps', 'csat', 'ces', 'text'] as const;
/** Score range of each feedback kind (text has no score). */
export const SCORE_RANGE: Record<'nps' | 'csat' | 'ces', readonly [number, number]> = {
  nps: [0, 10],
  csat: [1, 5],
  ces: [1, 7],
};

const s = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, type: 'string', ...extra });
const ts = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name,
  type: 'timestamp',
  ...extra,
});
const num = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, type: 'number', ...extra });
const int = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name,
  type: 'integer',
  ...extra,
});
const json = (name: string): FieldSpec => ({ name, type: 'json' });

export const KIND_SPECS: Record<Kind, KindSpec> = {
  customers: {
    kind: 'customers',
    table: 'customers',
    key: ['id'],
    deriveId: false,
    extras: 'attributes',
    fields: [
      s('id', { required: true }),
      ts('created_at'),
      s('segment'),
      s('plan'),
      s('region'),
      s('country'),
      num('monthly_value'),
      ts('churned_at'),
      { name: 'churned', type: 'boolean', description: 'churn label; true when churned_at is set' },
      json('attributes'),
    ],
  },
  events: {
    kind: 'events',
    table: 'events',
    key: ['id'],
    deriveId: true,
    extras: 'properties',
    fields: [
      s('id'),
      s('customer_id'),
      s('anonymous_id'),
      ts('ts', { required: true }),
      s('channel', { required: true }),
      s('touchpoint', { required: true }),
      s('stage'),
      s('name'),
      s('outcome'),
      s('direction', { values: ['inbound', 'outbound'], default: 'inbound' }),
      s('session_id'),
      json('properties'),
    ],
  },
  feedback: {
    kind: 'feedback',
    table: 'feedback',
    key: ['id'],
    deriveId: true,
    extras: 'properties',
    fields: [
      s('id'),
      s('customer_id'),
      ts('ts', { required: true }),
      s('channel'),
      s('touchpoint'),
      s('kind', { required: true, values: FEEDBACK_KINDS }),
      num('score'),
      s('comment'),
      s('survey_id'),
      s('question'),
      s('case_id'),
      s('language'),
      json('properties'),
    ],
  },
  cases: {
    kind: 'cases',
    table: 'cases',
    key: ['id'],
    deriveId: false,
    extras: 'properties',
    fields: [
      s('id', { required: true }),
      s('customer_id'),
      ts('opened_at', { required: true }),
      ts('closed_at'),
      s('channel'),
      s('reason'),
      s('status', { default: 'open', defaultWhenSet: { field: 'closed_at', value: 'closed' } }),
      s('owner_team'),
      s('owner_agent'),
      s('product'),
      s('priority'),
      json('properties'),
    ],
  },
  'case-events': {
    kind: 'case-events',
    table: 'case_events',
    key: ['id'],
    deriveId: true,
    extras: 'properties',
    fields: [
      s('id'),
      s('case_id', { required: true }),
      ts('ts', { required: true }),
      int('seq'),
      s('type', { required: true, values: CASE_EVENT_TYPES }),
      s('team'),
      s('agent'),
      s('status'),
      s('channel'),
      s('transfer_reason'),
      ts('promised_at'),
      s('note'),
      json('properties'),
    ],
  },
  teams: {
    kind: 'teams',
    table: 'teams',
    key: ['id'],
    deriveId: false,
    fields: [
      s('id', { required: true }),
      s('name', { required: true }),
      int('tier', { min: 1 }),
      s('function'),
    ],
  },
  employees: {
    kind: 'employees',
    table: 'employees',
    key: ['id'],
    deriveId: false,
    extras: 'attributes',
    fields: [
      s('id', { required: true }),
      s('team_id'),
      s('name'),
      s('role'),
      ts('hired_at'),
      ts('left_at'),
      json('attributes'),
    ],
  },
  pulse: {
    kind: 'pulse',
    table: 'pulse',
    key: ['id'],
    deriveId: true,
    fields: [
      s('id'),
      s('employee_id'),
      s('team_id'),
      ts('ts', { required: true }),
      s('question', { default: 'enps' }),
      num('score', { required: true }),
      s('comment'),
    ],
  },
  'touchpoint-owners': {
    kind: 'touchpoint-owners',
    table: 'touchpoint_owners',
    key: ['touchpoint', 'channel'],
    deriveId: false,
    fields: [
      s('touchpoint', { required: true }),
      s('channel', { default: '*' }),
      s('team_id', { required: true }),
    ],
  },
  journeys: {
    kind: 'journeys',
    table: 'journey_stages',
    key: ['journey_id', 'stage', 'touchpoint'],
    deriveId: false,
    fields: [
      s('journey_id', { required: true }),
      s('journey_name'),
      s('stage', { required: true }),
      int('position', { required: true, min: 0 }),
      s('touchpoint', { description: 'a touchpoint that belongs to this stage (one row per touchpoint)' }),
      { name: 'is_default', type: 'boolean' },
    ],
  },
  identities: {
    kind: 'identities',
    table: 'identity_links',
    key: ['alias_type', 'alias', 'linked_type', 'linked_alias'],
    deriveId: false,
    fields: [
      s('alias_type', { required: true, description: 'anonymous_id, email, phone, crm_id, …' }),
      s('alias', { required: true }),
      s('customer_id', { description: 'the customer this alias belongs to' }),
      s('linked_type', { description: 'or: another alias seen together with this one' }),
      s('linked_alias'),
    ],
  },
};

export const fieldOf = (kind: Kind, name: string): FieldSpec | undefined =>
  KIND_SPECS[kind].fields.find((f) => f.name === name);

// ---------------------------------------------------------------- value conversion (JS side)

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** Booleans as files spell them: true/false, yes/no, y/n, t/f, 1/0 (any case). */
export function parseBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number, from a number or its decimal text; `1e400` (infinite as a double) is not one. */
export function parseNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !NUMBER.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** A UTF-16 surrogate without its pair: not a character, and the engine would store it as U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text value cannot be stored as written, or undefined when it can. */
export function textProblem(v: string): string | undefined {
  if (v.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  const m = LONE_SURROGATE.exec(v);
  if (m)
    return `contains a lone UTF-16 surrogate \\u${m[0].charCodeAt(0).toString(16)} at position ${m.index} (not a character)`;
  return undefined;
}

// ---------------------------------------------------------------- zod schemas

const isMissing = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

type Converted =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string };
const bad = (message: string): Converted => ({ ok: false, message });

/** Converts one field's value by its spec (the rules RECORD_SCHEMAS and the SQL path share). */
export function convertField(f: FieldSpec, v: unknown, zone: string = DEFAULT_ZONE): Converted {
  const label = f.values ? `one of ${f.values.join(', ')}` : f.type;
  {
    if (isMissing(v)) {
      if (f.default !== undefined) return { ok: true, value: f.default };
      if (f.required) return bad('required');
      return { ok: true, value: null };
    }
    let out: unknown;
    switch (f.type) {
      case 'string': {
        out =
          typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
        const problem = typeof out === 'string' ? textProblem(out) : undefined;
        if (problem) return bad(problem);
        break;
      }
      case 'number':
        out = parseNumber(v);
        break;
      case 'integer': {
        const n = parseNumber(v);
        out = n !== undefined && Number.isInteger(n) ? n : undefined;
        break;
      }
      case 'boolean':
        out = parseBoolean(v);
        break;
      case 'timestamp': {
        if (v instanceof Date && !Number.isNaN(v.getTime())) v = v.toISOString();
        if (typeof v !== 'string') break;
        const t = parseTime(v, zone);
        if (!t.ok)
          return bad(
            t.message.includes('is not an ISO-8601')
              ? `${t.message}; give --date-format for other layouts`
              : t.message,
          );
        out = new Date(t.ms).toISOString();
        break;
      }
      case 'json':
        if (typeof v === 'string') {
          try {
            const parsed: unknown = JSON.parse(v);
            out =
              typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
          } catch {
            out = undefined;
          }
        } else out = typeof v === 'object' && !Array.isArray(v) ? v : undefined;
        break;
    }
    if (out === undefined) {
      const shown =
        typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
      return bad(
        f.type === 'timestamp'
          ? `${shown} is not an ISO-8601 timestamp (e.g. 2026-03-01T14:05:00Z); give --date-format for other layouts`
          : f.type === 'json'
            ? `${shown} is not a JSON object`
            : f.type === 'number' && typeof v === 'string' && NUMBER.test(v.trim())
              ? `${shown} is out of range (not a finite number)`
              : `${shown} is not a ${label}`,
      );
    }
    if (f.values && !f.values.includes(out as string)) {
      return bad(`${JSON.stringify(out)} is not ${label}`);
    }
    if (typeof out === 'number' && f.min !== undefined && out < f.min) {
      return bad(`${out} is below ${f.min}`);
    }
    if (typeof out === 'number' && f.max !== undefined && out > f.max) {
      return bad(`${out} is above ${f.max}`);
    }
    return { ok: true, value: out };
  }
}

/** Cross-field rules of a kind; the same rules run in SQL for files (see convert.ts). */
export function crossFieldIssues(
  kind: Kind,
  r: Record<string, unknown>,
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  if (kind === 'events' && r.customer_id == null && r.anonymous_id == null) {
    issues.push({ field: 'customer_id', message: 'an event needs customer_id or anonymous_id' });
  }
  if (kind === 'feedback') {
    const k = r.kind as string;
    if (k === 'text') {
      if (r.comment == null) issues.push({ field: 'comment', message: 'a text answer needs a comment' });
      if (r.score != null) issues.push({ field: 'score', message: 'a text answer has no score' });
    } else if (k in SCORE_RANGE) {
      const [lo, hi] = SCORE_RANGE[k as keyof typeof SCORE_RANGE];
      const score = r.score as number | null;
      if (score == null) issues.push({ field: 'score', message: `a ${k} answer needs a score` });
      else if (score < lo || score > hi) {
        issues.push({
          field: 'score',
          message: `${score} is outside the ${k.toUpperCase()} range ${lo}–${hi}`,
        });
      }
    }
  }
  if (kind === 'pulse') {
    const score = r.score as number;
    const [lo, hi] = r.question === 'enps' ? [0, 10] : [1, 5];
    if (score < lo || score > hi) {
      issues.push({ field: 'score', message: `${score} is outside the ${r.question} range ${lo}–${hi}` });
    }
  }
  if (kind === 'identities' && r.customer_id == null && (r.linked_type == null || r.linked_alias == null)) {
    issues.push({
      field: 'customer_id',
      message: 'an alias needs customer_id or linked_type + linked_alias',
    });
  }
  return issues;
}

/**
 * What to do with a record's fields that are not fields of its kind: `strict` (the default) refuses
 * the record naming the field; `lenient` keeps them in the kind's JSON column (`properties` /
 * `attributes`, as a file's unmapped columns are), or drops them for a kind without one.
 */
export type UnknownFields = 'strict' | 'lenient';
export const UNKNOWN_FIELDS = ['strict', 'lenient'] as const;

/** What `settleUnknownFields` did: how many unknown values it kept in the JSON column or dropped, and their names. */
export interface UnknownFieldsReport {
  readonly mode: UnknownFields;
  readonly kept: number;
  readonly dropped: number;
  readonly fields: readonly string[];
}

/**
 * Applies `lenient` ahead of an import, to whole records: each record's unknown fields move into
 * the kind's JSON column (merged under the fields given there), or are dropped for a kind without
 * one (or when that column holds something other than an object); counts both. The records that
 * come out carry only known fields, so a strict import of them stores what `lenient` would have.
 */
export function settleUnknownFields(
  kind: Kind,
  records: readonly Record<string, unknown>[],
): { records: Record<string, unknown>[]; report: UnknownFieldsReport } {
  const known = KNOWN[kind];
  const extras = KIND_SPECS[kind].extras;
  let kept = 0;
  let dropped = 0;
  const names = new Set<string>();
  const out = records.map((r) => {
    const unknown = Object.keys(r).filter((k) => !known.has(k) && r[k] !== undefined);
    if (unknown.length === 0) return r;
    const clean: Record<string, unknown> = {};
    for (const k of Object.keys(r)) if (known.has(k)) clean[k] = r[k];
    for (const k of unknown) names.add(k);
    const given = extras ? r[extras] : undefined;
    if (extras && (isMissing(given) || (typeof given === 'object' && !Array.isArray(given)))) {
      clean[extras] = { ...Object.fromEntries(unknown.map((k) => [k, r[k]])), ...((given as object) ?? {}) };
      kept += unknown.length;
    } else dropped += unknown.length;
    return clean;
  });
  return { records: out, report: { mode: 'lenient', kept, dropped, fields: [...names].sort() } };
}

export interface ConvertRecordOptions {
  /** IANA zone for timestamps written without an offset (the workspace's zone; default UTC). */
  readonly zone?: string;
  readonly unknownFields?: UnknownFields;
}

/** The field names a record of `kind` may carry (`timestamp` stands in for `ts`). */
export function knownFields(kind: Kind): ReadonlySet<string> {
  const names = KIND_SPECS[kind].fields.map((f) => f.name);
  return new Set(names.includes('ts') ? [...names, 'timestamp'] : names);
}

const KNOWN: Record<Kind, ReadonlySet<string>> = Object.fromEntries(
  KINDS.map((k) => [k, knownFields(k)]),
) as Record<Kind, ReadonlySet<string>>;

/**
 * Converts and checks one record of a kind: unknown fields (see `UnknownFields`), every field by its
 * spec, then the cross-field rules; `timestamp` stands in for a missing `ts`. Plain code, no schema
 * machinery: the API's ingest path runs it per record.
 */
export function convertRecord(
  kind: Kind,
  r: Record<string, unknown>,
  o: ConvertRecordOptions = {},
): { data: Record<string, unknown>; issues: { field: string; message: string }[] } {
  const spec = KIND_SPECS[kind];
  const data: Record<string, unknown> = {};
  const issues: { field: string; message: string }[] = [];
  const known = KNOWN[kind];
  let unknown: Record<string, unknown> | undefined;
  for (const k in r) {
    if (known.has(k) || r[k] === undefined) continue;
    if (o.unknownFields === 'lenient') {
      unknown ??= {};
      unknown[k] = r[k];
    } else
      issues.push({
        field: k,
        message: `not a field of ${kind}${spec.extras ? ` (put other data in ${spec.extras}, or import with unknown fields lenient)` : ' (import with unknown fields lenient to ignore it)'}`,
      });
  }
  for (const f of spec.fields) {
    let v = r[f.name];
    if (f.name === 'ts' && isMissing(v)) v = r.timestamp;
    if (unknown && f.name === spec.extras) {
      const given = typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
      v = isMissing(v) || v === given ? { ...unknown, ...given } : v;
    }
    const c =
      f.defaultWhenSet && isMissing(v) && data[f.defaultWhenSet.field] != null
        ? ({ ok: true, value: f.defaultWhenSet.value } as const)
        : convertField(f, v, o.zone);
    if (c.ok) data[f.name] = c.value;
    else {
      data[f.name] = null;
      issues.push({ field: f.name, message: c.message });
    }
  }
  if (issues.length === 0) issues.push(...crossFieldIssues(kind, data));
  return { data, issues };
}

function kindSchema(spec: KindSpec): z.ZodType<Record<string, unknown>> {
  return z.record(z.string(), z.unknown()).transform((r, ctx) => {
    const { data, issues } = convertRecord(spec.kind, r);
    for (const i of issues) ctx.addIssue({ code: 'custom', path: [i.field], message: i.message });
    return issues.length > 0 ? z.NEVER : data;
  });
}

/**
 * One zod schema per kind. Each takes a plain record (strings as read from a file, or typed JSON
 * values) and returns it converted: numbers as numbers, timestamps as ISO-8601 UTC strings,
 * booleans, JSON objects, missing fields as null, defaults applied. Unknown fields are refused
 * (`convertRecord` with `unknownFields: 'lenient'` keeps them instead).
 */
export const RECORD_SCHEMAS: Record<Kind, z.ZodType<Record<string, unknown>>> = Object.fromEntries(
  KINDS.map((k) => [k, kindSchema(KIND_SPECS[k])]),
) as Record<Kind, z.ZodType<Record<string, unknown>>>;
