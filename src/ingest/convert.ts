import { DateTime } from 'luxon';
import { TouchpointError } from '../core/errors.js';
import { MAX_YEAR, MIN_YEAR } from '../core/time.js';
import { type BulkRow, ident, join, raw, type SqlFragment, type Store, sql } from '../store/index.js';
import type { ResolvedMapping } from './mapping.js';
import { derivedId } from './merge.js';
import { RAW } from './read.js';
import { type FieldSpec, KIND_SPECS, type Kind, SCORE_RANGE } from './schemas.js';

/**
 * The bulk path's conversion and validation, in SQL over RAW: the same rules as RECORD_SCHEMAS
 * (schemas.ts), field by field, so a file is checked in the engine at full speed. The result is
 * `_tp_conv`: `_line`, every field typed, and `_err_field` / `_err_msg` naming the first problem
 * of a bad row.
 */
export const CONV = '_tp_conv';

const NUM_RE = '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$';
const INT_RE = '^[+-]?(0|[1-9][0-9]{0,17})$';
/** The shape src/core/time.ts accepts: hours 00–23, minutes and seconds 00–59, offsets up to ±18:00. */
const ISO_RE =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?)?\\s*([Zz]|[+-]((0[0-9]|1[0-7])(:?[0-5][0-9])?|18(:?00)?))?$';
const OFFSET_RE = '[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?\\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$';

export type InferredType = 'integer' | 'number' | 'boolean' | 'string' | 'empty';

export interface ConvertOptions {
  /** strptime format for timestamps (from --date-format), or ISO-8601 when absent. */
  readonly strptime?: string;
  readonly dateFormat?: string;
  readonly timezone?: string;
}

const col = (i: number): SqlFragment => ident(`c${i}`);

/** Per raw column: the narrowest type every non-missing value fits (integers with leading zeros stay text). */
export async function inferTypes(tx: Store, columns: number): Promise<InferredType[]> {
  if (columns === 0) return [];
  const parts = Array.from({ length: columns }, (_, i) => [
    sql`bool_and(${col(i)} IS NULL OR regexp_full_match(trim(${col(i)}), ${INT_RE})) AS ${ident(`i${i}`)}`,
    sql`bool_and(${col(i)} IS NULL OR regexp_full_match(trim(${col(i)}), ${NUM_RE})) AS ${ident(`n${i}`)}`,
    sql`bool_and(${col(i)} IS NULL OR lower(trim(${col(i)})) IN ('true', 'false')) AS ${ident(`b${i}`)}`,
    sql`count(${col(i)}) AS ${ident(`k${i}`)}`,
  ]).flat();
  const r =
    (await tx.one<Record<string, boolean | number>>(sql`SELECT ${join(parts)} FROM ${ident(RAW)}`)) ?? {};
  return Array.from({ length: columns }, (_, i) =>
    r[`k${i}`] === 0
      ? 'empty'
      : r[`i${i}`]
        ? 'integer'
        : r[`n${i}`]
          ? 'number'
          : r[`b${i}`]
            ? 'boolean'
            : 'string',
  );
}

function typedExtra(i: number, t: InferredType): SqlFragment {
  const c = col(i);
  switch (t) {
    case 'integer':
      return sql`CAST(trim(${c}) AS BIGINT)`;
    case 'number':
      return sql`CAST(trim(${c}) AS DOUBLE)`;
    case 'boolean':
      return sql`lower(trim(${c})) = 'true'`;
    default:
      return c;
  }
}

const TRUE_SET = ['true', 't', 'yes', 'y', '1'];
const inList = (values: readonly string[]): SqlFragment => join(values.map((v) => sql`${v}`));
const FALSE_SET = ['false', 'f', 'no', 'n', '0'];

function typedField(f: FieldSpec, r: SqlFragment, o: ConvertOptions): SqlFragment {
  const t = sql`trim(${r})`;
  switch (f.type) {
    case 'string':
      return r;
    case 'number':
      return sql`CASE WHEN regexp_full_match(${t}, ${NUM_RE}) AND isfinite(TRY_CAST(${t} AS DOUBLE)) THEN CAST(${t} AS DOUBLE) END`;
    case 'integer':
      return sql`CASE WHEN regexp_full_match(${t}, ${NUM_RE}) AND CAST(${t} AS DOUBLE) = floor(CAST(${t} AS DOUBLE))
        AND abs(CAST(${t} AS DOUBLE)) < 9e15 THEN CAST(CAST(${t} AS DOUBLE) AS BIGINT) END`;
    case 'boolean':
      return sql`CASE WHEN lower(${t}) IN (${inList(TRUE_SET)}) THEN true WHEN lower(${t}) IN (${inList(FALSE_SET)}) THEN false END`;
    case 'json':
      return sql`CASE WHEN json_valid(${r}) AND json_type(CAST(${r} AS JSON)) = 'OBJECT' THEN CAST(${r} AS JSON) END`;
    case 'timestamp': {
      // with %z the engine returns TIMESTAMPTZ: through epoch microseconds, as below
      if (o.strptime) return sql`make_timestamp(epoch_us(try_strptime(${t}, ${o.strptime})))`;
      // ISO-8601. Offsets go through the engine's TIMESTAMPTZ parser (it applies them; it wants seconds
      // before an offset, so '10:00Z' is retried as '10:00:00Z'); the common shapes take the cheaper
      // TIMESTAMP parser: no offset (UTC) or a trailing Z. The LIKE keeps out 'epoch' and 'infinity'.
      // The instant as UTC wall-clock time through epoch microseconds: CAST(TIMESTAMPTZ AS TIMESTAMP)
      // would give the wall-clock time of the process's TZ (found by the America/New_York test run).
      const slow = (x: SqlFragment) => sql`make_timestamp(epoch_us(coalesce(TRY_CAST(${x} AS TIMESTAMPTZ),
        TRY_CAST(regexp_replace(${x}, '^([0-9-]{10}[T ][0-9]{2}:[0-9]{2})([Zz+-])', '\1:00\2') AS TIMESTAMPTZ))))`;
      return sql`CASE
        WHEN ${r} LIKE '____-__-__%' AND right(${r}, 1) <> ' ' THEN CASE
          WHEN right(${r}, 1) IN ('Z', 'z') AND substr(${r}, 11, 1) IN ('T', ' ') AND NOT contains(substr(${r}, 11), '+')
            THEN TRY_CAST(left(${r}, -1) AS TIMESTAMP)
          WHEN contains(substr(${r}, 11), '+') OR contains(substr(${r}, 11), '-') OR right(${r}, 1) IN ('Z', 'z') THEN ${slow(r)}
          ELSE TRY_CAST(${r} AS TIMESTAMP) END
        WHEN ${t} LIKE '____-__-__%' THEN ${slow(t)} END`;
    }
  }
}

/** True when the raw timestamp carries its own offset (then --timezone does not apply). */
function hasOffset(r: SqlFragment, o: ConvertOptions): SqlFragment {
  if (o.strptime) return raw('false');
  return sql`regexp_extract(trim(${r}), ${OFFSET_RE}, 3) <> ''`;
}

const lit = (v: string | number | boolean): SqlFragment => sql`${v}`;

function errors(kind: Kind, o: ConvertOptions): { field: string; cond: SqlFragment; msg: SqlFragment }[] {
  const out: { field: string; cond: SqlFragment; msg: SqlFragment }[] = [];
  for (const f of KIND_SPECS[kind].fields) {
    const v = ident(f.name);
    const r = ident(`_r_${f.name}`);
    if (f.required && f.default === undefined)
      out.push({ field: f.name, cond: sql`${r} IS NULL`, msg: lit('required') });
    const shown = sql`'"' || CASE WHEN length(${r}) > 40 THEN left(${r}, 40) || '…' ELSE ${r} END || '"'`;
    const what =
      f.type === 'timestamp'
        ? o.dateFormat
          ? lit(` does not match --date-format ${o.dateFormat}`)
          : lit(
              ' is not an ISO-8601 timestamp (e.g. 2026-03-01T14:05:00Z); give --date-format for other layouts',
            )
        : f.type === 'json'
          ? lit(' is not a JSON object')
          : lit(` is not a ${f.values ? `one of ${f.values.join(', ')}` : f.type}`);
    if (f.type === 'string')
      out.push({
        field: f.name,
        cond: sql`contains(${r}, chr(0))`,
        msg: lit('contains a NUL character (\\u0000)'),
      });
    if (f.type === 'number')
      out.push({
        field: f.name,
        cond: sql`${r} IS NOT NULL AND ${v} IS NULL AND regexp_full_match(trim(${r}), ${NUM_RE})`,
        msg: sql`${shown} || ' is out of range (not a finite number)'`,
      });
    if (f.type === 'timestamp' && !o.strptime)
      // shapes the engine's parser would roll over (24:00, an offset of +99:00): refused as core/time.ts does
      out.push({
        field: f.name,
        cond: sql`${v} IS NOT NULL AND NOT regexp_full_match(trim(${r}), ${ISO_RE})`,
        msg: sql`${shown} || ${' is not a valid ISO-8601 time (hours 00–23, minutes and seconds 00–59, offsets up to ±18:00)'}`,
      });
    if (f.type !== 'string')
      out.push({
        field: f.name,
        cond: sql`${r} IS NOT NULL AND ${v} IS NULL`,
        msg: sql`${shown} || ${what}`,
      });
    if (f.type === 'timestamp')
      out.push({
        field: f.name,
        cond: sql`${v} < TIMESTAMP '1900-01-01' OR ${v} >= TIMESTAMP '10000-01-01'`,
        msg: sql`${shown} || ${` is outside the years ${MIN_YEAR}–${MAX_YEAR} (UTC)`}`,
      });
    if (f.values) {
      out.push({
        field: f.name,
        cond: sql`${v} IS NOT NULL AND ${v} NOT IN (${inList(f.values)})`,
        msg: sql`${shown} || ${` is not one of ${f.values.join(', ')}`}`,
      });
    }
    if (f.min !== undefined)
      out.push({
        field: f.name,
        cond: sql`${v} < ${f.min}`,
        msg: sql`CAST(${v} AS VARCHAR) || ${` is below ${f.min}`}`,
      });
    if (f.max !== undefined)
      out.push({
        field: f.name,
        cond: sql`${v} > ${f.max}`,
        msg: sql`CAST(${v} AS VARCHAR) || ${` is above ${f.max}`}`,
      });
  }
  if (kind === 'events') {
    out.push({
      field: 'customer_id',
      cond: sql`customer_id IS NULL AND anonymous_id IS NULL`,
      msg: lit('an event needs customer_id or anonymous_id'),
    });
  }
  if (kind === 'feedback') {
    out.push({
      field: 'comment',
      cond: sql`kind = 'text' AND comment IS NULL`,
      msg: lit('a text answer needs a comment'),
    });
    out.push({
      field: 'score',
      cond: sql`kind = 'text' AND score IS NOT NULL`,
      msg: lit('a text answer has no score'),
    });
    for (const [k, [lo, hi]] of Object.entries(SCORE_RANGE)) {
      out.push({
        field: 'score',
        cond: sql`kind = ${k} AND score IS NULL`,
        msg: lit(`a ${k} answer needs a score`),
      });
      out.push({
        field: 'score',
        cond: sql`kind = ${k} AND (score < ${lo} OR score > ${hi})`,
        msg: sql`CAST(score AS VARCHAR) || ${` is outside the ${k.toUpperCase()} range ${lo}–${hi}`}`,
      });
    }
  }
  if (kind === 'pulse') {
    out.push({
      field: 'score',
      cond: sql`(question = 'enps' AND (score < 0 OR score > 10)) OR (question <> 'enps' AND (score < 1 OR score > 5))`,
      msg: sql`CAST(score AS VARCHAR) || ' is outside the ' || question || CASE WHEN question = 'enps' THEN ' range 0–10' ELSE ' range 1–5' END`,
    });
  }
  if (kind === 'identities') {
    out.push({
      field: 'customer_id',
      cond: sql`customer_id IS NULL AND (linked_type IS NULL OR linked_alias IS NULL)`,
      msg: lit('an alias needs customer_id or linked_type + linked_alias'),
    });
  }
  return out;
}

/**
 * Builds `_tp_conv` from RAW with the mapping; returns the number of rows it holds. With questions,
 * each file row becomes one row per answered question.
 */
export async function convert(
  tx: Store,
  kind: Kind,
  headers: readonly string[],
  mapping: ResolvedMapping,
  types: readonly InferredType[],
  o: ConvertOptions,
  lineBase?: number,
): Promise<number> {
  const spec = KIND_SPECS[kind];
  // only values starting with a space can be blank (empty ones are NULL already): trim just those
  const missing = (r: SqlFragment): SqlFragment =>
    sql`CASE WHEN ascii(${r}) IN (32, 9, 10, 13) AND trim(${r}, ' ' || chr(9) || chr(10) || chr(13)) = '' THEN NULL ELSE ${r} END`;
  const rawOf = (field: string): SqlFragment => {
    const s = mapping.sources[field];
    if (!s) return raw('CAST(NULL AS VARCHAR)');
    if ('header' in s) return missing(col(s.header));
    if ('coalesce' in s) return missing(sql`coalesce(${join(s.coalesce.map((i) => missing(col(i))))})`);
    return missing(sql`CAST(${s.constant} AS VARCHAR)`);
  };
  // every unmapped column, typed; missing values are left out (a JSON null would erase a known value on merge)
  const extrasJson =
    spec.extras && mapping.extras.length > 0
      ? sql`json_merge_patch('{}', json_object(${join(mapping.extras.map((i) => sql`${headers[i]!}, ${typedExtra(i, types[i] ?? 'string')}`))}))`
      : undefined;
  const variants: SqlFragment[] = [];
  const line = lineBase === undefined ? raw('_line') : sql`rowid + ${lineBase}`;
  const layer1 = (overrides: Record<string, SqlFragment>, where: SqlFragment): SqlFragment =>
    sql`SELECT ${line} AS _line, ${join(
      spec.fields.map((f) => {
        if (f.name === spec.extras && extrasJson && !mapping.sources[f.name]) {
          return sql`CAST(${extrasJson} AS VARCHAR) AS ${ident(`_r_${f.name}`)}`;
        }
        return sql`${overrides[f.name] ?? rawOf(f.name)} AS ${ident(`_r_${f.name}`)}`;
      }),
    )} FROM ${ident(RAW)} WHERE ${where}`;
  if (mapping.questions.length === 0) variants.push(layer1({}, raw('true')));
  for (const q of mapping.questions) {
    const answer = missing(col(q.header));
    variants.push(
      layer1(
        {
          // one response, several answers: a given response id becomes `<id>:<question>`
          ...(mapping.sources.id ? { id: sql`${rawOf('id')} || ':' || ${headers[q.header]!}` } : {}),
          kind: sql`${q.kind}`,
          question: sql`${headers[q.header]!}`,
          score: q.kind === 'text' ? raw('CAST(NULL AS VARCHAR)') : answer,
          comment: q.kind === 'text' ? answer : rawOf('comment'),
        },
        sql`${answer} IS NOT NULL`,
      ),
    );
  }
  const typed = spec.fields.map((f) => {
    const r = ident(`_r_${f.name}`);
    const value = typedField(f, r, o);
    const fallback = f.defaultWhenSet
      ? sql`CASE WHEN ${ident(`_r_${f.defaultWhenSet.field}`)} IS NOT NULL THEN ${f.defaultWhenSet.value} ELSE ${f.default ?? null} END`
      : f.default;
    const withDefault =
      fallback !== undefined ? sql`CASE WHEN ${r} IS NULL THEN ${fallback} ELSE ${value} END` : value;
    return sql`${withDefault} AS ${ident(f.name)}`;
  });
  const offsets = spec.fields
    .filter((f) => f.type === 'timestamp' && o.timezone)
    .map((f) => sql`${hasOffset(ident(`_r_${f.name}`), o)} AS ${ident(`_o_${f.name}`)}`);
  const errs = errors(kind, o);
  // the first failing check's field and message (NULL for a clean row)
  const firstError = (part: (e: (typeof errs)[number]) => string | SqlFragment) =>
    errs.length
      ? sql`CASE ${join(
          errs.map((e) => sql`WHEN ${e.cond} THEN ${part(e)}`),
          raw(' '),
        )} END`
      : raw('CAST(NULL AS VARCHAR)');
  const errField = firstError((e) => e.field);
  const errMsg = firstError((e) => e.msg);
  const typedQuery = sql`SELECT _line, ${join([...typed, ...offsets])}, ${join(spec.fields.map((f) => ident(`_r_${f.name}`)))}
      FROM (${join(variants, raw(' UNION ALL '))})`;
  // derived ids (merge.ts) computed here, over the converted values
  const withIds = spec.deriveId
    ? sql`SELECT * REPLACE (CASE WHEN id IS NULL THEN ${derivedId(spec)} ELSE id END AS id) FROM (${typedQuery})`
    : typedQuery;
  await tx.exec(sql`CREATE OR REPLACE TEMP TABLE ${ident(CONV)} AS
    SELECT * EXCLUDE (${join(spec.fields.map((f) => ident(`_r_${f.name}`)))}),
      ${errField} AS _err_field, ${errMsg} AS _err_msg FROM (${withIds})`);
  if (o.timezone) await applyTimezone(tx, kind, o.timezone);
  const n = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(CONV)}`);
  return n?.n ?? 0;
}

/**
 * Timestamps written without an offset are wall-clock time in `zone`: each distinct local hour gets
 * its UTC offset from Luxon (the engine has no time zone data), then the values are shifted. In a
 * spring-forward gap Luxon moves the time forward; in the autumn overlap the earlier offset is used.
 */
async function applyTimezone(tx: Store, kind: Kind, zone: string): Promise<void> {
  if (!DateTime.local().setZone(zone).isValid) {
    throw new TouchpointError(
      'invalid_input',
      `--timezone: ${zone} is not a known IANA time zone (e.g. Europe/Paris)`,
    );
  }
  const fields = KIND_SPECS[kind].fields.filter((f) => f.type === 'timestamp').map((f) => f.name);
  const hours = await tx.all<{ h: string }>(
    sql`SELECT DISTINCT h FROM (${join(
      fields.map(
        (f) =>
          sql`SELECT date_trunc('hour', ${ident(f)}) AS h FROM ${ident(CONV)} WHERE NOT ${ident(`_o_${f}`)}`,
      ),
      raw(' UNION ALL '),
    )}) WHERE h IS NOT NULL`,
  );
  const rows: BulkRow[] = hours.map(({ h }) => {
    const d = new Date(h);
    const local = DateTime.fromObject(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
      },
      { zone },
    );
    return [d, local.offset];
  });
  const tzColumns = [
    { name: 'h', type: 'timestamp' },
    { name: 'offset_min', type: 'integer' },
  ] as const;
  await tx.createTemp('_tp_tz', tzColumns);
  await tx.append('_tp_tz', tzColumns, rows);
  for (const f of fields) {
    await tx.exec(sql`UPDATE ${ident(CONV)} SET ${ident(f)} = ${ident(CONV)}.${ident(f)} - to_minutes(CAST(z.offset_min AS BIGINT))
      FROM _tp_tz z WHERE z.h = date_trunc('hour', ${ident(CONV)}.${ident(f)}) AND NOT ${ident(CONV)}.${ident(`_o_${f}`)}`);
  }
}

/** The rows that fail, first problem each, in line order. */
export async function convErrors(
  tx: Store,
  limit: number,
): Promise<{ count: number; errors: { line: number; field: string; message: string }[] }> {
  const count = await tx.one<{ n: number }>(
    sql`SELECT count(DISTINCT _line) AS n FROM ${ident(CONV)} WHERE _err_field IS NOT NULL`,
  );
  const errors = await tx.all<{ line: number; field: string; message: string }>(
    sql`SELECT DISTINCT _line AS line, _err_field AS field, _err_msg AS message FROM ${ident(CONV)}
      WHERE _err_field IS NOT NULL ORDER BY line, field, message LIMIT ${limit}`,
  );
  return { count: count?.n ?? 0, errors };
}
