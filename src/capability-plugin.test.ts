/**
 * Adding a capability is one folder plus one line in src/capabilities.ts (issue 15 "done when"):
 * this test writes a toy read-only capability as a new folder — an `index.ts` exporting
 * `operations`, nothing else — registers it with one line beside the real list, and finds it in
 * the CLI (help, flags, a run), the HTTP API (a real server), the OpenAPI document and the
 * cockpit's discovery of operations (what `loadOperations` reads from /openapi.json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CAPABILITIES, type CapabilityLoader } from './capabilities.js';
import { deriveCommandTable } from './cli/command-table.js';
import { registerEdgeCommands } from './cli/edge-commands.js';
import { buildProgram } from './cli/main.js';
import type { AnyOperation } from './core/operation.js';
import { importRecords } from './ingest/index.js';
import { operations } from './operations.js';
import { startServer } from './server/index.js';
import { openStore } from './store/index.js';
import { operationsOf } from './web/api.js';
import { unpagedAnalyses } from './web/app.js';
import { ensureWebBuild, WEB_DIST } from './web/build.js';
import { haveChromium, launchChromium, waitForContent } from './web/testing/browser.js';

const SRC = resolve(import.meta.dirname);
// the new folder, as a developer would write it (outside src/ so no other test sees it)
const toyDir = mkdtempSync(join(resolve(SRC, '..'), '.toy-capability-'));
const TOY = `import { z } from 'zod';
import { defineOperation } from ${JSON.stringify(pathToFileURL(join(SRC, 'core/operation.ts')).href)};
import { sql } from ${JSON.stringify(pathToFileURL(join(SRC, 'store/index.ts')).href)};

export const operations = [
  defineOperation({
    area: 'toy',
    verb: 'segments',
    summary: 'Toy: customers per segment',
    params: z.strictObject({ min: z.coerce.number().int().min(0).default(1).describe('smallest count shown') }),
    mode: 'read',
    listField: 'segments',
    async run(db, p) {
      const rows = await db.all(sql\`SELECT segment, count(*)::INTEGER AS n FROM customers GROUP BY segment
        HAVING count(*) >= \${p.min} ORDER BY segment\`);
      return { segments: rows };
    },
  }),
];
`;
const dir = mkdtempSync(join(tmpdir(), 'tp-toy-'));
const ws = join(dir, 'ws.duckdb');
let toyOps: readonly AnyOperation[];
/** The one line: the real list plus the toy. */
let capabilities: Record<string, CapabilityLoader>;

beforeAll(async () => {
  mkdirSync(toyDir, { recursive: true });
  writeFileSync(join(toyDir, 'index.ts'), TOY);
  capabilities = { ...CAPABILITIES, toy: () => import(pathToFileURL(join(toyDir, 'index.ts')).href) };
  toyOps = (await capabilities.toy!()).operations;
  const db = await openStore(ws);
  await importRecords(
    db,
    'customers',
    [
      { id: 'a', segment: 'smb' },
      { id: 'b', segment: 'smb' },
      { id: 'c', segment: 'enterprise' },
    ],
    { source: 'test' },
  );
  await db.close();
});
afterAll(() => {
  rmSync(toyDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** A real server on the workspace with the real operations plus the toy's (the cockpit's files or none). */
const serveWithToy = (dataDir: string, staticDir: string | false) =>
  startServer({
    db: ws,
    dataDir: join(dir, dataDir),
    port: 0,
    localAdmin: true,
    staticDir,
    logLevel: 'warn',
    print: () => {},
    operations: [...operations, ...toyOps],
  });

describe('a toy capability: one folder + one line', () => {
  it('is a CLI command with its flags, in help, and runs', async () => {
    const table = await deriveCommandTable(capabilities);
    const spec = table.find((s) => s.area === 'toy' && s.verb === 'segments');
    expect(spec).toMatchObject({ capability: 'toy', mode: 'read', summary: 'Toy: customers per segment' });
    expect(spec?.fields.map((f) => [f.name, f.kind, f.defaultValue])).toEqual([['min', 'number', 1]]);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      const program = buildProgram(registerEdgeCommands, table, capabilities);
      expect(program.commands.map((c) => c.name())).toContain('toy');
      await program.parseAsync(['toy', 'segments', '--min', '2', '--db', ws, '--json'], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual({ segments: [{ segment: 'smb', n: 2 }] });
  });

  it('is an API route, in the OpenAPI document, and in the cockpit’s discovery', async () => {
    const server = await serveWithToy('server', false);
    try {
      const r = await fetch(`${server.url}/api/v1/toy/segments?min=1`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({
        segments: [
          { segment: 'enterprise', n: 1 },
          { segment: 'smb', n: 2 },
        ],
      });
      // a read route: viewers may call it, like every GET of an analysis
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { 'x-permission': string; parameters: { name: string }[] }>>;
      };
      const entry = doc.paths['/api/v1/toy/segments']?.get;
      expect(entry?.['x-permission']).toBe('read');
      expect(entry?.parameters.map((p) => p.name)).toEqual(
        expect.arrayContaining(['min', 'pageSize', 'cursor']),
      );
      // the cockpit reads its pages' operations from this document
      const discovered = operationsOf(doc as unknown as Parameters<typeof operationsOf>[0]);
      expect(unpagedAnalyses(discovered, null).map((o) => `${o.area} ${o.verb}`)).toContain('toy segments');
      expect(discovered.find((o) => o.area === 'toy')).toMatchObject({
        area: 'toy',
        verb: 'segments',
        method: 'get',
        summary: 'Toy: customers per segment',
        fields: expect.arrayContaining(['min']),
      });
    } finally {
      await server.close();
    }
  }, 60_000);

  it.skipIf(!haveChromium())(
    'is drawn by the cockpit: More analyses lists it and shows its result as a table',
    async () => {
      await ensureWebBuild();
      const server = await serveWithToy('server-web', WEB_DIST);
      const browser = await launchChromium();
      try {
        const artifacts = resolve(SRC, '../artifacts/web');
        mkdirSync(artifacts, { recursive: true });
        for (const scheme of ['light', 'dark'] as const) {
          const ctx = await browser.newContext({
            colorScheme: scheme,
            viewport: { width: 1300, height: 800 },
          });
          const page = await ctx.newPage();
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('console', (m) => {
            if (m.type() === 'error') errors.push(m.text());
          });
          await page.goto(`${server.url}/#/more?op=toy.segments`);
          await waitForContent(page);
          expect(await page.locator('header nav a', { hasText: 'More analyses' }).count()).toBe(1);
          await page.locator('main table').waitFor();
          const table = (await page.locator('main table').textContent()) ?? '';
          expect(table).toMatch(/smb.*2/);
          expect(table).toMatch(/enterprise.*1/);
          // the accounts verbs are not analyses: never listed here
          expect(await page.locator('nav.tabs a', { hasText: 'accounts' }).count()).toBe(0);
          await page.screenshot({ path: join(artifacts, `more-analyses-${scheme}.png`), fullPage: true });
          expect(errors).toEqual([]);
          await ctx.close();
        }
      } finally {
        await browser.close();
        await server.close();
      }
    },
    240_000,
  );
});
