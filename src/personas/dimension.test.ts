/**
 * Personas as a dimension of the other analyses (issue 19 item 6), at both edges on the demo company
 * after a discovery: the CLI (a real process on the workspace file) and the HTTP API (the real server
 * on loopback). Each analysis takes the persona filter of the shared vocabulary, the breakdowns take
 * `by persona`, a filtered figure equals the same persona's group of the breakdown, and findings found
 * for a persona carry it in their slice.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDbPath } from '../demo/test-fixture.js';
import { startServer } from '../server/app.js';
import { openStore } from '../store/index.js';
import { DiscoverParams, discoverPersonas } from './discover.js';

const BIN = new URL('../../bin/touchpoint.js', import.meta.url).pathname;

describe('personas as a dimension everywhere (CLI and API, demo company)', () => {
  let dir: string;
  let db: string;
  let persona: { id: string; name: string };
  let server: { url: string; close(): Promise<void> } | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-persona-dim-'));
    db = join(dir, 'demo.duckdb');
    copyFileSync(demoDbPath(), db);
    const store = await openStore(db);
    try {
      const r = await discoverPersonas(
        store,
        DiscoverParams.parse({ kMin: 3, kMax: 4, restarts: 2, bootstraps: 0, sample: 4000 }),
      );
      persona = { id: r.personas[0]!.id, name: r.personas[0]!.name };
    } finally {
      await store.close();
    }
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--db', db, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, TOUCHPOINT_SERVER: '' },
      cwd: dir,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('CLI: --by persona and --persona agree (scores), and the journey map takes --persona', () => {
    const by = cli(['feedback', 'scores', '--by', 'persona']);
    expect(by.err).toBe('');
    const groups = JSON.parse(by.out).rows as { group: string; n: number }[];
    expect(groups.map((g) => g.group)).toContain(persona.name);
    const one = cli(['feedback', 'scores', '--persona', persona.id]);
    expect(one.err).toBe('');
    const mine = JSON.parse(one.out).rows as { group: string; n: number }[];
    expect(mine[0]!.n).toBe(groups.find((g) => g.group === persona.name)!.n);
    const map = cli(['journey', 'map', '--persona', persona.id]);
    expect(map.err).toBe('');
    const all = cli(['journey', 'map']);
    expect(JSON.parse(map.out).people).toBeLessThan(JSON.parse(all.out).people);
    // a persona set from a file the CLI edge reads: a bad line is one clean line naming file, line, field
    writeFileSync(join(dir, 'bad.csv'), 'customer_id,persona\nc1,A\nc1,B\n');
    const badCsv = cli(['personas', 'import', 'bad.csv', '--set', 'research']);
    expect(badCsv.code).not.toBe(0);
    expect(badCsv.err.trimEnd()).toBe(
      'touchpoint: bad.csv:3: persona: customer c1 is "A" on line 2 and "B" here',
    );
    // an unknown breakdown is refused in one line naming the field
    const bad = cli(['cases', 'handoffs', '--by', 'personas']);
    expect(bad.code).not.toBe(0);
    expect(bad.err.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/by/);
  }, 300_000);

  it('API: every analysis takes the persona filter; breakdowns by persona match the filtered figures', async () => {
    server = await startServer({
      db,
      dataDir: join(dir, 'server'),
      host: '127.0.0.1',
      port: 0,
      localAdmin: true,
      logLevel: 'warn',
      print: () => {},
    });
    const get = async <R>(path: string): Promise<R> => {
      const r = await fetch(`${server!.url}/api/v1/${path}`);
      expect(r.status, `${path}: ${r.status}`).toBe(200);
      return (await r.json()) as R;
    };
    const post = async <R>(path: string, body: Record<string, unknown>): Promise<R> => {
      const r = await fetch(`${server!.url}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, `${path}: ${r.status} ${r.status === 200 ? '' : await r.text()}`).toBe(200);
      return (await r.json()) as R;
    };
    const p = encodeURIComponent(persona.id);

    // journey map and lanes: the persona's people are the same by either route
    const map = await get<{ people: number }>(`journey/map?persona=${p}`);
    const lanes = await get<{ lanes: { personaId: string; people: number }[] }>('journey/persona-lanes');
    expect(map.people).toBe(lanes.lanes.find((l) => l.personaId === persona.id)!.people);

    // funnel: the persona filter's step 1 = the persona's group of the breakdown by persona
    type Funnel = {
      overall: { reached: number }[];
      groups: { key: { persona: string }; steps: { reached: number }[] }[];
    };
    const fAll = await get<Funnel>('journey/funnel?by=persona');
    const fOne = await get<Funnel>(`journey/funnel?persona=${p}`);
    const group = fAll.groups.find((g) => g.key.persona === persona.name)!;
    expect(fOne.overall.map((s) => s.reached)).toEqual(group.steps.map((s) => s.reached));
    expect(fOne.overall[0]!.reached).toBeLessThan(fAll.overall[0]!.reached);

    // emotion: the persona's answers are a part of everyone's
    type Emo = { stages: { scores: { nps: { n: number } } }[] };
    const eAll = await get<Emo>('journey/emotion');
    const eOne = await get<Emo>(`journey/emotion?persona=${p}`);
    const n = (e: Emo) => e.stages.reduce((a, s) => a + s.scores.nps.n, 0);
    expect(n(eOne)).toBeGreaterThan(0);
    expect(n(eOne)).toBeLessThan(n(eAll));

    // handoffs by persona: the groups are the personas; the filtered total is the persona's group
    type Handoffs = { totals: { cases: number }; groups: { key: string; cases: number }[] };
    const hBy = await get<Handoffs>('cases/handoffs?by=persona');
    const hOne = await get<Handoffs>(`cases/handoffs?persona=${p}`);
    expect(hBy.groups.map((g) => g.key)).toContain(persona.name);
    expect(hOne.totals.cases).toBe(hBy.groups.find((g) => g.key === persona.name)!.cases);

    // personas vs segments on the demo (printed for docs/personas.md)
    type Cmp = {
      explained: {
        outcome: string;
        n: number;
        personas: { value: number; lo: number; hi: number; groups: number };
        segments: { value: number; lo: number; hi: number; groups: number };
      }[];
    };
    const cmp = await get<Cmp>('personas/compare-segments');
    for (const e of cmp.explained)
      console.log(
        `demo ${e.outcome} η² (n=${e.n}): personas ${e.personas.value.toFixed(4)} [${e.personas.lo.toFixed(4)}, ${e.personas.hi.toFixed(4)}] (${e.personas.groups}), segments ${e.segments.value.toFixed(4)} [${e.segments.lo.toFixed(4)}, ${e.segments.hi.toFixed(4)}] (${e.segments.groups})`,
      );
    expect(cmp.explained.map((e) => e.outcome)).toEqual(['nps', 'churn', 'contact_rate']);

    // findings found for a persona carry it in their slice (pain points, moments, inflow)
    type Found = { findings: { slice: Record<string, string> }[] };
    const pains = await post<Found>('journey/pain-points', { persona: persona.id, write: false });
    const moments = await post<Found>('journey/moments', { persona: persona.id, write: false });
    const inflow = await post<Found>('cases/inflow', { persona: persona.id });
    for (const f of [...pains.findings, ...moments.findings, ...inflow.findings])
      expect(f.slice.persona).toBe(persona.id);
    expect(pains.findings.length + inflow.findings.length).toBeGreaterThan(0);
    // pain points by persona: each persona's, ranked together, each with its persona in the slice
    const byPersona = await post<Found>('journey/pain-points', { by: 'persona', write: false });
    const ids = new Set(lanes.lanes.map((l) => l.personaId));
    expect(byPersona.findings.length).toBeGreaterThan(0);
    for (const f of byPersona.findings) expect(ids.has(f.slice.persona!)).toBe(true);
    expect(new Set(byPersona.findings.map((f) => f.slice.persona)).size).toBeGreaterThan(1);
    type Moments = { moments: { persona?: string }[]; findings: { slice: Record<string, string> }[] };
    const mBy = await post<Moments>('journey/moments', { by: 'persona', write: false });
    expect(mBy.moments.length).toBeGreaterThan(0);
    for (const m of mBy.moments) expect(ids.has(m.persona!)).toBe(true);
    for (const f of mBy.findings) expect(ids.has(f.slice.persona!)).toBe(true);
    type Inflow = { reasons: { persona?: string }[]; findings: { slice: Record<string, string> }[] };
    const iBy = await post<Inflow>('cases/inflow', { by: 'persona' });
    expect(new Set(iBy.reasons.map((x) => x.persona)).size).toBe(ids.size);
    for (const f of iBy.findings) expect(ids.has(f.slice.persona!)).toBe(true);
    type Drivers = { drivers: { persona?: string }[]; models: { persona: string; n: number }[] };
    const dBy = await post<Drivers>('feedback/drivers', { by: 'persona' });
    expect(dBy.models.map((m) => m.persona).sort()).toEqual([...ids].sort());
    for (const d of dBy.drivers) expect(ids.has(d.persona!)).toBe(true);
    type Themes = { themes: { persona?: string }[]; baselines: { persona: string; comments: number }[] };
    const tBy = await post<Themes>('feedback/themes', { by: 'persona' });
    expect(tBy.baselines.map((b) => b.persona).sort()).toEqual([...ids].sort());
    expect(tBy.themes.length).toBeGreaterThan(0);
    for (const t of tBy.themes) expect(ids.has(t.persona!)).toBe(true);
    const both = await fetch(`${server!.url}/api/v1/journey/pain-points`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'persona', persona: persona.id, write: false }),
    });
    expect(both.status).toBe(400);
  }, 600_000);
});
