import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { sql } from '../store/index.js';
import { type RunningServer, startServer } from './app.js';
import { defaultKey, tempDir } from './test-harness.js';

/**
 * Shared setup of the app-*.test.ts files: an in-process server with test operations (pagination,
 * CSV, local admin, rate limits, memory). The bindings `s`, `key` and `lines` are live:
 * `useAppServer()` fills them in its beforeAll.
 */
export const rowsOp = defineOperation({
  area: 'test',
  verb: 'rows',
  summary: 'n numbered rows',
  params: z.object({
    n: z.number().int().min(0).max(100_000).default(25),
    tag: z.array(z.string()).optional(),
  }),
  mode: 'read',
  listField: 'rows',
  run: async (_db, p) => ({
    total: p.n,
    tags: p.tag ?? [],
    rows: Array.from({ length: p.n }, (_, i) => ({
      i,
      label: i === 0 ? '=HYPERLINK("x")' : `row, "${i}"`,
      meta: { odd: i % 2 === 1 },
    })),
  }),
});
export const summaryOp = defineOperation({
  area: 'test',
  verb: 'count',
  summary: 'events in the workspace',
  params: z.object({}),
  mode: 'read',
  run: async (db) => (await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`))!,
});

export const settingOp = defineOperation({
  area: 'test',
  verb: 'memory',
  summary: "the workspace database's memory_limit",
  params: z.object({}),
  mode: 'read',
  run: async (db) => (await db.one<{ v: string }>(sql`SELECT current_setting('memory_limit') AS v`))!,
});

export let s: RunningServer;
export let key: string;
export const lines: string[] = [];

/** Starts one in-process server for the calling test file and closes it after the file's last test. */
export function useAppServer(): void {
  beforeAll(async () => {
    process.env.TOUCHPOINT_ADMIN_PASSWORD = 'test-admin-password-123';
    s = await startServer({
      port: 0,
      dataDir: tempDir(),
      operations: [rowsOp, summaryOp, settingOp],
      workspaceMemory: '300MB',
      localAdmin: true,
      logLevel: 'warn',
      rateLimit: { perKey: 40, perIp: 5, authFailures: 4 },
      print: (l) => lines.push(l),
    });
    key = await defaultKey(s.url, ['read', 'ingest']);
  });

  afterAll(async () => {
    await s?.close();
    delete process.env.TOUCHPOINT_ADMIN_PASSWORD;
  });
}
