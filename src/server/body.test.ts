import { describe, expect, it } from 'vitest';
import { helpdeskChange } from '../cases/helpdesk.js';
import { isTouchpointError } from '../core/errors.js';
import { decodeUtf8, MAX_DEPTH, parseJson, recordsOf } from './body.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (isTouchpointError(e)) return e.details[0]?.field;
    throw e;
  }
  return undefined;
};

describe('hostile bodies', () => {
  it.each([
    ['deep nesting', `${'['.repeat(1000)}${']'.repeat(1000)}`, '(body)'],
    ['prototype pollution', '{"a":{"__proto__":{"x":1}}}', 'a.__proto__'],
    ['constructor.prototype', '{"constructor":{"prototype":{"x":1}}}', 'constructor'],
    ['long string', JSON.stringify({ comment: 'x'.repeat(70_000) }), 'comment'],
    ['malformed', '{"a":', '(body)'],
  ])('%s is refused naming %s', (_name, text, field) => {
    expect(fieldOf(() => parseJson(text))).toBe(field);
  });

  it('accepts nesting up to the limit, and braces inside strings do not count', () => {
    const ok = `${'['.repeat(MAX_DEPTH - 1)}"[[[{{{"${']'.repeat(MAX_DEPTH - 1)}`;
    expect(() => parseJson(ok)).not.toThrow();
  });

  it('refuses invalid UTF-8', () => {
    expect(fieldOf(() => decodeUtf8(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe('(body)');
    expect(decodeUtf8(Buffer.from('{"a":"é"}'))).toBe('{"a":"é"}');
  });

  it.each([
    [[{ a: 1 }], undefined, 1],
    [{ records: [{ a: 1 }, { a: 2 }] }, undefined, 2],
    [{ a: 1 }, undefined, 1],
    ['{"a":1}\n\n{"a":2}\n', 'application/x-ndjson', 2],
  ])('records of %j', (body, ct, n) => {
    expect(recordsOf(body, ct)).toHaveLength(n);
  });

  it('names the record that is not an object, and the NDJSON line that is malformed', () => {
    expect(fieldOf(() => recordsOf([{ a: 1 }, 5], undefined))).toBe('[1]');
    expect(fieldOf(() => recordsOf('{"a":1}\n{"a":', 'application/x-ndjson'))).toBe('line 2');
  });
});

describe('helpdesk webhook mapping', () => {
  it('maps a reassignment to an assigned event and the case fields present', () => {
    const r = helpdeskChange({
      ticket_id: 'T1',
      updated_at: '2026-01-02T10:00:00Z',
      group: 'billing',
      assignee: 'ann',
    });
    expect(r).toEqual({
      case: { id: 'T1', opened_at: '2026-01-02T10:00:00Z', owner_team: 'billing', owner_agent: 'ann' },
      event: {
        id: 'T1@2026-01-02T10:00:00Z:assigned',
        case_id: 'T1',
        ts: '2026-01-02T10:00:00Z',
        type: 'assigned',
        team: 'billing',
        agent: 'ann',
      },
    });
  });

  it.each([
    [{ status: 'solved' }, 'closed'],
    [{ state: 'Reopened' }, 'reopened'],
    [{ status: 'pending' }, 'status'],
    [{ status: 'new' }, 'opened'],
    [{ comment: 'hi' }, 'note'],
    [{ type: 'update_sent', status: 'pending' }, 'update_sent'],
  ])('%j → %s', (change, type) => {
    expect(helpdeskChange({ id: 'T', ts: '2026-01-01T00:00:00Z', ...change }).event.type).toBe(type);
  });

  it('names the missing field', () => {
    expect(fieldOf(() => helpdeskChange({ ts: '2026-01-01T00:00:00Z' }, 3))).toBe('[3].ticket_id');
  });
});
