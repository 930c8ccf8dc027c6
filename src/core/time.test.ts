import { describe, expect, it } from 'vitest';
import { ExportParams, exportCases } from '../cases/export.js';
import { loadCases } from '../cases/test-fixtures.js';
import { CommentsParams, listComments } from '../feedback/comments.js';
import { resolveFrame } from '../journeys/journey.js';
import { operations } from '../operations.js';
import { sql, withTestDb } from '../store/index.js';
import { isTouchpointError, TouchpointError } from './errors.js';
import { validate } from './params.js';
import {
  instant,
  parseTime,
  resolveTimeFrame,
  setWorkspaceZone,
  TimeFrameParams,
  toInstant,
  workspaceZone,
} from './time.js';

// Runs under TZ=UTC and TZ=America/New_York (vitest.config.ts projects): nothing here may depend on
// the process's zone. Expected instants are worked out by hand from the zones' rules (IANA tzdata:
// New York is UTC−5 in winter, UTC−4 from the second Sunday of March, 2026-03-08, to the first
// Sunday of November, 2026-11-01; Paris is UTC+2 in summer).
const iso = (text: string, zone?: string): string => {
  const r = parseTime(text, zone);
  if (!r.ok) throw new Error(r.message);
  return new Date(r.ms).toISOString();
};

describe('parseTime', () => {
  it.each([
    ['2026-03-01', 'UTC', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T10:00', 'UTC', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01 10:00:30.25', 'UTC', '2026-03-01T10:00:30.250Z'],
    ['2026-03-01T10:00', 'America/New_York', '2026-03-01T15:00:00.000Z'],
    ['2026-03-01', 'America/New_York', '2026-03-01T05:00:00.000Z'],
    ['2026-07-01T10:00', 'America/New_York', '2026-07-01T14:00:00.000Z'],
    ['2026-07-01T10:00', 'Europe/Paris', '2026-07-01T08:00:00.000Z'],
    // spring forward: 02:30 does not exist and moves forward by the gap, to 03:30 EDT
    ['2026-03-08T02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    // fall back: 01:30 happens twice; the later (EST) is taken
    ['2026-11-01T01:30', 'America/New_York', '2026-11-01T06:30:00.000Z'],
    // an offset wins over the zone
    ['2026-03-01T10:00+02:00', 'America/New_York', '2026-03-01T08:00:00.000Z'],
    ['2026-03-01T10:00:00-0530', 'UTC', '2026-03-01T15:30:00.000Z'],
    ['2026-03-01T10:00Z', 'Europe/Paris', '2026-03-01T10:00:00.000Z'],
    ['2024-02-29', 'UTC', '2024-02-29T00:00:00.000Z'],
    ['1900-01-01', 'UTC', '1900-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999', 'UTC', '9999-12-31T23:59:59.999Z'],
  ])('%s in %s is %s', (text, zone, expected) => {
    expect(iso(text, zone)).toBe(expected);
  });

  it.each([
    ['2026-02-30', '"2026-02-30": 2026-02 has no day 30 (it has 28 days)'],
    ['2026-02-29', '"2026-02-29": 2026-02 has no day 29 (it has 28 days)'],
    ['2026-13-01', '"2026-13-01": there is no month 13'],
    ['2026-03-01T24:00', '"2026-03-01T24:00": hour 24 is outside 00–23'],
    ['2026-03-01T24:61', '"2026-03-01T24:61": hour 24 is outside 00–23'],
    ['2026-03-01T10:61', '"2026-03-01T10:61": minute 61 is outside 00–59'],
    ['2026-03-01T23:59:60Z', '"2026-03-01T23:59:60Z": second 60 is outside 00–59'],
    ['2026-03-01T10:00+99:00', '"2026-03-01T10:00+99:00": +99:00 is not a UTC offset (−18:00 to +18:00)'],
    ['2026-03-01T10:00+18:30', '"2026-03-01T10:00+18:30": +18:30 is not a UTC offset (−18:00 to +18:00)'],
    ['1899-12-31', '"1899-12-31": year 1899 is outside 1900–9999'],
    ['10000-01-01', '"10000-01-01": year 10000 is outside 1900–9999'],
    ['9999-12-31T23:00-05:00', '"9999-12-31T23:00-05:00" is in year 10000 in UTC, outside 1900–9999'],
    [
      'yesterday',
      '"yesterday" is not an ISO-8601 date or time (e.g. 2026-03-01, 2026-03-01T14:05 or 2026-03-01T14:05:00+02:00)',
    ],
    [
      '2026-3-1',
      '"2026-3-1" is not an ISO-8601 date or time (e.g. 2026-03-01, 2026-03-01T14:05 or 2026-03-01T14:05:00+02:00)',
    ],
  ])('refuses %s', (text, message) => {
    expect(parseTime(text)).toEqual({ ok: false, message });
  });

  it('throws a typed error naming the field', () => {
    let e: unknown;
    try {
      toInstant('2026-02-30', 'from');
    } catch (x) {
      e = x;
    }
    expect(isTouchpointError(e)).toBe(true);
    expect(e).toMatchObject({
      code: 'invalid_input',
      message: 'from: "2026-02-30": 2026-02 has no day 30 (it has 28 days)',
      details: [{ field: 'from', message: '"2026-02-30": 2026-02 has no day 30 (it has 28 days)' }],
    });
  });
});

describe('the instant schema and the time frame', () => {
  it('every operation with a time parameter takes it from the one TimeFrame fragment', () => {
    const withFrame = operations.filter((op) => 'from' in op.params.shape || 'asOf' in op.params.shape);
    // 8 cases, 6 journeys, 4 feedback verbs spread the whole frame; personas and health take asOf
    expect(withFrame.length).toBeGreaterThanOrEqual(18);
    for (const op of withFrame) {
      const shape = op.params.shape as Record<string, unknown>;
      for (const k of ['from', 'to', 'asOf'] as const)
        if (k in shape) expect(shape[k], `${op.area} ${op.verb} ${k}`).toBe(TimeFrameParams[k]);
    }
  });

  it('an impossible date is a typed invalid_input naming the field, for every analysis', () => {
    const withFrame = operations.filter((op) => 'from' in op.params.shape);
    for (const op of withFrame) {
      let e: unknown;
      try {
        validate(op.params, { from: '2026-02-30' });
      } catch (x) {
        e = x;
      }
      expect(e, `${op.area} ${op.verb}`).toBeInstanceOf(TouchpointError);
      // among the problems (an operation may also lack a required parameter), the date is named
      expect((e as TouchpointError).details.find((d) => d.field === 'from')).toEqual({
        field: 'from',
        message: '"2026-02-30": 2026-02 has no day 30 (it has 28 days)',
      });
    }
  });

  it('the schema keeps the text (the zone is applied when the analysis resolves it); empty means absent', () => {
    expect(instant.parse('2026-03-01T10:00')).toBe('2026-03-01T10:00');
    expect(instant.parse('')).toBe('');
    expect(instant.safeParse('2026-03-01T25:00').success).toBe(false);
  });

  it('reads zone-less times in the workspace zone (meta time_zone), never the process zone', async () => {
    await withTestDb(async (db) => {
      expect(await workspaceZone(db)).toBe('UTC');
      const utc = await resolveTimeFrame(db, { from: '2026-03-01T10:00', to: '2026-03-02' });
      expect(utc.from?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
      expect(utc.to?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
      await setWorkspaceZone(db, 'America/New_York');
      const ny = await resolveTimeFrame(db, {
        from: '2026-03-01T10:00',
        to: '2026-03-02',
        asOf: '2026-03-05Z',
      });
      expect(ny.from?.toISOString()).toBe('2026-03-01T15:00:00.000Z');
      expect(ny.to?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
      expect(ny.asOf?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
      await expect(resolveTimeFrame(db, { from: '2026-03-02', to: '2026-03-01' })).rejects.toMatchObject({
        code: 'invalid_input',
        details: [{ field: 'from', message: 'must be before to' }],
      });
      await expect(setWorkspaceZone(db, 'Mars/Olympus')).rejects.toMatchObject({ code: 'invalid_input' });
    });
  });

  it('cases, journeys and feedback read the same zone-less instant the same way', async () => {
    await withTestDb(async (db) => {
      await setWorkspaceZone(db, 'America/New_York');
      // 10:00 in New York on 1 March 2026 is 15:00Z: one record just before, one just after
      await loadCases(db, [
        { id: 'before', opened: '2026-03-01T14:30:00', events: [] },
        { id: 'after', opened: '2026-03-01T15:30:00', events: [] },
      ]);
      await db.exec(sql`INSERT INTO feedback (id, ts, kind, comment) VALUES
        ('before', '2026-03-01 14:30:00', 'text', 'early'), ('after', '2026-03-01 15:30:00', 'text', 'late')`);
      const from = '2026-03-01T10:00';
      const cases = await exportCases(db, ExportParams.parse({ from }));
      expect(cases.map((c) => c.case_id)).toEqual(['after']);
      const comments = await listComments(db, CommentsParams.parse({ from }));
      expect(comments.items.map((c) => c.id)).toEqual(['after']);
      const frame = await resolveFrame(db, { from });
      expect(frame.from?.toISOString()).toBe('2026-03-01T15:00:00.000Z');
    });
  });
});
