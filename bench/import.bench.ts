/**
 * Import throughput: a 1M-row events CSV imported unmapped (canonical headers, ISO timestamps) and
 * the same rows with foreign headers, a mapping with a constant and a day-first date format. Goal:
 * at least 500k events/s unmapped, and the mapped import within 1.5× of it.
 *
 * Identity stitching: workspaces whose customers, e-mails and anonymous ids are linked
 * (`IDENTITY_BENCH_LINKS`, default 2,000 / 8,000 / 32,000 / 128,000 links), where a 1-row identity
 * import, an import of two anonymous events and the undo of the 1-row import should cost the same
 * whatever the size of the graph. `IMPORT_BENCH_ONLY=identity` runs this part alone.
 *
 * Peak memory (issue 24.2): CSV files of `IMPORT_RSS_ROWS` rows (default 1M and 3M, generated, deleted
 * after) each imported in a process of its own (bench/import-one.ts), with the engine's default memory
 * limit and with `IMPORT_RSS_LIMIT` (default 1GB): time (COMMIT included) and the process's peak RSS
 * side by side. `IMPORT_BENCH_ONLY=memory` runs this part alone.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile, undoImport } from '../src/ingest/index.js';
import { openStore, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000);
const CHANNELS = ['web', 'app', 'email', 'phone', 'chat', 'store'];
const TOUCHPOINTS = [
  'home',
  'search',
  'product page',
  'cart',
  'checkout',
  'delivery tracking',
  'returns',
  'help',
];

const pad = (n: number) => String(n).padStart(2, '0');

async function writeFiles(plain: string, mapped: string): Promise<void> {
  const a = createWriteStream(plain);
  const b = createWriteStream(mapped);
  a.write('id,customer_id,ts,channel,touchpoint,name,outcome\n');
  b.write('event_ref,userid,created_at,page,action,result\n');
  let bufA = '';
  let bufB = '';
  const t0 = Date.UTC(2025, 10, 1);
  for (let i = 0; i < ROWS; i++) {
    const d = new Date(t0 + ((i * 7919) % (365 * 86_400)) * 1000);
    const iso = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00Z`;
    const dayFirst = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const c = `c${(i * 31) % 100_000}`;
    const tp = TOUCHPOINTS[i % TOUCHPOINTS.length]!;
    const outcome = i % 9 === 0 ? 'fail' : 'ok';
    bufA += `e${i},${c},${iso},${CHANNELS[i % CHANNELS.length]},${tp},view,${outcome}\n`;
    bufB += `e${i},${c},${dayFirst},${tp},view,${outcome}\n`;
    if (i % 50_000 === 49_999) {
      if (!a.write(bufA)) await new Promise<void>((r) => a.once('drain', () => r()));
      if (!b.write(bufB)) await new Promise<void>((r) => b.once('drain', () => r()));
      bufA = '';
      bufB = '';
    }
  }
  a.write(bufA);
  b.write(bufB);
  await Promise.all([new Promise<void>((r) => a.end(() => r())), new Promise<void>((r) => b.end(() => r()))]);
}

const LINKS = (process.env.IDENTITY_BENCH_LINKS ?? '2000,8000,32000,128000').split(',').map(Number);

/**
 * One linked workspace of `links` links: customer c<k> ← e-mail e<k> ← anonymous id a<k> (an alias
 * pair), 3 anonymous events per anonymous id; then the three small imports, timed.
 */
async function identityWorkspace(ctx: BenchContext, links: number): Promise<void> {
  const people = Math.floor(links / 2);
  const ids = join(ctx.outDir, `identity-links-${links}.csv`);
  const anon = join(ctx.outDir, `identity-events-${links}.csv`);
  const idRows = ['alias_type,alias,customer_id,linked_type,linked_alias'];
  const evRows = ['anonymous_id,ts,channel,touchpoint'];
  for (let k = 0; k < people; k++) {
    idRows.push(`email,e${k}@example.org,c${k},,`, `anonymous_id,a${k},,email,e${k}@example.org`);
    for (let j = 0; j < 3; j++) evRows.push(`a${k},2026-01-0${j + 1}T10:00:00Z,web,home`);
  }
  writeFileSync(ids, `${idRows.join('\n')}\n`);
  writeFileSync(anon, `${evRows.join('\n')}\n`);
  const one = join(ctx.outDir, 'identity-one.csv');
  writeFileSync(
    one,
    'alias_type,alias,customer_id,linked_type,linked_alias\nanonymous_id,new-device,,email,e7@example.org\n',
  );
  const two = join(ctx.outDir, 'identity-two-events.csv');
  writeFileSync(
    two,
    'anonymous_id,ts,channel,touchpoint\nnew-device,2026-02-01T10:00:00Z,app,home\nnobody,2026-02-01T10:00:00Z,web,home\n',
  );
  const dbFile = join(ctx.outDir, `identity-${links}.duckdb`);
  rmSync(dbFile, { force: true });
  rmSync(`${dbFile}.wal`, { force: true });
  const db = await openStore(dbFile);
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const r = await f();
    return [r, (performance.now() - t0) / 1000];
  };
  try {
    const [, bulk] = await timed(() => importFile(db, 'identities', { file: ids }));
    const [, events] = await timed(() => importFile(db, 'events', { file: anon }));
    const [r1, s1] = await timed(() => importFile(db, 'identities', { file: one }));
    const [r2, s2] = await timed(() => importFile(db, 'events', { file: two }));
    if (!('importId' in r1) || !('importId' in r2)) throw new Error('a dry run came back');
    const [u, s3] = await timed(() => undoImport(db, r1.importId));
    const w = (r: { identities?: { work: { nodes: number; links: number } } }) =>
      `${r.identities?.work.nodes ?? 0} nodes, ${r.identities?.work.links ?? 0} links recomputed`;
    const at = `${links.toLocaleString('en')} links`;
    ctx.report(`${at}: bulk identity import (first stitch)`, bulk, 's');
    ctx.report(`${at}: ${(people * 3).toLocaleString('en')} anonymous events`, events, 's');
    ctx.report(`${at}: 1-row identity import`, s1, 's', w(r1));
    ctx.report(`${at}: 2 anonymous events`, s2, 's', w(r2));
    ctx.report(`${at}: undo of the 1-row import`, s3, 's', w(u));
  } finally {
    await db.close();
    rmSync(dbFile, { force: true });
    rmSync(`${dbFile}.wal`, { force: true });
  }
}

const RSS_ROWS = (process.env.IMPORT_RSS_ROWS ?? '1000000,3000000').split(',').map(Number);
const RSS_LIMIT = process.env.IMPORT_RSS_LIMIT ?? '1GB';

/** Writes `rows` events in the unmapped layout (the same rows as writeFiles' first file). */
async function writeEvents(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,customer_id,ts,channel,touchpoint,name,outcome\n');
  let buf = '';
  const t0 = Date.UTC(2025, 10, 1);
  for (let i = 0; i < rows; i++) {
    const d = new Date(t0 + ((i * 7919) % (365 * 86_400)) * 1000);
    const iso = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00Z`;
    buf += `e${i},c${(i * 31) % 100_000},${iso},${CHANNELS[i % CHANNELS.length]},${TOUCHPOINTS[i % TOUCHPOINTS.length]},view,${i % 9 === 0 ? 'fail' : 'ok'}\n`;
    if (i % 50_000 === 49_999) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r) => out.end(() => r()));
}

/** Time and peak RSS of importing `rows` events in a fresh process, per memory limit. */
async function peakMemory(ctx: BenchContext): Promise<void> {
  const one = join(import.meta.dirname, 'import-one.ts');
  for (const rows of RSS_ROWS) {
    const file = join(ctx.outDir, `rss-${rows}.csv`);
    if (!existsSync(file)) await writeEvents(file, rows);
    for (const limit of ['', RSS_LIMIT]) {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', one, join(ctx.outDir, 'rss.duckdb'), file, ...(limit ? [limit] : [])],
        { encoding: 'utf8', env: { ...process.env, TOUCHPOINT_MEMORY_LIMIT: '' } },
      );
      if (r.status !== 0) throw new Error(`import-one failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        rows: number;
        seconds: number;
        maxRssMB: number;
      };
      const at = `${rows.toLocaleString('en')} rows, memory_limit ${limit || 'engine default (80% of RAM)'}`;
      ctx.report(`import ${at}`, m.seconds, 's', `${Math.round(m.rows / m.seconds)} rows/s, COMMIT included`);
      ctx.report(`peak RSS, ${at}`, m.maxRssMB, 'MB', 'whole process: node + engine');
    }
    rmSync(file, { force: true });
  }
}

export default async function (ctx: BenchContext): Promise<void> {
  if (process.env.IMPORT_BENCH_ONLY === 'memory') return peakMemory(ctx);
  for (const links of LINKS) await identityWorkspace(ctx, links);
  if (process.env.IMPORT_BENCH_ONLY === 'identity') return;
  await peakMemory(ctx);
  const plain = join(ctx.outDir, `events-${ROWS}.csv`);
  const mapped = join(ctx.outDir, `events-${ROWS}-mapped.csv`);
  if (!existsSync(plain) || !existsSync(mapped)) await writeFiles(plain, mapped);
  ctx.report('rows per file', ROWS, 'rows');

  const run = async (
    name: string,
    file: string,
    options: Parameters<typeof importFile>[2] extends infer O ? Omit<O & object, 'file'> : never,
  ) => {
    const dbFile = join(ctx.outDir, `import-${name}.duckdb`);
    rmSync(dbFile, { force: true });
    rmSync(`${dbFile}.wal`, { force: true });
    const db = await openStore(dbFile);
    try {
      const t0 = performance.now();
      const r = await importFile(db, 'events', { file, ...options });
      const s = (performance.now() - t0) / 1000;
      if (!('rowsStored' in r) || r.rowsStored !== ROWS)
        throw new Error(`${name}: stored ${JSON.stringify(r)}`);
      return ROWS / s;
    } finally {
      await db.close();
      rmSync(dbFile, { force: true });
      rmSync(`${dbFile}.wal`, { force: true });
    }
  };

  // the engine's own CSV read of the same file, now: the machine is shared, so this is the yardstick
  {
    const db = await openStore(':memory:');
    const t0 = performance.now();
    await db.one(sql`SELECT count(*) AS n FROM read_csv(${plain}, all_varchar = true, header = true)`);
    ctx.report(
      'engine read_csv alone (reference)',
      Math.round(ROWS / ((performance.now() - t0) / 1000)),
      'rows/s',
    );
    await db.close();
  }
  // and its fastest possible load: one INSERT … SELECT from read_csv into a file, no mapping, no checks
  {
    const dbFile = join(ctx.outDir, 'import-floor.duckdb');
    rmSync(dbFile, { force: true });
    rmSync(`${dbFile}.wal`, { force: true });
    const db = await openStore(dbFile);
    const t0 = performance.now();
    await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, name, outcome)
      SELECT id, customer_id, CAST(ts AS TIMESTAMP), channel, touchpoint, name, outcome
      FROM read_csv(${plain}, all_varchar = true, header = true)`);
    ctx.report(
      'engine INSERT from read_csv, unchecked (floor)',
      Math.round(ROWS / ((performance.now() - t0) / 1000)),
      'rows/s',
    );
    await db.close();
    rmSync(dbFile, { force: true });
    rmSync(`${dbFile}.wal`, { force: true });
  }
  const unmapped = await run('unmapped', plain, {});
  ctx.report('import unmapped (ISO timestamps)', Math.round(unmapped), 'rows/s');
  const withMap = await run('mapped', mapped, {
    map: {
      id: 'event_ref',
      customer_id: 'userid',
      ts: 'created_at',
      touchpoint: 'page',
      name: 'action',
      outcome: 'result',
      channel: 'web',
    },
    dateFormat: 'DD/MM/YYYY HH:mm',
  });
  ctx.report('import with --map and --date-format', Math.round(withMap), 'rows/s');
  ctx.report('ratio unmapped / mapped', unmapped / withMap, '×', 'goal ≤ 1.5');
  ctx.report(
    'target 500k events/s (unmapped)',
    unmapped >= 500_000 ? 'met' : 'NOT met',
    '',
    `${Math.round(unmapped)} rows/s`,
  );
}
