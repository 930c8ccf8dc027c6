import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { headText, sniffDelimiter } from './read.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 200,000 rows of varied text (about 6 MB; gzip keeps it around 1 MB): far more than a head. */
const text = `\uFEFFa;b;c\n${Array.from({ length: 200_000 }, (_, i) => `${i};${(i * 7919) % 100_003};x${i % 97}`).join('\n')}\n`;

describe('the head of a file, without reading the rest (issue 24.2)', () => {
  it.each([
    ['plain', false],
    ['gzipped', true],
  ])('%s: the first bytes as text, BOM dropped; the delimiter sniffed from them', (_, gzip) => {
    const file = join(dir, gzip ? 'big.csv.gz' : 'big.csv');
    writeFileSync(file, gzip ? gzipSync(text) : text);
    const o = { file, gzip, encoding: 'utf8' as const };
    // a head of n bytes: the BOM's 3 bytes, then n − 3 one-byte characters
    expect(headText(o, 64 * 1024)).toBe(text.slice(1, 1 + 64 * 1024 - 3));
    expect(headText(o, 10)).toBe(text.slice(1, 8));
    expect(sniffDelimiter(o)).toBe(';');
  });

  it('a small gzipped file is read whole; a file that is not gzip says so', () => {
    const small = join(dir, 'small.csv.gz');
    writeFileSync(small, gzipSync('id,name\n1,x\n'));
    expect(headText({ file: small, gzip: true, encoding: 'utf8' }, 1 << 20)).toBe('id,name\n1,x\n');
    const fake = join(dir, 'fake.csv.gz');
    writeFileSync(fake, 'id,name\n');
    expect(() => headText({ file: fake, gzip: true, encoding: 'utf8' }, 100)).toThrow(
      /fake\.csv\.gz: not a gzip file/,
    );
  });
});
