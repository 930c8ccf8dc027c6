import { describe, expect, it } from 'vitest';
import { checkOutOnTerminal } from './main.js';
import { parseLogFormat, prettyRequestLog } from './request-log.js';

describe('the server log on a terminal (#17.11)', () => {
  it("turns pino's two JSON lines per request into one readable line", () => {
    const lines: string[] = [];
    const log = prettyRequestLog((l) => lines.push(l));
    const t = Date.UTC(2026, 0, 2, 12, 4, 31);
    log.write(
      `${JSON.stringify({ level: 30, time: t, reqId: 'r1', req: { method: 'GET', url: '/api/v1/journey/map' }, msg: 'incoming request' })}\n`,
    );
    log.write(
      `${JSON.stringify({ level: 30, time: t, reqId: 'r1', res: { statusCode: 200 }, responseTime: 41.2, msg: 'request completed' })}\n`,
    );
    log.write(`${JSON.stringify({ level: 40, time: t, msg: 'slow query' })}\n`);
    expect(lines).toEqual(['12:04:31 GET /api/v1/journey/map 200 41 ms', '12:04:31 warn slow query']);
  });

  it('is JSON when asked, or when the log is not a terminal', () => {
    expect(parseLogFormat('json')).toBe('json');
    expect(parseLogFormat(undefined, { isTTY: false } as NodeJS.WriteStream)).toBe('json');
    expect(parseLogFormat(undefined, { isTTY: true } as NodeJS.WriteStream)).toBe('pretty');
    expect(() => parseLogFormat('xml')).toThrow(/--log-format: expected pretty or json/);
  });
});

describe('a list meant for a file is not poured onto a terminal (#17.10)', () => {
  const spec = {
    capability: 'cases' as const,
    area: 'cases',
    verb: 'export',
    summary: '',
    mode: 'read' as const,
    isDefault: false,
    positional: [],
    fields: [
      { name: 'out', kind: 'string' as const, optional: true },
      { name: 'limit', kind: 'number' as const, optional: true },
    ],
  };
  it('asks for --out on a terminal', () => {
    expect(() => checkOutOnTerminal(spec, {}, false, true)).toThrow(
      'touchpoint cases export writes one row per item: give --out FILE.csv (or --limit N to look at a few, or --json to print them all)',
    );
  });
  it.each([
    [{ out: 'cases.csv' }, false, true],
    [{ limit: '5' }, false, true],
    [{}, true, true],
    [{}, false, false],
  ])('runs with %j, --json %s, terminal %s', (raw, json, terminal) => {
    expect(() => checkOutOnTerminal(spec, raw, json, terminal)).not.toThrow();
  });
});
