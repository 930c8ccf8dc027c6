import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md, checked on every source file under src/:
 * base (store, core, stats, types) ← capabilities ← edges (cli, server, web) and the operation table.
 * A capability uses another only through its index.ts, and capabilities depend on each other
 * without cycles. Test files may also reach another capability's test fixtures.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)));
const BASE = new Set(['store', 'core', 'stats', 'types']);
const EDGES = new Set(['cli', 'server', 'web']);
/** The registry: the list of capabilities (capabilities.ts) and the operation table built from it. */
const REGISTRY = new Set(['operations.ts', 'capabilities.ts']);

type Layer = 'base' | 'capability' | 'edge' | 'registry';

function layerOf(top: string): Layer {
  if (REGISTRY.has(top)) return 'registry';
  if (BASE.has(top)) return 'base';
  if (EDGES.has(top)) return 'edge';
  return 'capability';
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const isTest = (rel: string) => /\.test\.tsx?$|test-helpers\.ts$/.test(rel);
const isFixture = (rel: string) => /(^|\/)test-fixture\.ts$|test-helpers\.ts$/.test(rel);

interface ImportEdge {
  readonly from: string; // path under src/, '/'-separated
  readonly to: string;
  /** `import type …` / `export type …`: erased at build, no run-time coupling. */
  readonly typeOnly?: boolean;
}

/** Every relative import, static or dynamic, of every source file, resolved to a path under src/. */
function importEdges(root = SRC): ImportEdge[] {
  const edges: ImportEdge[] = [];
  // a static import/export statement (up to its `from`), a bare `import '…'`, or a dynamic import()
  const spec =
    /^\s*(import|export)(\s+type\b)?[^;'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(spec)) {
      const target = resolve(dirname(file), (m[3] ?? m[4] ?? m[5])!).replace(/\.jsx?$/, '');
      const to = [`${target}.ts`, `${target}.tsx`].find(existsSync) ?? target;
      const rel = relative(root, to).split(sep).join('/');
      if (rel.startsWith('..')) continue; // package.json and the like, outside src/
      edges.push({ from: relative(root, file).split(sep).join('/'), to: rel, typeOnly: Boolean(m[2]) });
    }
  }
  return edges;
}

/**
 * The rule an import breaks, or undefined. The rules guard what ships: a test may wire any parts
 * together (a time test of the base drives the cases and journeys analyses, a refusal test starts the
 * real server), except reaching into another capability's internals from a capability's own tests.
 */
function violation(e: ImportEdge): string | undefined {
  const fromTop = e.from.split('/')[0]!;
  if (isTest(e.from) && layerOf(fromTop) !== 'capability') return undefined;
  const toTop = e.to.split('/')[0]!;
  if (fromTop === toTop) return undefined;
  const from = layerOf(fromTop);
  const to = layerOf(toTop);
  if (isTest(e.from) && to !== 'capability') return undefined;
  if (from === 'base' && to !== 'base') return `the base (${fromTop}) imports ${to} ${toTop}`;
  if (from === 'capability') {
    if (to === 'edge' || to === 'registry') return `capability ${fromTop} imports the ${to} ${toTop}`;
    if (to === 'capability') {
      if (!/^[^/]+\/index\.tsx?$/.test(e.to) && !(isTest(e.from) && isFixture(e.to)))
        return `capability ${fromTop} reaches into ${e.to} instead of ${toTop}/index.ts`;
    }
  }
  const viaIndex = /^[^/]+\/index\.tsx?$/.test(e.to);
  if (from === 'edge' && to === 'capability' && !isTest(e.from) && !e.typeOnly && !viaIndex)
    return `edge ${fromTop} reaches into ${e.to} instead of ${toTop}/index.ts`;
  return undefined;
}

/** Cycles between capabilities, by folder, counting production imports only. */
function capabilityCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (isTest(e.from)) continue;
    const a = e.from.split('/')[0]!;
    const b = e.to.split('/')[0]!;
    if (a === b || layerOf(a) !== 'capability' || layerOf(b) !== 'capability') continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

describe('architecture (docs/architecture.md)', () => {
  const edges = importEdges();

  it('reads the imports of the whole tree', () => {
    // a parser that finds nothing would pass every rule below
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'capabilities.ts', to: 'journeys/index.ts', typeOnly: false });
    expect(edges).toContainEqual({ from: 'web/pages/journey.tsx', to: 'journeys/map.ts', typeOnly: true });
    expect(edges.filter((e) => e.from === 'cli/main.ts').length).toBeGreaterThan(3);
  });

  it('every import follows the layer rules', () => {
    const broken = edges.flatMap((e) => {
      const v = violation(e);
      return v ? [`${e.from} → ${e.to}: ${v}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('capabilities depend on each other without cycles', () => {
    expect(capabilityCycles(edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it.each([
    [{ from: 'store/store.ts', to: 'journeys/index.ts' }, 'the base (store) imports capability journeys'],
    [{ from: 'cases/flow.ts', to: 'server/app.ts' }, 'capability cases imports the edge server'],
    [{ from: 'cases/flow.ts', to: 'operations.ts' }, 'capability cases imports the registry operations.ts'],
    [
      { from: 'cases/flow.ts', to: 'ingest/undo.ts' },
      'capability cases reaches into ingest/undo.ts instead of ingest/index.ts',
    ],
    [
      { from: 'cli/main.ts', to: 'cases/flow.ts' },
      'edge cli reaches into cases/flow.ts instead of cases/index.ts',
    ],
    [
      { from: 'cases/flow.ts', to: 'journeys/map.ts', typeOnly: true },
      'capability cases reaches into journeys/map.ts instead of journeys/index.ts',
    ],
  ])('refuses %o', (edge, message) => {
    expect(violation(edge)).toBe(message);
  });

  it.each([
    { from: 'cases/flow.ts', to: 'ingest/index.ts' },
    { from: 'cases/demo.test.ts', to: 'demo/test-fixture.ts' },
    { from: 'core/params.ts', to: 'store/index.ts' },
    { from: 'server/app.ts', to: 'cli/main.ts' },
    { from: 'web/logic.test.ts', to: 'journeys/map.ts' },
    { from: 'web/pages/journey.tsx', to: 'journeys/map.ts', typeOnly: true },
    { from: 'cases/import-case-log.test.ts', to: 'operations.ts' },
    { from: 'core/time.test.ts', to: 'cases/export.ts' },
    { from: 'ingest/refusals.test.ts', to: 'server/test-harness.ts' },
  ])('allows %o', (edge) => {
    expect(violation(edge)).toBeUndefined();
  });

  it('finds a cycle between two capabilities, and none in a chain', () => {
    expect(
      capabilityCycles([
        { from: 'ingest/operations.ts', to: 'cases/index.ts' },
        { from: 'cases/import-case-log.ts', to: 'ingest/index.ts' },
      ]),
    ).toEqual([['cases', 'ingest', 'cases']]);
    expect(
      capabilityCycles([
        { from: 'journeys/map.ts', to: 'findings/index.ts' },
        { from: 'cases/flow.ts', to: 'findings/index.ts' },
        { from: 'cases/flow.ts', to: 'journeys/index.ts' },
      ]),
    ).toEqual([]);
  });
});
