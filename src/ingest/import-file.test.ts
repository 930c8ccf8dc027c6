import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { raw, type Store, sql, withTestDb } from '../store/index.js';
import { type DryRunReport, type FileImportOptions, importFile } from './import-file.js';
import type { ImportReport } from './import-records.js';
import { rowCount as count, fileWriter, refused } from './ingest.test-helpers.js';
import type { Kind } from './schemas.js';
import { undoImport } from './undo.js';

const file = fileWriter('tp-ingest-');

async function imp(db: Store, kind: Kind, o: FileImportOptions): Promise<ImportReport> {
  return (await importFile(db, kind, o)) as ImportReport;
}

/** Per kind: a good CSV, a bad one (bad row on physical line 4, after a quoted newline), the bad field, the table. */
const KIND_FILES: [Kind, string, string, string, string][] = [
  [
    'customers',
    'id,plan,monthly_value\n"c1","ba\nsic",10\nc2,pro,12\n',
    'id,plan,monthly_value\n"c1","ba\nsic",10\nc2,pro,x\n',
    'monthly_value',
    'customers',
  ],
  [
    'events',
    'customer_id,ts,channel,touchpoint,name\nc1,2026-01-01T10:00:00Z,web,home,"view\npage"\nc2,2026-01-02T10:00:00Z,app,cart,add\n',
    'customer_id,ts,channel,touchpoint,name\nc1,2026-01-01T10:00:00Z,web,home,"view\npage"\nc2,2026-01-02T10:00:00Z,app,,add\n',
    'touchpoint',
    'events',
  ],
  [
    'feedback',
    'customer_id,ts,kind,score,comment\nc1,2026-01-01,nps,9,"great\nteam"\nc2,2026-01-02,csat,4,\n',
    'customer_id,ts,kind,score,comment\nc1,2026-01-01,nps,9,"great\nteam"\nc2,2026-01-02,csat,6,\n',
    'score',
    'feedback',
  ],
  [
    'cases',
    'id,opened_at,reason\nk1,2026-01-01 09:00,"bill\ning"\nk2,2026-01-02 09:00,delivery\n',
    'id,opened_at,reason\nk1,2026-01-01 09:00,"bill\ning"\nk2,yesterday,delivery\n',
    'opened_at',
    'cases',
  ],
  [
    'case-events',
    'case_id,ts,type,note\nk1,2026-01-01T09:00Z,opened,"a\nb"\nk1,2026-01-01T10:00Z,assigned,\n',
    'case_id,ts,type,note\nk1,2026-01-01T09:00Z,opened,"a\nb"\nk1,2026-01-01T10:00Z,moved,\n',
    'type',
    'case_events',
  ],
  [
    'teams',
    'id,name,tier\nt1,"Bill\ning",1\nt2,Returns,2\n',
    'id,name,tier\nt1,"Bill\ning",1\nt2,Returns,second\n',
    'tier',
    'teams',
  ],
  [
    'employees',
    'id,name,hired_at\ne1,"A\nB",2025-01-01\ne2,C,2025-02-01\n',
    'id,name,hired_at\ne1,"A\nB",2025-01-01\ne2,C,2025-02-30\n',
    'hired_at',
    'employees',
  ],
  [
    'pulse',
    'employee_id,ts,score,comment\ne1,2026-01-01,8,"ok\nish"\ne2,2026-01-01,3,\n',
    'employee_id,ts,score,comment\ne1,2026-01-01,8,"ok\nish"\ne2,2026-01-01,11,\n',
    'score',
    'pulse',
  ],
  [
    'touchpoint-owners',
    'touchpoint,channel,team_id\n"check\nout",web,t1\ndelivery,*,t2\n',
    'touchpoint,channel,team_id\n"check\nout",web,t1\ndelivery,*,\n',
    'team_id',
    'touchpoint_owners',
  ],
  [
    'journeys',
    'journey_id,stage,position,touchpoint\nbuy,"disc\nover",1,home\nbuy,purchase,2,checkout\n',
    'journey_id,stage,position,touchpoint\nbuy,"disc\nover",1,home\nbuy,purchase,two,checkout\n',
    'position',
    'journey_touchpoints',
  ],
  [
    'identities',
    'alias_type,alias,customer_id\nemail,"a@x\n.org",c1\nphone,+331,c2\n',
    'alias_type,alias,customer_id\nemail,"a@x\n.org",c1\nphone,+331,\n',
    'customer_id',
    'identity_links',
  ],
];

describe('importFile: every kind', () => {
  it.each(KIND_FILES)(
    '%s: good file, re-import without duplicates',
    async (kind, good, _bad, _field, table) => {
      await withTestDb(async (db) => {
        const f = file(`${kind}.csv`, good);
        const a = await imp(db, kind, { file: f });
        expect(a.rowsRead).toBe(2);
        expect(await count(db, table)).toBe(2);
        const b = await imp(db, kind, { file: f });
        expect(b.rowsStored).toBe(0);
        expect(await count(db, table)).toBe(2);
      });
    },
  );

  it.each(KIND_FILES)(
    '%s: a bad row names its physical line and field; nothing is stored',
    async (kind, _good, bad, field, table) => {
      await withTestDb(async (db) => {
        const f = file(`${kind}-bad.csv`, bad);
        const e = await refused(importFile(db, kind, { file: f }));
        expect(e.code).toBe('invalid_input');
        expect(e.details[0]).toMatchObject({ file: f, line: 4, field });
        expect(e.message).toContain(`${f}:4: ${field}:`);
        expect(await count(db, table)).toBe(0);
        expect(await count(db, 'imports')).toBe(0);
        const r = await imp(db, kind, { file: f, skipInvalid: true });
        expect(r).toMatchObject({ rowsRead: 2, rowsSkipped: 1 });
        expect(r.errors).toEqual([expect.objectContaining({ line: 4, field })]);
      });
    },
  );
});

describe('importFile: formats', () => {
  const rows = async (db: Store) =>
    db.all<{ customer_id: string; ts: string; touchpoint: string; name: string | null }>(
      sql`SELECT customer_id, ts, touchpoint, name FROM events ORDER BY ts`,
    );
  const expected = [
    {
      customer_id: 'c1',
      ts: '2026-01-01T10:00:00.000Z',
      touchpoint: 'home',
      name: 'Fish &amp; chips \u0001 "ok"',
    },
    { customer_id: 'c2', ts: '2026-01-02T08:30:00.000Z', touchpoint: 'café', name: 'line1\r\nline2' },
  ];
  const csv = (eol: string) =>
    `customer_id;ts;channel;touchpoint;name${eol}c1;2026-01-01T10:00:00Z;web;home;"Fish &amp; chips \u0001 ""ok"""${eol}${eol}c2;2026-01-02T09:30:00+01:00;web;café;"line1\r\nline2"${eol}`;

  it.each([
    ['UTF-8 with BOM and CRLF', () => file('a.csv', `\ufeff${csv('\r\n')}`), {}],
    ['LF', () => file('b.csv', csv('\n')), {}],
    [
      'Latin-1 with --encoding latin1',
      () => file('c.csv', Buffer.from(csv('\r\n'), 'latin1')),
      { encoding: 'latin1' as const },
    ],
    ['gzipped', () => file('d.csv.gz', gzipSync(csv('\n'))), {}],
  ])('CSV %s: quoted newlines, HTML entities and control characters kept', async (_name, make, extra) => {
    await withTestDb(async (db) => {
      await imp(db, 'events', { file: make(), ...extra });
      expect(await rows(db)).toEqual(expected);
    });
  });

  it('JSON Lines, JSON arrays and Parquet', async () => {
    const objs = [
      {
        customer_id: 'c1',
        ts: '2026-01-01T10:00:00Z',
        channel: 'web',
        touchpoint: 'home',
        name: expected[0]!.name,
      },
      {
        customer_id: 'c2',
        timestamp: '2026-01-02T09:30:00+01:00',
        channel: 'web',
        touchpoint: 'café',
        name: 'line1\r\nline2',
      },
    ];
    for (const [name, content] of [
      ['e.jsonl', `${objs.map((o) => JSON.stringify(o)).join('\n')}\n\n`],
      ['e.json', JSON.stringify(objs)],
    ] as const) {
      await withTestDb(async (db) => {
        await imp(db, 'events', { file: file(name, content) });
        expect(await rows(db)).toEqual(expected);
      });
    }
    await withTestDb(async (db) => {
      // a fixture path in the test's own directory, the empty file overwritten by COPY
      const p = file('e.parquet', '');
      await db.exec(
        raw(`COPY (SELECT 'c1' AS customer_id, TIMESTAMP '2026-01-01 10:00:00' AS ts, 'web' AS channel,
        'home' AS touchpoint, 3 AS n) TO '${p}' (FORMAT parquet)`),
      );
      await imp(db, 'events', { file: p });
      expect(await db.all(sql`SELECT customer_id, ts, properties FROM events`)).toEqual([
        { customer_id: 'c1', ts: '2026-01-01T10:00:00.000Z', properties: '{"n":3}' },
      ]);
    });
  });

  it('a bad object in a JSON array names the line it starts on, and broken JSON the line it breaks on', async () => {
    await withTestDb(async (db) => {
      // pretty-printed as exports are: objects over several lines, a string holding "[", "}" and \"
      const pretty = [
        '[',
        '  {',
        '    "customer_id": "c1", "ts": "2026-01-01", "channel": "web",',
        '    "touchpoint": "a [}\\" b"',
        '  },',
        '  { "customer_id": "c1", "ts": "2026-01-02", "channel": "web", "touchpoint": "a" },',
        '  {',
        '    "customer_id": "c1",',
        '    "ts": "soon", "channel": "web", "touchpoint": "a"',
        '  }',
        ']',
      ].join('\n');
      const e = await refused(importFile(db, 'events', { file: file('bad.json', pretty) }));
      expect(e.details[0]).toMatchObject({ line: 7, field: 'ts' });
      const broken = pretty.replace('"ts": "2026-01-02",', '"ts": "2026-01-02"');
      const b = await refused(importFile(db, 'events', { file: file('broken.json', broken) }));
      expect(b.message).toMatch(/broken\.json:6: not valid JSON/);
      expect(await db.all(sql`SELECT id FROM events`)).toEqual([]);
    });
  });

  it('a bad JSON Lines row names its line', async () => {
    await withTestDb(async (db) => {
      const f = file(
        'bad.jsonl',
        '{"customer_id":"c1","ts":"2026-01-01","channel":"web","touchpoint":"a"}\n\n{"customer_id":"c1","ts":"soon","channel":"web","touchpoint":"a"}\n',
      );
      const e = await refused(importFile(db, 'events', { file: f }));
      expect(e.details[0]).toMatchObject({ line: 3, field: 'ts' });
    });
  });

  it('a row with too many fields names its line', async () => {
    await withTestDb(async (db) => {
      const f = file('ragged.csv', 'id,name\nt1,A\nt2,B,extra\n');
      const e = await refused(importFile(db, 'teams', { file: f }));
      expect(e.message).toContain(':3:');
      expect(await count(db, 'teams')).toBe(0);
    });
  });
});

describe('importFile: mapping', () => {
  const export1 =
    'userid,created_at,page,score\nu1,24/11/2026 10:05,checkout,5\nu2,01/07/2026 00:30,delivery,?\n';

  it('maps headers, constants, a day-first date format and a time zone (summer and winter offsets)', async () => {
    await withTestDb(async (db) => {
      const f = file('export.csv', export1);
      const r = await imp(db, 'events', {
        file: f,
        map: { customer_id: 'userid', timestamp: 'created_at', touchpoint: 'page', channel: 'twitter' },
        dateFormat: 'DD/MM/YYYY HH:mm',
        timezone: 'Europe/Paris',
        na: ['?'],
      });
      expect(r.rowsStored).toBe(2);
      expect(
        await db.all(
          sql`SELECT customer_id, ts, channel, touchpoint, properties FROM events ORDER BY customer_id`,
        ),
      ).toEqual([
        {
          customer_id: 'u1',
          ts: '2026-11-24T09:05:00.000Z',
          channel: 'twitter',
          touchpoint: 'checkout',
          properties: '{"score":5}',
        },
        {
          customer_id: 'u2',
          ts: '2026-06-30T22:30:00.000Z',
          channel: 'twitter',
          touchpoint: 'delivery',
          properties: '{}',
        },
      ]);
    });
  });

  it('a wrong date format is an error with the line number, and nothing is stored', async () => {
    await withTestDb(async (db) => {
      const f = file('export.csv', export1);
      const e = await refused(
        importFile(db, 'events', {
          file: f,
          map: { customer_id: 'userid', ts: 'created_at', touchpoint: 'page', channel: 'web' },
          dateFormat: 'MM/DD/YYYY HH:mm',
        }),
      );
      expect(e.details[0]).toMatchObject({ line: 2, field: 'ts' });
      expect(e.details[0]!.message).toContain('MM/DD/YYYY HH:mm');
      expect(await count(db, 'events')).toBe(0);
    });
  });

  it('derived ids are stable across re-imports; an edited row becomes a new row', async () => {
    await withTestDb(async (db) => {
      const o = {
        map: { customer_id: 'userid', ts: 'created_at', touchpoint: 'page', channel: 'web' },
        dateFormat: 'DD/MM/YYYY HH:mm',
      };
      await imp(db, 'events', { file: file('x.csv', export1), ...o });
      const ids1 = await db.all<{ id: string }>(sql`SELECT id FROM events ORDER BY id`);
      const again = await imp(db, 'events', { file: file('y.csv', export1), ...o });
      expect(again).toMatchObject({ rowsStored: 0, duplicates: 2 });
      expect(await db.all(sql`SELECT id FROM events ORDER BY id`)).toEqual(ids1);
      const edited = await imp(db, 'events', {
        file: file('z.csv', export1.replace('checkout', 'cart')),
        ...o,
      });
      expect(edited).toMatchObject({ rowsStored: 1, duplicates: 1 });
      expect(ids1.every((r) => /^h[0-9a-f]{24}$/.test(r.id))).toBe(true);
    });
  });

  it('a survey export with one column per question becomes one feedback row per answer', async () => {
    await withTestDb(async (db) => {
      const f = file(
        'survey.csv',
        'respondent,submitted,q1,q2,q3\nr1,2026-02-01,9,4,"Slow delivery, &amp; rude"\nr2,2026-02-02,3,,\n',
      );
      const r = await imp(db, 'feedback', {
        file: f,
        map: { customer_id: 'respondent', ts: 'submitted', survey_id: 'relationship-2026' },
        questions: { q1: 'nps', q2: 'csat', q3: 'text' },
      });
      expect(r).toMatchObject({ rowsRead: 2, rowsStored: 4 });
      expect(
        await db.all(
          sql`SELECT customer_id, kind, score, comment, question, survey_id FROM feedback ORDER BY customer_id, question`,
        ),
      ).toEqual([
        {
          customer_id: 'r1',
          kind: 'nps',
          score: 9,
          comment: null,
          question: 'q1',
          survey_id: 'relationship-2026',
        },
        {
          customer_id: 'r1',
          kind: 'csat',
          score: 4,
          comment: null,
          question: 'q2',
          survey_id: 'relationship-2026',
        },
        {
          customer_id: 'r1',
          kind: 'text',
          score: null,
          comment: 'Slow delivery, &amp; rude',
          question: 'q3',
          survey_id: 'relationship-2026',
        },
        {
          customer_id: 'r2',
          kind: 'nps',
          score: 3,
          comment: null,
          question: 'q1',
          survey_id: 'relationship-2026',
        },
      ]);
    });
  });

  it('customers with attributes: unmapped columns kept typed, a lone space as missing marker, a churn flag', async () => {
    await withTestDb(async (db) => {
      const f = file(
        'crm.csv',
        'customerID,tenure,Total,Senior,Promo,Churn\nA-1,0, ,0,True,No\nB-2,12,120.5,1,False,Yes\n',
      );
      await imp(db, 'customers', { file: f, map: { id: 'customerID', churned: 'Churn' }, na: [' '] });
      const rows = await db.all<{ id: string; churned: boolean; attributes: string }>(
        sql`SELECT id, churned, attributes FROM customers ORDER BY id`,
      );
      expect(rows.map((r) => ({ ...r, attributes: JSON.parse(r.attributes) }))).toEqual([
        { id: 'A-1', churned: false, attributes: { tenure: 0, Senior: 0, Promo: true } },
        { id: 'B-2', churned: true, attributes: { tenure: 12, Total: 120.5, Senior: 1, Promo: false } },
      ]);
    });
  });

  it('a dry run proposes a mapping, previews rows, lists failures and writes nothing', async () => {
    await withTestDb(async (db) => {
      const f = file(
        'dry.csv',
        'user_id,timestamp,page,channel\nu1,2026-01-01T00:00:00Z,home,web\nu2,not a date,home,web\n',
      );
      const r = (await importFile(db, 'events', { file: f, dryRun: true })) as DryRunReport;
      expect(r.proposedMap).toContain('customer_id=user_id');
      expect(r.proposedMap).toContain('touchpoint=page');
      expect(r).toMatchObject({ rowsRead: 2, rowsValid: 0, rowsInvalid: 2 });
      const ok = (await importFile(db, 'events', {
        file: f,
        dryRun: true,
        map: { customer_id: 'user_id', touchpoint: 'page' },
      })) as DryRunReport;
      expect(ok).toMatchObject({ rowsValid: 1, rowsInvalid: 1 });
      expect(ok.preview[0]).toMatchObject({ line: 2, customer_id: 'u1', ts: '2026-01-01T00:00:00.000Z' });
      expect(ok.errors).toEqual([expect.objectContaining({ line: 3, field: 'ts' })]);
      expect(ok.columns.find((c) => c.column === 'user_id')).toMatchObject({ field: 'customer_id' });
      expect(await count(db, 'events')).toBe(0);
      expect(await count(db, 'imports')).toBe(0);
    });
  });
});

describe('identity stitching', () => {
  const eventsCsv =
    'anonymous_id,customer_id,ts,channel,touchpoint\nw-1,,2026-01-01T10:00:00Z,web,home\nw-1,,2026-01-01T10:05:00Z,web,product page\na-9,,2026-01-02T10:00:00Z,app,home\nw-2,,2026-01-03T10:00:00Z,web,home\n';
  const aliasA =
    'alias_type,alias,customer_id,linked_type,linked_alias\nanonymous_id,w-1,,email,ann@example.org\nemail,ann@example.org,C7,,\n';
  const aliasB =
    'alias_type,alias,customer_id,linked_type,linked_alias\nanonymous_id,a-9,,phone,+33 6 1\nphone,+33 6 1,C3,,\nemail,ann@example.org,C5,,\n';

  const state = async (db: Store) => ({
    identities: await db.all(
      sql`SELECT alias_type, alias, customer_id FROM identities ORDER BY alias_type, alias`,
    ),
    events: await db.all(sql`SELECT anonymous_id, customer_id, customer_stitched FROM events ORDER BY ts`),
  });

  it('gives the same result in any file order; the smallest customer id wins a shared alias', async () => {
    const results = [];
    for (const order of [
      ['events', 'A', 'B'],
      ['B', 'A', 'events'],
      ['A', 'events', 'B'],
    ]) {
      results.push(
        await withTestDb(async (db) => {
          for (const step of order) {
            if (step === 'events') await imp(db, 'events', { file: file('ev.csv', eventsCsv) });
            else
              await imp(db, 'identities', { file: file(`alias${step}.csv`, step === 'A' ? aliasA : aliasB) });
          }
          return state(db);
        }),
      );
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]!.identities).toEqual([
      { alias_type: 'anonymous_id', alias: 'a-9', customer_id: 'C3' },
      { alias_type: 'anonymous_id', alias: 'w-1', customer_id: 'C5' },
      { alias_type: 'email', alias: 'ann@example.org', customer_id: 'C5' },
      { alias_type: 'phone', alias: '+33 6 1', customer_id: 'C3' },
    ]);
    expect(results[0]!.events).toEqual([
      { anonymous_id: 'w-1', customer_id: 'C5', customer_stitched: true },
      { anonymous_id: 'w-1', customer_id: 'C5', customer_stitched: true },
      { anonymous_id: 'a-9', customer_id: 'C3', customer_stitched: true },
      { anonymous_id: 'w-2', customer_id: null, customer_stitched: false },
    ]);
  });

  it('an event carrying both ids links them; undoing the alias file removes the attribution', async () => {
    await withTestDb(async (db) => {
      await imp(db, 'events', { file: file('ev.csv', eventsCsv) });
      const a = await imp(db, 'identities', { file: file('a.csv', aliasA) });
      expect((await state(db)).events[0]).toMatchObject({ customer_id: 'C7' });
      await undoImport(db, a.importId);
      expect((await state(db)).events[0]).toMatchObject({ customer_id: null, customer_stitched: false });
      await imp(db, 'events', {
        file: file(
          'both.csv',
          'anonymous_id,customer_id,ts,channel,touchpoint\nw-2,C9,2026-01-04T10:00:00Z,web,checkout\n',
        ),
      });
      const ev = await db.all(sql`SELECT customer_id FROM events WHERE anonymous_id = 'w-2' ORDER BY ts`);
      expect(ev).toEqual([{ customer_id: 'C9' }, { customer_id: 'C9' }]);
    });
  });
});

describe('identity stitching from a file with several id columns', () => {
  it("--aliases links each row's e-mail and device id to its customer; bad rows link nothing", async () => {
    await withTestDb(async (db) => {
      await imp(db, 'events', {
        file: file('anon.csv', 'anonymous_id,ts,channel,touchpoint\ndev-1,2026-01-01T10:00:00Z,app,home\n'),
      });
      const crm = file(
        'crm.csv',
        'CustomerID,Email,Device,Since\nK1,k1@example.org,dev-1,2025-01-01\nK2,,dev-2,2025-01-02\nK3,k3@example.org,,soon\n',
      );
      const r = await imp(db, 'customers', {
        file: crm,
        map: { id: 'CustomerID', created_at: 'Since' },
        aliases: { email: 'Email', anonymous_id: 'Device' },
        skipInvalid: true,
      });
      expect(r).toMatchObject({ rowsStored: 2, rowsSkipped: 1 });
      expect(r.identities).toMatchObject({ aliases: 3, conflicts: 0, eventsAttributed: 1 });
      expect(await db.all(sql`SELECT alias_type, alias, customer_id FROM identities ORDER BY alias`)).toEqual(
        [
          { alias_type: 'anonymous_id', alias: 'dev-1', customer_id: 'K1' },
          { alias_type: 'anonymous_id', alias: 'dev-2', customer_id: 'K2' },
          { alias_type: 'email', alias: 'k1@example.org', customer_id: 'K1' },
        ],
      );
      expect(await db.one(sql`SELECT customer_id FROM events`)).toEqual({ customer_id: 'K1' });
      const attrs = await db.one<{ attributes: string | null }>(
        sql`SELECT attributes FROM customers WHERE id = 'K1'`,
      );
      expect(attrs!.attributes).toBeNull();
    });
  });
});

describe('keys', () => {
  it('events ids stay unique without an engine key: a repeat in a file is a duplicate when identical, refused when not; across files the later updates', async () => {
    await withTestDb(async (db) => {
      const head = 'id,customer_id,ts,channel,touchpoint\n';
      const rows = `${head}e1,c1,2026-01-01,web,cart\ne2,c1,2026-01-02,web,home\ne1,c1,2026-01-01,web,cart\n`;
      const other = `${rows}e1,c1,2026-01-01,web,home\n`;
      const e = await refused(imp(db, 'events', { file: file('a0.csv', other) }));
      expect(e.message).toMatch(
        /a0\.csv:5: id: "e1" repeats line 2 with other values \(one row per id in a file\)/,
      );
      expect(await count(db, 'events')).toBe(0);
      const a = await imp(db, 'events', { file: file('a.csv', rows) });
      expect(a).toMatchObject({ rowsRead: 3, rowsStored: 2, duplicates: 1 });
      const b = await imp(db, 'events', {
        file: file('b.csv', `${head}e2,c1,2026-01-02,app,home\ne3,c2,2026-01-03,web,home\n`),
      });
      expect(b).toMatchObject({ rowsStored: 1, rowsUpdated: 1, duplicates: 0 });
      expect(await db.all(sql`SELECT id, channel, touchpoint FROM events ORDER BY id`)).toEqual([
        { id: 'e1', channel: 'web', touchpoint: 'cart' },
        { id: 'e2', channel: 'app', touchpoint: 'home' },
        { id: 'e3', channel: 'web', touchpoint: 'home' },
      ]);
    });
  });
});

describe('undo', () => {
  it('deletes exactly the rows an import inserted; refuses while a later import that updated them is in effect', async () => {
    await withTestDb(async (db) => {
      const a = await imp(db, 'customers', { file: file('a.csv', 'id,plan\nc1,basic\nc2,basic\n') });
      const b = await imp(db, 'customers', { file: file('b.csv', 'id,plan\nc2,pro\nc3,pro\n') });
      expect(b).toMatchObject({ rowsStored: 1, rowsUpdated: 1 });
      const e = await refused(undoImport(db, a.importId));
      expect(e.code).toBe('conflict');
      expect(e.message).toContain(b.importId);
      expect(await count(db, 'customers')).toBe(3);
      const ub = await undoImport(db, b.importId);
      expect(ub).toMatchObject({ deleted: { customers: 1 }, updatedKept: 1 });
      expect(await db.all(sql`SELECT id, plan FROM customers ORDER BY id`)).toEqual([
        { id: 'c1', plan: 'basic' },
        { id: 'c2', plan: 'pro' },
      ]);
      await expect(undoImport(db, b.importId)).rejects.toThrow(/already undone/);
      // b is undone, so a may go too: everything a inserted, c2 with b's leftover values included
      expect(await undoImport(db, a.importId)).toMatchObject({ deleted: { customers: 2 }, updatedKept: 0 });
      expect(await count(db, 'customers')).toBe(0);
      await expect(undoImport(db, 'imp-nope')).rejects.toThrow(/no import/);
    });
  });
});

describe('headers', () => {
  it('a column name given twice is refused on the fast and the exact path, naming file, line and column', async () => {
    for (const bad of [false, true]) {
      await withTestDb(async (db) => {
        // a bad row (tier 'x') would send the file through the exact path
        const rows = `t1,Billing,x,y,1\nt2,Returns,z,w,2\n${bad ? 't3,Bad,a,b,x\n' : ''}`;
        const f = file('dup.csv', `id,name,note, note ,tier\n${rows}`);
        const e = await refused(imp(db, 'teams', { file: f, skipInvalid: true, unknownFields: 'lenient' }));
        expect(e.message).toBe(
          `${f}:1: column "note" appears twice in the header (columns 3 and 4): rename one, nothing was imported`,
        );
        expect(e.details).toMatchObject([{ file: f, line: 1, field: 'note' }]);
        expect(await count(db, 'teams')).toBe(0);
        expect(await count(db, 'imports')).toBe(0);
      });
    }
  });

  it('blank header names become column<n>; a header after blank lines is named on its own line', async () => {
    await withTestDb(async (db) => {
      const f = file('blank.csv', `\n\nid,name,,note\nt1,Billing,x,y\n`);
      const r = await imp(db, 'teams', { file: f, map: { function: 'column3' }, unknownFields: 'lenient' });
      expect(r.rowsStored).toBe(1);
      expect(await db.all(sql`SELECT id, function FROM teams`)).toEqual([{ id: 't1', function: 'x' }]);
      const dup = file('blank-dup.csv', `\n\nid,id\nt1,t2\n`);
      const e = await refused(imp(db, 'teams', { file: dup }));
      expect(e.message).toMatch(/:3: column "id" appears twice/);
    });
  });
});

describe('cases from a flat export (issue 17.4)', () => {
  it('a case with a close time and no status is closed, on the fast path, the exact path and the records path', async () => {
    for (const bad of [false, true]) {
      await withTestDb(async (db) => {
        // a bad row (an unparseable opened_at) sends the file through the exact path
        const f = file(
          'cases.csv',
          'id,opened_at,closed_at,status\n' +
            'c1,2026-01-01T08:00:00Z,2026-01-02T08:00:00Z,\n' + // closed by its close time
            'c2,2026-01-01T08:00:00Z,,\n' + // open
            'c3,2026-01-01T08:00:00Z,2026-01-03T08:00:00Z,pending\n' + // a given status wins
            (bad ? 'c4,yesterday,,\n' : ''),
        );
        const r = await imp(db, 'cases', { file: f, skipInvalid: true });
        expect(r).toMatchObject({ rowsStored: 3, rowsSkipped: bad ? 1 : 0 });
        expect(await db.all(sql`SELECT id, status FROM cases ORDER BY id`)).toEqual([
          { id: 'c1', status: 'closed' },
          { id: 'c2', status: 'open' },
          { id: 'c3', status: 'pending' },
        ]);
      });
    }
    const { convertRecord } = await import('./schemas.js');
    const at = { id: 'x', opened_at: '2026-01-01T00:00:00Z' };
    expect(convertRecord('cases', { ...at, closed_at: '2026-01-02T00:00:00Z' }).data.status).toBe('closed');
    expect(convertRecord('cases', { ...at, closed_at: '' }).data.status).toBe('open');
  });
});
