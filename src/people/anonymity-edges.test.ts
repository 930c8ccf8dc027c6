import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type ChildServer,
  call,
  defaultKey,
  runCli,
  startChild,
  tempDir,
} from '../server/test-harness.js';
import { openStore, sql } from '../store/index.js';

/**
 * The subtraction attack through every edge (issue 22.1): the CLI's JSON, the API's JSON and its CSV
 * export, with filters. A small organisation whose groups under the minimum are known by
 * construction; the test collects every published cell from every edge and checks, against the
 * fixture's true membership, that no two nesting cells differ by 1 … 4 respondents.
 *
 * Team a: a1–a8 hired in 2020 (3 years or more), a9–a10 hired in 2025-09 (under 1 year);
 *   Jan: all 10 answer · Feb: a1–a7 · Mar: a1–a3 (a month of 3: under the minimum).
 * Team b: b1–b6 every month. Team c: c1–c3 every month (always under the minimum).
 */
const TEAMS = { a: 10, b: 6, c: 3 } as const;
const MONTHS = ['2026-01', '2026-02', '2026-03'] as const;
const answered = (team: string, k: number, month: string): boolean =>
  team !== 'a' || month === '2026-01' || (month === '2026-02' ? k <= 7 : k <= 3);

interface Truth {
  employee: string;
  team: string;
  month: string;
  tenure: string;
}
const truth: Truth[] = [];
for (const [team, n] of Object.entries(TEAMS))
  for (let k = 1; k <= n; k++)
    for (const month of MONTHS)
      if (answered(team, k, month))
        truth.push({
          employee: `${team}${k}`,
          team,
          month,
          tenure: team === 'a' && k >= 9 ? 'under 1 year' : '3 years or more',
        });

interface Cell {
  team: string;
  level: string;
  period: string;
  subgroup: string;
  respondents: number | null;
  value: number | null;
  status: string;
}

/** The true answers a published cell covers. */
function covers(c: Cell): Set<number> {
  const out = new Set<number>();
  truth.forEach((t, i) => {
    if (c.team !== '*' && c.team !== t.team) return;
    if (c.subgroup !== '*' && c.subgroup !== t.tenure) return;
    if (c.level === 'month' && c.period !== t.month) return;
    if (c.level === 'quarter' && c.period !== '2026-Q1') return;
    out.add(i);
  });
  return out;
}

const key = (c: Cell) => `${c.team}|${c.level}|${c.period}|${c.subgroup}`;

let dir: string;
let db: string;
let server: ChildServer;
let apiKey: string;
const collected = new Map<string, Cell>();
const conflicts: string[] = [];
function collect(cells: readonly Cell[], edge: string) {
  for (const c of cells) {
    const prev = collected.get(key(c));
    if (prev && JSON.stringify(prev) !== JSON.stringify(c)) conflicts.push(`${edge}: ${key(c)}`);
    collected.set(key(c), c);
  }
}

const VARIANTS: Record<string, string>[] = [
  { level: 'month' },
  { level: 'quarter' },
  { level: 'all' },
  { level: 'all', subgroups: 'true' },
  { level: 'month', team: 'a' },
  { level: 'month', from: '2026-02-01', to: '2026-03-01' },
  { level: 'month', from: '2026-02-10' },
  { level: 'month', team: 'c' },
];

beforeAll(async () => {
  dir = tempDir('tp-people-');
  db = join(dir, 'org.duckdb');
  const store = await openStore(db);
  await store.exec(
    sql`INSERT INTO teams (id, name) VALUES ('a', 'Team A'), ('b', 'Team B'), ('c', 'Team C')`,
  );
  for (const [team, n] of Object.entries(TEAMS))
    for (let k = 1; k <= n; k++) {
      const hired = team === 'a' && k >= 9 ? '2025-09-01' : '2020-01-01';
      await store.exec(
        sql`INSERT INTO employees (id, team_id, name, role, hired_at) VALUES (${`${team}${k}`}, ${team}, ${`Person ${team}${k}`}, 'agent', ${hired}::TIMESTAMP)`,
      );
    }
  let id = 0;
  for (const t of truth) {
    await store.exec(sql`INSERT INTO pulse (id, employee_id, team_id, ts, question, score, comment)
      VALUES (${`p${++id}`}, ${t.employee}, ${t.team}, ${`${t.month}-15 10:00:00`}::TIMESTAMP, 'enps', ${(id * 7) % 11},
        ${t.employee === 'a9' ? 'My lead ignores the new joiners' : null})`);
  }
  await store.close();

  // the CLI's JSON, before the server holds the file
  for (const v of VARIANTS) {
    const args = Object.entries(v).flatMap(([k, val]) => (val === 'true' ? [`--${k}`] : [`--${k}`, val]));
    const r = await runCli(['people', 'pulse', '--db', db, ...args, '--json'], { TOUCHPOINT_SERVER: '' });
    expect(r.code, r.stderr).toBe(0);
    collect(JSON.parse(r.stdout).cells, `cli ${JSON.stringify(v)}`);
  }
  server = await startChild({ db, dataDir: join(dir, 'server') });
  apiKey = await defaultKey(server.url, ['read']);
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

describe('pulse anonymity through every edge', () => {
  it('the API (JSON and CSV) publishes exactly what the CLI publishes, filters included', async () => {
    for (const v of VARIANTS) {
      const q = new URLSearchParams(v).toString();
      const r = await call<{ cells: Cell[] }>(`${server.url}/api/v1/people/pulse?${q}`, {
        headers: bearer(apiKey),
      });
      expect(r.status, r.text).toBe(200);
      collect(r.body.cells, `api ${q}`);
      const csv = await call(`${server.url}/api/v1/people/pulse?${q}`, {
        headers: { ...bearer(apiKey), accept: 'text/csv' },
      });
      expect(csv.status).toBe(200);
      const [header, ...lines] = csv.text.trim().split('\r\n');
      const cols = header!.split(',');
      expect(lines.length).toBe(r.body.cells.length);
      for (const [i, line] of lines.entries()) {
        const cells = line.split(',');
        const c = r.body.cells[i]!;
        expect(cells[cols.indexOf('respondents')]).toBe(c.respondents === null ? '' : String(c.respondents));
        expect(cells[cols.indexOf('value')]).toBe(c.value === null ? '' : String(c.value));
      }
    }
    expect(conflicts).toEqual([]);
  });

  it('the report (API) shows the same team cells, withheld ones without value or count', async () => {
    const r = await call<{
      data: {
        people: {
          teams: { team: string; enps: number | null; respondents: number | null; status: string }[];
        };
      };
      html: string;
    }>(`${server.url}/api/v1/report/audit`, { headers: bearer(apiKey) });
    expect(r.status, r.text).toBe(200);
    const teams = r.body.data.people.teams;
    expect(teams.map((t) => t.team)).toEqual(['a', 'b', 'c']);
    for (const t of teams) {
      const cell = collected.get(key({ team: t.team, level: 'all', period: '*', subgroup: '*' } as Cell))!;
      expect({ value: t.enps, respondents: t.respondents, status: t.status }).toEqual({
        value: cell.value,
        respondents: cell.respondents,
        status: cell.status,
      });
    }
    expect(r.body.html).not.toMatch(/\b[abc]\d+\b|Person/);
    // the API never writes a file
    const out = await call(`${server.url}/api/v1/report/audit?out=/tmp/x.html`, { headers: bearer(apiKey) });
    expect(out.status).toBe(400);
  });

  it('no two published cells that nest differ by 1 … 4 true respondents (the subtraction attack)', () => {
    const published = [...collected.values()].filter((c) => c.status === 'published');
    expect(published.length).toBeGreaterThan(5);
    const checked: string[] = [];
    for (const outer of published)
      for (const inner of published) {
        if (outer === inner) continue;
        const o = covers(outer);
        const i = covers(inner);
        if (![...i].every((x) => o.has(x))) continue; // not nested
        const rest = new Set([...o].filter((x) => !i.has(x)).map((x) => truth[x]!.employee));
        checked.push(`${key(outer)} ⊃ ${key(inner)}`);
        expect(rest.size === 0 || rest.size >= 5, `${key(outer)} − ${key(inner)} = ${[...rest]}`).toBe(true);
      }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('the groups under the minimum show as "fewer than 5" with no value and no count', () => {
    const get = (team: string, level: string, period: string, subgroup = '*') =>
      collected.get(key({ team, level, period, subgroup } as Cell))!;
    for (const m of MONTHS)
      expect(get('c', 'month', m)).toMatchObject({ status: 'fewer than 5', value: null, respondents: null });
    expect(get('a', 'month', '2026-03')).toMatchObject({ status: 'fewer than 5', value: null });
    expect(get('a', 'all', '*', 'under 1 year')).toMatchObject({ status: 'fewer than 5', value: null });
    // team a's total minus its long-tenured sub-group would be the two new joiners: one of them is withheld
    const total = get('a', 'all', '*');
    const long = get('a', 'all', '*', '3 years or more');
    expect(total.status === 'published' && long.status === 'published').toBe(false);
  });

  it('no edge names an employee or lists one employee’s answers; a comment of a group under 8 is not shown', async () => {
    const all = JSON.stringify([...collected.values()]);
    expect(all).not.toMatch(/\b[abc]\d+\b|Person/);
    const r = await call<{ comments: { team: string; comments: string[]; status: string }[] }>(
      `${server.url}/api/v1/people/pulse`,
      { headers: bearer(apiKey) },
    );
    // team a has 10 respondents in Q1 (≥ 8): its one comment is shown, without author or date
    const a = r.body.comments.find((c) => c.team === 'a')!;
    expect(a).toEqual({
      team: 'a',
      teamName: 'Team A',
      quarter: '2026-Q1',
      comments: ['My lead ignores the new joiners'],
      status: 'published',
    });
    expect(r.body.comments.find((c) => c.team === 'b')).toMatchObject({
      comments: [],
      status: 'fewer than 8',
    });
  });
});
