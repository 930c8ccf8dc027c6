import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { deriveCommandTable } from '../cli/command-table.js';
import { registerEdgeCommands } from '../cli/edge-commands.js';
import { buildProgram } from '../cli/main.js';
import { operations } from '../operations.js';
import { permissionMatrix } from './permission-matrix.js';
import { EDGE_ROUTES, routeTable } from './routes.js';
import { ROOT } from './test-harness.js';

const cliTable = await deriveCommandTable();

/** CLI commands that are edge jobs, not operations: declared here so the parity test can tell. */
const CLI_ONLY_COMMANDS = new Set(['start', 'serve']);

function cliCommands(): Set<string> {
  const out = new Set<string>();
  const program = buildProgram(registerEdgeCommands, cliTable);
  const walk = (c: Command, prefix: string[]) => {
    for (const sub of c.commands) {
      const path = [...prefix, sub.name()];
      if (sub.commands.length > 0) walk(sub, path);
      else out.add(path.join(' '));
    }
  };
  walk(program, []);
  return out;
}

describe('the CLI command table and the HTTP route table', () => {
  const routes = routeTable(operations);
  const cli = cliCommands();
  const cliOnlyOps = new Set(
    operations.filter((o) => o.edges?.http === false).map((o) => `${o.area} ${o.verb}`),
  );
  const httpOnlyOps = new Set(
    operations.filter((o) => o.edges?.cli === false).map((o) => `${o.area} ${o.verb}`),
  );
  const routed = new Set(routes.filter((r) => r.op).map((r) => `${r.op!.area} ${r.op!.verb}`));

  it('every CLI command has a route, unless declared CLI-only', () => {
    const missing = [...cli].filter((c) => !routed.has(c) && !cliOnlyOps.has(c) && !CLI_ONLY_COMMANDS.has(c));
    expect(missing).toEqual([]);
  });

  it('every operation route has a CLI command, unless declared HTTP-only', () => {
    const missing = [...routed].filter((r) => !cli.has(r) && !httpOnlyOps.has(r));
    expect(missing).toEqual([]);
  });

  it('routes are GET for reads and POST for writes and uploads, under /api/v1/<area>/<verb>, with unique paths', () => {
    for (const r of routes.filter((x) => x.op)) {
      // a read of an upload (`upload`: experiments analyze) takes its file in a POST body
      expect(r.method).toBe(r.op!.mode === 'read' && !r.op!.upload ? 'GET' : 'POST');
      // a read of workspace data never needs more than read; reading accounts (users, keys, audit) is admin
      if (r.op!.mode === 'read')
        expect(r.permission).toBe(r.op!.database === 'server' ? r.op!.permission : 'read');
      // the accounts verbs also keep the paths they had before they were operations (ACCOUNT_PATHS)
      if (!r.aliasOf) expect(r.path).toBe(`/api/v1/${r.op!.area}/${r.op!.verb}`);
    }
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    // declared HTTP-only routes never collide with an operation's path
    const opPaths = new Set(routes.filter((r) => r.op).map((r) => r.path));
    const ids = routes.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(EDGE_ROUTES.filter((r) => opPaths.has(r.path))).toEqual([]);
  });

  it('an operation declares its permission; the route takes it (no side table in the server)', () => {
    const need = (area: string, verb: string) =>
      routes.find((r) => r.op?.area === area && r.op.verb === verb)?.permission;
    expect(need('import', 'undo')).toBe('admin');
    expect(need('demo', 'generate')).toBe('admin');
    for (const v of ['follow-up-assign', 'follow-up-note', 'follow-up-close'])
      expect(need('feedback', v)).toBe('act');
    for (const r of routes.filter((x) => x.op))
      expect(r.permission).toBe(r.op!.permission ?? (r.op!.mode === 'read' ? 'read' : 'write'));
  });

  it('docs/permissions.md is generated from the current route table', () => {
    const doc = readFileSync(join(ROOT, 'docs/permissions.md'), 'utf8');
    expect(doc).toBe(permissionMatrix(routes));
  });
});
