import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { readMeta, type Store, writeMeta } from '../store/index.js';
import { TouchpointError } from './errors.js';

/**
 * Touchpoint's one time vocabulary: the parser every edge and every import uses, the zod `instant`
 * schema, the `TimeFrame` parameters every analysis spreads, and the workspace's time zone.
 *
 * - An instant is ISO 8601: `2026-03-01`, `2026-03-01T14:05`, `2026-03-01 14:05:30.25`, with an
 *   optional offset `Z`, `+02:00`, `+0200` or `+02`.
 * - A time with an offset is that instant. A time (or date) without one is wall-clock time in the
 *   **workspace's zone** (`meta` key `time_zone`, an IANA name; default UTC), never the process's TZ:
 *   the same command means the same instant on every machine.
 * - Impossible calendar values are refused, never rolled over: `2026-02-30`, `24:00`, `10:61`,
 *   a leap second `:60`, an offset beyond ±18:00. Years are 1900–9999, both as written and once
 *   converted to UTC (`9999-12-31T23:00-05:00` is in year 10000 and refused).
 * - A wall-clock time that a daylight-saving change skips moves forward by the gap (02:30 in New York
 *   on 2026-03-08 is 03:30 EDT = 07:30Z); one that happens twice is read as the later of the two
 *   (01:30 on 2026-11-01 is 01:30 EST = 06:30Z). These are Luxon's rules, as file imports use them.
 */

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
/** The `meta` key holding the workspace's IANA time zone. */
export const TIME_ZONE_KEY = 'time_zone';
export const DEFAULT_ZONE = 'UTC';

const ISO =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type ParsedTime =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly message: string };

const fail = (message: string): ParsedTime => ({ ok: false, message });

export const EXAMPLE = 'e.g. 2026-03-01, 2026-03-01T14:05 or 2026-03-01T14:05:00+02:00';

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * Parses ISO 8601 text to epoch milliseconds (fractions beyond the millisecond are truncated). A time
 * without an offset is read in `zone` (an IANA name; default UTC). Never throws: a bad value gets a
 * message saying what is wrong with it, for the caller to prefix with the field.
 */
export function parseTime(text: string, zone: string = DEFAULT_ZONE): ParsedTime {
  const m = ISO.exec(text.trim());
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (!m) return fail(`${shown} is not an ISO-8601 date or time (${EXAMPLE})`);
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', frac = '', off] = m;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < MIN_YEAR || y > MAX_YEAR) return fail(`${shown}: year ${y} is outside ${MIN_YEAR}–${MAX_YEAR}`);
  if (mo < 1 || mo > 12) return fail(`${shown}: there is no month ${mo}`);
  if (d < 1 || d > daysIn(y, mo))
    return fail(`${shown}: ${ys}-${mos} has no day ${d} (it has ${daysIn(y, mo)} days)`);
  if (h > 23) return fail(`${shown}: hour ${h} is outside 00–23`);
  if (mi > 59) return fail(`${shown}: minute ${mi} is outside 00–59`);
  if (s > 59) return fail(`${shown}: second ${s} is outside 00–59`);
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  let t: number;
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4) || '0');
    if (oh > 18 || om > 59 || oh * 60 + om > 18 * 60)
      return fail(`${shown}: ${off} is not a UTC offset (−18:00 to +18:00)`);
    t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - sign * (oh * 60 + om) * 60_000;
  } else if (off || isUtc(zone)) {
    t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  } else {
    const local = DateTime.fromObject(
      { year: y, month: mo, day: d, hour: h, minute: mi, second: s, millisecond: ms },
      { zone },
    );
    if (!local.isValid) return fail(`${shown}: cannot be read in time zone ${zone}`);
    t = local.toMillis();
  }
  // Date.UTC maps years 0–99 to 1900–1999; the range check above keeps them out
  const utcYear = new Date(t).getUTCFullYear();
  if (utcYear < MIN_YEAR || utcYear > MAX_YEAR)
    return fail(`${shown} is in year ${utcYear} in UTC, outside ${MIN_YEAR}–${MAX_YEAR}`);
  return { ok: true, ms: t };
}

const isUtc = (zone: string): boolean => zone === 'UTC' || zone === 'Etc/UTC' || zone === 'utc';

/** True when `zone` is an IANA time zone name Luxon knows. */
export function isZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses or throws a TouchpointError naming `field` (`from: "2026-02-30": 2026-02 has no day 30 …`). */
export function toInstant(text: string, field: string, zone: string = DEFAULT_ZONE): Date {
  const r = parseTime(text, zone);
  if (!r.ok) {
    throw new TouchpointError('invalid_input', `${field}: ${r.message}`, {
      details: [{ field, message: r.message }],
    });
  }
  return new Date(r.ms);
}

/**
 * The zod schema of an instant parameter. It checks the text (so an impossible date is a 400 / exit
 * code 2 naming the field at every edge) and keeps it as written: the workspace's zone is applied
 * when the analysis resolves it (`resolveTimeFrame`, `resolveInstant`), since the schema cannot know
 * the workspace. An empty string means "not given".
 */
export const instant = z.string().superRefine((v, ctx) => {
  if (v === '') return;
  const r = parseTime(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});

const ZONE_NOTE = 'a date or time without an offset is read in the workspace time zone (default UTC)';

/** The time-frame parameters every analysis spreads into its schema: `...TimeFrameParams`. */
export const TimeFrameParams = {
  from: instant.optional().describe(`start of the period (inclusive), ISO 8601; ${ZONE_NOTE}`),
  to: instant.optional().describe('end of the period (exclusive), ISO 8601'),
  asOf: instant
    .optional()
    .describe('read the data as it stood at this instant: later records are ignored (default: all data)'),
};

export interface TimeFrameInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly asOf?: string | undefined;
}

/** A resolved time frame: UTC instants, null where not given. */
export interface TimeFrame {
  readonly from: Date | null;
  readonly to: Date | null;
  readonly asOf: Date | null;
}

/** The workspace's IANA time zone (meta `time_zone`), default UTC. */
export async function workspaceZone(db: Store): Promise<string> {
  const v = await readMeta(db, TIME_ZONE_KEY);
  return typeof v === 'string' && v !== '' ? v : DEFAULT_ZONE;
}

/** Sets the workspace's time zone; refuses a name that is not an IANA zone. */
export async function setWorkspaceZone(db: Store, zone: string): Promise<void> {
  if (!isZone(zone))
    throw new TouchpointError(
      'invalid_input',
      `time zone: ${zone} is not a known IANA time zone (e.g. Europe/Paris)`,
      { details: [{ field: 'timeZone', message: 'not an IANA time zone' }] },
    );
  await writeMeta(db, TIME_ZONE_KEY, zone);
}

/** One instant parameter in the workspace's zone, or null when not given. */
export async function resolveInstant(
  db: Store,
  text: string | undefined | null,
  field: string,
): Promise<Date | null> {
  if (text === undefined || text === null || text === '') return null;
  return toInstant(text, field, await workspaceZone(db));
}

/**
 * Resolves `from` / `to` / `asOf` in the workspace's zone (one meta read) and checks that `from` is
 * before `to`. Field names in errors are the parameter names (`from`, `to`, `asOf`).
 */
export async function resolveTimeFrame(db: Store, p: TimeFrameInput): Promise<TimeFrame> {
  const given = [p.from, p.to, p.asOf].some((v) => v !== undefined && v !== '');
  const zone = given ? await workspaceZone(db) : DEFAULT_ZONE;
  const one = (v: string | undefined, field: string): Date | null =>
    v === undefined || v === '' ? null : toInstant(v, field, zone);
  const frame = { from: one(p.from, 'from'), to: one(p.to, 'to'), asOf: one(p.asOf, 'asOf') };
  if (frame.from && frame.to && frame.from >= frame.to) {
    throw new TouchpointError('invalid_input', 'from: must be before to', {
      details: [{ field: 'from', message: 'must be before to' }],
    });
  }
  return frame;
}
