import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { checkUtf8 } from './encoding.js';
import { importFile } from './import-file.js';
import { refused } from './ingest.test-helpers.js';

// Files in Latin-1 and Windows-1252 as spreadsheets on Windows write them (issue 17 item 3): refused
// with the line and the --encoding to use, never stored as U+FFFD; imported exactly with --encoding.

const dir = mkdtempSync(join(tmpdir(), 'tp-encoding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (name: string, bytes: Buffer): string => {
  const p = join(dir, `${++n}-${name}`);
  writeFileSync(p, bytes);
  return p;
};

// 'é' is 0xE9 in Latin-1 and Windows-1252; '€' is 0x80 and “ ” are 0x93 0x94 in Windows-1252 only
const LATIN1 = Buffer.from('id,name\nt1,Billing\nt2,Café Müller\n', 'latin1');
const CP1252 = Buffer.concat([
  Buffer.from('id,name\nt1,Billing\nt2,'),
  Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94]), // € “q”
  Buffer.from('\n'),
]);
const LATIN1_HINT =
  'if the file is Latin-1 or Windows-1252 (Excel on Windows), import with --encoding windows-1252 (or latin1)';

describe('file encodings', () => {
  it('a Latin-1 file is refused naming the line and the encoding to use, also by a dry run; nothing stored', async () => {
    await withTestDb(async (db) => {
      const f = write('teams.csv', LATIN1);
      for (const dryRun of [false, true]) {
        const e = await refused(importFile(db, 'teams', { file: f, dryRun }));
        // "t2,Caf" is 6 bytes: the 7th byte of line 3 is 0xE9
        expect(e.message).toBe(`${f}:3: not valid UTF-8 (byte 0xE9 at byte 7 of the line); ${LATIN1_HINT}`);
        expect(e.details).toEqual([
          { file: f, line: 3, message: `not valid UTF-8 (byte 0xE9 at byte 7 of the line); ${LATIN1_HINT}` },
        ]);
      }
      expect(await db.one(sql`SELECT count(*) AS n FROM teams`)).toEqual({ n: 0 });
    });
  });

  it('--encoding latin1 stores the text exactly (plain and gzipped)', async () => {
    for (const gz of [false, true]) {
      await withTestDb(async (db) => {
        const f = write(gz ? 'teams.csv.gz' : 'teams.csv', gz ? gzipSync(LATIN1) : LATIN1);
        expect(await importFile(db, 'teams', { file: f, encoding: 'latin1' })).toMatchObject({
          rowsStored: 2,
        });
        expect(await db.all(sql`SELECT id, name FROM teams ORDER BY id`)).toEqual([
          { id: 't1', name: 'Billing' },
          { id: 't2', name: 'Café Müller' },
        ]);
      });
    }
  });

  it('a Windows-1252 file: the hint names it, and --encoding windows-1252 reads € and curly quotes', async () => {
    await withTestDb(async (db) => {
      const f = write('teams.csv', CP1252);
      const e = await refused(importFile(db, 'teams', { file: f }));
      expect(e.message).toBe(
        `${f}:3: not valid UTF-8 (byte 0x80 at byte 4 of the line); it looks like Windows-1252 (Excel on Windows): import with --encoding windows-1252`,
      );
      expect(await importFile(db, 'teams', { file: f, encoding: 'windows-1252' })).toMatchObject({
        rowsStored: 2,
      });
      expect(await db.one(sql`SELECT name FROM teams WHERE id = 't2'`)).toEqual({ name: '€ “q”' });
    });
  });

  it('JSON Lines in Windows-1252 convert too; errors name the user’s file, not the converted copy', async () => {
    await withTestDb(async (db) => {
      const f = write(
        'teams.jsonl',
        Buffer.from('{"id":"t1","name":"Caf\u00e9"}\n{"id":"t2","name":"x","tier":"one"}\n', 'latin1'),
      );
      const e = await refused(importFile(db, 'teams', { file: f, encoding: 'windows-1252' }));
      expect(e.message).toMatch(
        new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: tier: "one" is not a integer`),
      );
      const ok = write('ok.jsonl', Buffer.from('{"id":"t1","name":"Caf\u00e9"}\n', 'latin1'));
      await importFile(db, 'teams', { file: ok, encoding: 'windows-1252' });
      expect(await db.one(sql`SELECT name FROM teams`)).toEqual({ name: 'Café' });
    });
  });

  it('counts lines across stream chunks and keeps characters split by a chunk boundary', async () => {
    // 40,000 lines of 32 bytes (1.28 MB, more than one 1 MiB chunk), one bad byte on line 35,001
    const lines = Array.from({ length: 40_000 }, (_, i) => `${String(i).padStart(30, '0')}\n`);
    lines[35_000] = `${'0'.repeat(29)}\u00e9\n`;
    const bad = write('long.csv', Buffer.from(lines.join(''), 'latin1'));
    const e = await refused(checkUtf8(bad, false));
    expect(e.message).toMatch(/:35001: not valid UTF-8 \(byte 0xE9 at byte 30 of the line\)/);
    // one line of 700,000 two-byte characters: chunk boundaries fall inside characters
    const good = write('wide.csv', Buffer.from(`${'é'.repeat(700_000)}\nok\n`, 'utf8'));
    await expect(checkUtf8(good, false)).resolves.toBeUndefined();
  });
});
