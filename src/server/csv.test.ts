import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv', () => {
  it.each([
    [[{ a: 1, b: 'x' }], 'a,b\r\n1,x\r\n'],
    [[{ a: 'say "hi", ok' }], 'a\r\n"say ""hi"", ok"\r\n'],
    [[{ a: { b: 1 } }, { c: null }], 'a,c\r\n"{""b"":1}",\r\n,\r\n'],
    [[{ a: '=cmd()' }, { a: -3 }], "a\r\n'=cmd()\r\n-3\r\n"],
    [[], '\r\n'],
  ])('%j', (rows, expected) => {
    expect(toCsv(rows)).toBe(expected);
  });
});
