/**
 * Import throughput: a 1M-row events CSV imported unmapped (canonical headers, ISO timestamps) and
 * the same rows with foreign headers, a mapping with a constant and a day-first date format. Goal:
 * at least 500k events/s unmapped, and the mapped import within 1.5× of it.
 */
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { importFile } from '../src/ingest/index.js';
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

export default async function (ctx: BenchContext): Promise<void> {
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
