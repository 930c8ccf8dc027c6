/**
 * One CSV import in a process of its own, so that its peak resident memory (the process's maxRSS) is
 * the import's alone: `node --import tsx bench/import-one.ts DB FILE [MEMORY_LIMIT]` prints one JSON
 * line `{ rows, seconds, maxRssMB }`. The import bench runs it once per size (bench/import.bench.ts).
 * The time includes the COMMIT (importFile returns after its transaction committed) and the close.
 */
import { rmSync } from 'node:fs';
import { importFile } from '../src/ingest/index.js';
import { openStore } from '../src/store/index.js';

const [dbFile, file, memoryLimit] = process.argv.slice(2);
if (!dbFile || !file) throw new Error('usage: import-one.ts DB FILE [MEMORY_LIMIT]');
for (const f of [dbFile, `${dbFile}.wal`]) rmSync(f, { force: true });
const t0 = performance.now();
const db = await openStore(dbFile, memoryLimit ? { memoryLimit } : {});
const r = await importFile(db, 'events', { file });
await db.close();
const seconds = (performance.now() - t0) / 1000;
if (!('rowsStored' in r)) throw new Error('a dry run came back');
console.log(
  JSON.stringify({
    rows: r.rowsStored,
    seconds,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
for (const f of [dbFile, `${dbFile}.wal`]) rmSync(f, { force: true });
