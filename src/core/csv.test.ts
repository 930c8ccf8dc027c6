import { describe, expect, it } from 'vitest';
import { toCsv as serverCsv } from '../server/csv.js';
import { toCsv as webCsv } from '../web/csv.js';
import { csvCell, toCsv } from './csv.js';

describe('the one CSV writer', () => {
  // OWASP "CSV Injection": cells starting with = + - @ tab or CR are run as formulas by spreadsheets
  it.each([
    ['=HYPERLINK("http://x.example","click")', `"'=HYPERLINK(""http://x.example"",""click"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
  ])('neutralises %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('leaves numbers as numbers, nested values as JSON, null empty', () => {
    expect([csvCell(-3), csvCell(0), csvCell({ a: 1 }), csvCell(null), csvCell(undefined)]).toEqual([
      '-3',
      '0',
      '"{""a"":1}"',
      '',
      '',
    ]);
  });

  it('is the writer of the server and of the cockpit, column order kept', () => {
    const rows = [{ team: '=cmd|"/c calc"!A1', n: -1 }];
    const want = `team,n\r\n"'=cmd|""/c calc""!A1",-1\r\n`;
    expect(toCsv(rows)).toBe(want);
    expect(serverCsv(rows)).toBe(want);
    expect(webCsv(rows, ['team', 'n'])).toBe(want);
    expect(serverCsv).toBe(webCsv);
  });
});
