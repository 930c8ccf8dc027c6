import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { analyzeText } from './analyze-text.js';
import { saveTaxonomy } from './taxonomy.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-analyze-text-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('analyzeText', () => {
  it('scores a real-looking CSV export: one record per row, in order, quoted newlines and entities', async () => {
    const csv = file(
      'export.csv',
      '\uFEFFTicket ID,Comment,Score\r\n' +
        'T-3,"The agent was rude\r\nand hung up on me",2\r\n' +
        'T-1,"Fast &amp; friendly, thank you!",10\r\n' +
        'T-2,,5\r\n' +
        'T-9,"They said ""no refund"" &#8211; unacceptable",1\r\n' +
        'T-4,"😡😡",0\r\n',
    );
    await withTestDb(async (db) => {
      await saveTaxonomy(db, {
        version: 1,
        themes: [
          {
            id: 'people.rude-staff',
            p: 'people',
            name: 'Rude staff',
            status: 'accepted',
            keywords: ['rude', 'hung up'],
          },
          { id: 'process.refund', p: 'process', name: 'Refund', status: 'accepted', keywords: ['refund'] },
        ],
      });
      const out = join(dir, 'scored.csv');
      const text = readFileSync(csv, 'utf8');
      const r = await analyzeText(db, { file: csv, text, textColumn: 'comment', idColumn: 'Ticket ID', out });
      expect(r.themesFrom).toBe('workspace');
      expect(r.records.map((x) => [x.id, x.label, x.themes])).toEqual([
        ['T-3', 'negative', ['people.rude-staff']],
        ['T-1', 'positive', []],
        ['T-2', 'neutral', []],
        ['T-9', 'negative', ['process.refund']],
        ['T-4', 'negative', []],
      ]);
      // the CSV the CLI writes to --out (the operation never opens the path)
      const lines = r.csv!.trim().split('\r\n');
      expect(lines[0]).toBe('id,label,score,themes');
      expect(lines.length).toBe(6);
      expect(lines[1]).toMatch(/^T-3,negative,-0\.\d+,people\.rude-staff$/);
    });
  });

  it('reads a TSV without header and quoting (the UCI sentence files)', async () => {
    const tsv = file('sentences.txt', 'So "good" it hurts\t1\nNot worth it.  \t0\n"Bad\t0\n');
    await withTestDb(async (db) => {
      const r = await analyzeText(db, {
        file: tsv,
        text: readFileSync(tsv, 'utf8'),
        textColumn: '1',
        format: 'tsv',
        noHeader: true,
      });
      expect(r.rows).toBe(3);
      expect(r.records.map((x) => x.id)).toEqual(['1', '2', '3']);
      expect(r.records[1]!.label).toBe('negative');
      expect(r.themesFrom).toBe('starter taxonomy + this file');
    });
  });

  it('names the columns when the text column does not exist', async () => {
    const csv = file('a.csv', 'id,text\n1,hello\n');
    await withTestDb(async (db) => {
      await expect(
        analyzeText(db, { file: csv, text: readFileSync(csv, 'utf8'), textColumn: 'comment' }),
      ).rejects.toThrow(/no column "comment" \(--text-column\); its columns are id, text/);
      // the CLI edge reads the file; called without its content the operation says so
      await expect(analyzeText(db, { file: join(dir, 'missing.csv'), textColumn: 'x' })).rejects.toThrow(
        /no file content/,
      );
    });
  });
});
