import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from './duckdb.js';
import { migrate, migrations } from './migrations/index.js';
import { raw, sql } from './sql.js';
import type { Store } from './store.js';
import { withTestDb } from './test-db.js';
import { readVersion, writtenVersions } from './versions.js';

const TABLES = [
  'case_events',
  'cases',
  'customers',
  'employees',
  'events',
  'feedback',
  'finding_runs',
  'findings',
  'identities',
  'imports',
  'journey_stages',
  'journey_touchpoints',
  'journeys',
  'meta',
  'pulse',
  'schema_migrations',
  'surveys',
  'teams',
  'touchpoint_owners',
];

describe('migrations', () => {
  it('create the whole model from empty and record each version once', async () => {
    await withTestDb(async (db) => {
      const tables = (
        await db.all<{ name: string }>(
          sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main'`,
        )
      ).map((t) => t.name);
      for (const t of TABLES) expect(tables).toContain(t);
      const applied = await db.all<{ version: number }>(
        sql`SELECT version FROM schema_migrations ORDER BY version`,
      );
      expect(applied.map((a) => a.version)).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
      expect(await migrate(db)).toEqual([]); // idempotent
    });
  });

  it('bring a populated first-version database forward, step by step, keeping its rows', async () => {
    const db = await openStore(':memory:', { migrate: false });
    try {
      await migrate(db, migrations.slice(0, 1));
      await db.exec(sql`INSERT INTO customers (id, plan) VALUES ('c1', 'basic')`);
      await db.exec(
        sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES ('e1', 'c1', '2026-01-01', 'web', 'cart')`,
      );
      expect(await migrate(db)).toEqual(migrations.slice(1).map((m) => m.version));
      expect(await db.all(sql`SELECT id, customer_id, touchpoint FROM events`)).toEqual([
        { id: 'e1', customer_id: 'c1', touchpoint: 'cart' },
      ]);
      expect(await db.all(sql`SELECT id, plan FROM customers`)).toEqual([{ id: 'c1', plan: 'basic' }]);
    } finally {
      await db.close();
    }
  });

  it('survive a restart: a file reopened keeps its rows and applies nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-store-'));
    try {
      const path = join(dir, 'w.duckdb');
      const a = await openStore(path);
      await a.exec(sql`INSERT INTO teams (id, name, tier) VALUES ('t1', 'Front line', 1)`);
      await a.close();
      const b = await openStore(path);
      expect(await b.all(sql`SELECT id, tier FROM teams`)).toEqual([{ id: 't1', tier: 1 }]);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('roll back a failing migration whole and refuse a database from a newer version', async () => {
    await withTestDb(async (db) => {
      const bad = {
        version: 999,
        name: 'bad',
        up: [raw('CREATE TABLE half (x INTEGER)'), raw('SELECT * FROM no_such_table')],
      };
      await expect(migrate(db, [...migrations, bad])).rejects.toThrow(/no_such_table/);
      expect(
        await db.one(sql`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half'`),
      ).toEqual({ n: 0 });
      await db.exec(sql`INSERT INTO schema_migrations VALUES (1000, 'future', now()::TIMESTAMP)`);
      await expect(migrate(db)).rejects.toThrow(/newer Touchpoint/);
    });
  });
});

describe('store', () => {
  it('a failed transaction leaves nothing behind', async () => {
    await withTestDb(async (db) => {
      await expect(
        db.transaction(async (tx) => {
          await tx.exec(sql`INSERT INTO teams (id, name) VALUES ('a', 'A')`);
          await tx.exec(sql`INSERT INTO teams (id, name) VALUES ('a', 'duplicate key')`);
        }),
      ).rejects.toThrow(/[Dd]uplicate key|PRIMARY KEY|constraint/);
      expect(await db.all(sql`SELECT * FROM teams`)).toEqual([]);
    });
  });

  it('a session: scratch temp tables outlive its failed transaction, and its writes land only on commit', async () => {
    await withTestDb(async (db) => {
      await db.session(async (s) => {
        await s.exec(sql`CREATE TEMP TABLE scratch AS SELECT 'a' AS id, 'A' AS name`);
        await expect(
          s.transaction(async (tx) => {
            await tx.exec(sql`INSERT INTO teams (id, name) SELECT id, name FROM scratch`);
            await tx.exec(sql`INSERT INTO teams (id, name) SELECT id, name FROM scratch`);
          }),
        ).rejects.toThrow(/[Dd]uplicate key|PRIMARY KEY|constraint/);
        expect(await db.all(sql`SELECT * FROM teams`)).toEqual([]);
        // the temp table belongs to the session's connection: still there after the rollback
        await s.transaction(async (tx) => {
          await tx.exec(sql`INSERT INTO teams (id, name) SELECT id, name FROM scratch`);
          // not committed yet: another connection does not see it
          expect(await db.all(sql`SELECT * FROM teams`)).toEqual([]);
        });
      });
      expect(await db.all(sql`SELECT id, name FROM teams`)).toEqual([{ id: 'a', name: 'A' }]);
      // and the temp table went with the session's connection
      await expect(db.all(sql`SELECT * FROM scratch`)).rejects.toThrow(/scratch/);
    });
  });

  it('bulk-appends typed rows and normalises what it reads', async () => {
    await withTestDb(async (db) => {
      const cols = [
        { name: 'id', type: 'varchar' },
        { name: 'ts', type: 'timestamp' },
        { name: 'n', type: 'bigint' },
        { name: 'ok', type: 'boolean' },
        { name: 'j', type: 'json' },
      ] as const;
      await db.createTemp('t', cols);
      const n = await db.append('t', cols, [
        ['a', Date.UTC(2026, 0, 2, 3, 4, 5), 12, true, '{"k":[1,2]}'],
        ['b', null, null, null, null],
      ]);
      expect(n).toBe(2);
      expect(await db.all(sql`SELECT id, ts, n, ok, j->>'k' AS k FROM t ORDER BY id`)).toEqual([
        { id: 'a', ts: '2026-01-02T03:04:05.000Z', n: 12, ok: true, k: '[1,2]' },
        { id: 'b', ts: null, n: null, ok: null, k: null },
      ]);
    });
  });

  it('maps a held lock to one actionable error, not a raw engine message', async () => {
    // DuckDB's file lock is per process: a second process holds the file
    const { TouchpointError } = await import('../core/errors.js');
    const dir = mkdtempSync(join(tmpdir(), 'tp-lock-'));
    try {
      const path = join(dir, 'w.duckdb');
      const { spawn } = await import('node:child_process');
      const holder = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('${new URL('./duckdb.ts', import.meta.url).pathname}').then(async (m) => { await m.openStore('${path}'); console.log('held'); setInterval(() => {}, 1000); })`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        holder.on('exit', () => reject(new Error('holder exited')));
      });
      try {
        const err = await openStore(path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(TouchpointError);
        expect((err as InstanceType<typeof TouchpointError>).code).toBe('locked');
        expect((err as Error).message).toMatch(/in use by another Touchpoint process/);
      } finally {
        holder.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data versions move with every write to a versioned table, without the writer asking', () => {
  // counted from where the migrations left them (a migration that rebuilds a table moves its version)
  let base = { events: 0, cases: 0 };
  const versions = async (db: Store) => ({
    events: (await readVersion(db, 'events')) - base.events,
    cases: (await readVersion(db, 'cases')) - base.cases,
  });

  it.each([
    ['INSERT INTO events (id, ts) VALUES (1, 2)', ['events']],
    ['insert or replace into "events" SELECT 1', ['events']],
    ['UPDATE main.teams SET tier = 2', ['cases']],
    ['WITH x AS (SELECT 1) DELETE FROM case_events WHERE id IN (SELECT * FROM x)', ['cases']],
    ['INSERT INTO events_staging SELECT * FROM events', []],
    ['SELECT * FROM events JOIN cases USING (id)', []],
    ['UPDATE meta SET value = 1; DELETE FROM cases', ['cases']],
  ])('%s → %o', (statement, expected) => {
    expect(writtenVersions(statement)).toEqual(expected);
  });

  it('bumps once per committed transaction, not at all on rollback, at once outside a transaction', async () => {
    await withTestDb(async (db) => {
      base = await versions(db);
      await db.transaction(async (tx) => {
        for (const id of ['e1', 'e2'])
          await tx.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint)
            VALUES (${id}, 'c1', TIMESTAMP '2026-01-01 10:00', 'web', 'home')`);
        await tx.exec(sql`INSERT INTO teams (id, name, tier) VALUES ('t1', 'Front', 1)`);
      });
      expect(await versions(db)).toEqual({ events: 1, cases: 1 });

      await db
        .transaction(async (tx) => {
          await tx.exec(sql`DELETE FROM events`);
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect(await versions(db)).toEqual({ events: 1, cases: 1 });
      expect(await db.one(sql`SELECT count(*)::INTEGER AS n FROM events`)).toEqual({ n: 2 });

      await db.exec(sql`UPDATE teams SET tier = 2 WHERE id = 't1'`);
      expect(await versions(db)).toEqual({ events: 1, cases: 2 });

      await db.transaction(async (tx) => {
        await tx.append(
          'teams',
          ['id', 'name', 'tier', 'function', 'import_id', 'updated_import_id'].map((name) => ({
            name,
            type: name === 'tier' ? ('integer' as const) : ('varchar' as const),
          })),
          [['t2', 'Back', 2, null, null, null]],
        );
        await tx.all(sql`SELECT count(*) FROM events`); // a read moves nothing
      });
      expect(await versions(db)).toEqual({ events: 1, cases: 3 });
    });
  });
});

describe('engine settings of a workspace (issue 24.2)', () => {
  it('spills beside the workspace by default; memory limit and spill directory come from the options or the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-engine-'));
    const settings = async (db: Store) =>
      db.one<{ temp: string; mem: string }>(
        sql`SELECT current_setting('temp_directory') AS temp, current_setting('memory_limit') AS mem`,
      );
    const saved = { ...process.env };
    try {
      const file = join(dir, 'ws.duckdb');
      const a = await openStore(file, { memoryLimit: '512MB' });
      const s = await settings(a);
      await a.close();
      expect(s!.temp).toBe(`${file}.tmp`);
      expect(s!.mem).toMatch(/^(512\.0 MiB|488\.2 MiB|512MB)$/);
      process.env.TOUCHPOINT_MEMORY_LIMIT = '1GB';
      process.env.TOUCHPOINT_TEMP_DIR = join(dir, 'spill');
      const b = await openStore(file);
      const t = await settings(b);
      await b.close();
      expect(t!.temp).toBe(join(dir, 'spill'));
      expect(t!.mem).toMatch(/^(1\.0 GiB|953\.6 MiB|1GB)$/);
    } finally {
      process.env.TOUCHPOINT_MEMORY_LIMIT = saved.TOUCHPOINT_MEMORY_LIMIT ?? '';
      process.env.TOUCHPOINT_TEMP_DIR = saved.TOUCHPOINT_TEMP_DIR ?? '';
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
