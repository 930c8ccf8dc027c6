import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import { sql, withTestDb } from '../store/index.js';
import { importFile } from './import-file.js';
import { importRecords } from './import-records.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-parity-'));
let n = 0;

/**
 * The same value through both paths — a JSON record (importRecords, plain code) and a CSV cell (the
 * SQL conversion of files) — must be accepted or refused alike, and stored alike.
 */
async function both(field: 'ts' | 'score' | 'churned', value: string): Promise<[unknown, unknown]> {
  const viaRecords = await withTestDb(async (db) => {
    try {
      if (field === 'ts') {
        await importRecords(
          db,
          'events',
          [{ customer_id: 'c', ts: value, channel: 'web', touchpoint: 'x' }],
          { source: 't' },
        );
        return (await db.one<{ v: string }>(sql`SELECT ts AS v FROM events`))!.v;
      }
      if (field === 'score') {
        await importRecords(db, 'feedback', [{ ts: '2026-01-01', kind: 'csat', score: value }], {
          source: 't',
        });
        return (await db.one<{ v: number }>(sql`SELECT score AS v FROM feedback`))!.v;
      }
      await importRecords(db, 'customers', [{ id: 'c', churned: value }], { source: 't' });
      return (await db.one<{ v: boolean }>(sql`SELECT churned AS v FROM customers`))!.v;
    } catch (e) {
      if (isTouchpointError(e)) return 'refused';
      throw e;
    }
  });
  const viaFile = await withTestDb(async (db) => {
    const cell = `"${value.replace(/"/g, '""')}"`;
    const f = join(dir, `${n++}.csv`);
    try {
      if (field === 'ts') {
        writeFileSync(f, `customer_id,ts,channel,touchpoint\nc,${cell},web,x\n`);
        await importFile(db, 'events', { file: f });
        return (await db.one<{ v: string }>(sql`SELECT ts AS v FROM events`))!.v;
      }
      if (field === 'score') {
        writeFileSync(f, `ts,kind,score\n2026-01-01,csat,${cell}\n`);
        await importFile(db, 'feedback', { file: f });
        return (await db.one<{ v: number }>(sql`SELECT score AS v FROM feedback`))!.v;
      }
      writeFileSync(f, `id,churned\nc,${cell}\n`);
      await importFile(db, 'customers', { file: f });
      return (await db.one<{ v: boolean }>(sql`SELECT churned AS v FROM customers`))!.v;
    } catch (e) {
      if (isTouchpointError(e)) return 'refused';
      throw e;
    }
  });
  return [viaRecords, viaFile];
}

describe('records and files convert alike', () => {
  it.each([
    ['ts', '2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['ts', '2026-03-01 14:05', '2026-03-01T14:05:00.000Z'],
    ['ts', '2026-03-01T14:05:09Z', '2026-03-01T14:05:09.000Z'],
    ['ts', '2026-03-01T14:05Z', '2026-03-01T14:05:00.000Z'],
    ['ts', '2026-03-01T14:05:09.250+02:00', '2026-03-01T12:05:09.250Z'],
    ['ts', '2026-03-01T01:00:00-0530', '2026-03-01T06:30:00.000Z'],
    ['ts', '2026-02-30', 'refused'],
    ['ts', '01/03/2026', 'refused'],
    ['ts', 'epoch', 'refused'],
    ['ts', ' 2026-03-01T14:05:09Z ', '2026-03-01T14:05:09.000Z'],
    ['ts', '2026-03-01 14:05:09.5z', '2026-03-01T14:05:09.500Z'],
    ['ts', '2026-03-01T14:05:09+00:00', '2026-03-01T14:05:09.000Z'],
    ['score', '4', 4],
    ['score', ' 4.5 ', 4.5],
    ['score', '4,5', 'refused'],
    ['score', 'inf', 'refused'],
    ['score', '6', 'refused'],
    ['churned', 'Yes', true],
    ['churned', 'false', false],
    ['churned', '1', true],
    ['churned', 'maybe', 'refused'],
    ['churned', ' tn', 'refused'],
  ] as const)('%s %j → %j', async (field, value, expected) => {
    const [records, file] = await both(field, value);
    expect(records).toEqual(expected);
    expect(file).toEqual(expected);
  });
});

/** A minimal .xlsx (stored zip entries, inline strings): enough for a reader, written by the test. */
function xlsx(rows: (string | number)[][]): Buffer {
  const cell = (v: string | number, r: number, c: number) => {
    const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
    return typeof v === 'number'
      ? `<c r="${ref}"><v>${v}</v></c>`
      : `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></is></c>`;
  };
  const files: [string, string][] = [
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ],
    [
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ],
    [
      'xl/workbook.xml',
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ],
    [
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows
        .map((r, i) => `<row r="${i + 1}">${r.map((v, j) => cell(v, i, j)).join('')}</row>`)
        .join('')}</sheetData></worksheet>`,
    ],
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('Excel', () => {
  it('imports an .xlsx ticket export as cases (Priority matches the field by name), naming the sheet row of a bad one', async () => {
    const f = join(dir, 'tickets.xlsx');
    writeFileSync(
      f,
      xlsx([
        ['Ticket', 'Created', 'Reason', 'Group', 'Priority'],
        ['T-1', '2026-04-01 09:30', 'Billing & refunds', 'Tier 1', 2],
        ['T-2', '2026-04-02 10:00', 'Delivery', 'Tier 2', 1],
      ]),
    );
    await withTestDb(async (db) => {
      const map = {
        id: 'Ticket',
        opened_at: 'Created',
        reason: 'Reason',
        owner_team: 'Group',
        channel: 'email',
      };
      await importFile(db, 'cases', { file: f, map });
      expect(
        await db.all(
          sql`SELECT id, opened_at, reason, owner_team, channel, priority, properties FROM cases ORDER BY id`,
        ),
      ).toEqual([
        {
          id: 'T-1',
          opened_at: '2026-04-01T09:30:00.000Z',
          reason: 'Billing & refunds',
          owner_team: 'Tier 1',
          channel: 'email',
          priority: '2',
          properties: null,
        },
        {
          id: 'T-2',
          opened_at: '2026-04-02T10:00:00.000Z',
          reason: 'Delivery',
          owner_team: 'Tier 2',
          channel: 'email',
          priority: '1',
          properties: null,
        },
      ]);
      const g = join(dir, 'tickets-bad.xlsx');
      writeFileSync(
        g,
        xlsx([
          ['Ticket', 'Created'],
          ['T-3', '2026-04-03'],
          ['T-4', 'tomorrow'],
        ]),
      );
      await expect(
        importFile(db, 'cases', { file: g, map: { id: 'Ticket', opened_at: 'Created' } }),
      ).rejects.toMatchObject({
        details: [expect.objectContaining({ line: 3, field: 'opened_at' })],
      });
    });
  });
});
