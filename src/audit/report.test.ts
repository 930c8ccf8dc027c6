import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDbPath } from '../demo/test-fixture.js';
import { getLink, LinkParams } from '../people/index.js';
import { getImpact, ImpactParams } from '../policies/index.js';
import { openStore } from '../store/index.js';
import { type Audit, AuditRunParams, runAudit } from './audit.js';
import { CHROMIUM_PATH, type ReportData } from './report.js';

/**
 * The report (issue 22.6) through the real CLI on the demo company: its JSON, the HTML and the PDF
 * from the same HTML; the HTML rendered in headless Chromium with every request refused, its drawn
 * figures equal to the JSON's. The first page's screenshot and the PDF are kept in artifacts/report/.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/touchpoint.js');
const ART = join(ROOT, 'artifacts/report');
const haveChromium = existsSync(CHROMIUM_PATH);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, TOUCHPOINT_SERVER: '' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    p.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

let dir: string;
let db: string;
let data: ReportData;
let refreshed: Audit;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-report-'));
  db = join(dir, 'demo.duckdb');
  copyFileSync(demoDbPath(), db);
  const store = await openStore(db);
  // a first audit on the analyses' own runs, then one that refreshes every ranking analysis itself
  await getLink(store, LinkParams.parse({}));
  await getImpact(store, ImpactParams.parse({}));
  const first = await runAudit(store, AuditRunParams.parse({}));
  const log: string[] = [];
  refreshed = await runAudit(store, AuditRunParams.parse({ refresh: true }), { log: (l) => log.push(l) });
  expect(log, 'every analysis refreshes on the demo').toEqual([]);
  expect(refreshed.previousId).toBe(first.id);
  await store.close();
  const r = await cli([
    'report',
    'audit',
    '--db',
    db,
    '--from',
    '2026-01-01',
    '--to',
    '2026-10-01',
    '--json',
  ]);
  expect(r.code, r.stderr).toBe(0);
  data = JSON.parse(r.stdout).data;
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('touchpoint report audit', () => {
  it('its JSON carries KPIs with intervals, the 4 P findings with the people plant, and anonymised eNPS', async () => {
    expect(data.kpis.map((k) => k.id)).toEqual(['nps', 'csat', 'case-csat', 'churn', 'enps']);
    for (const k of data.kpis) {
      expect(k.n).toBeGreaterThan(0);
      expect(k.low!).toBeLessThanOrEqual(k.value!);
      expect(k.high!).toBeGreaterThanOrEqual(k.value!);
    }
    expect(data.from).toBe('2026-01-01T00:00:00.000Z');
    expect(data.audit.id).toBe(refreshed.id);
    // the refreshed audit gathers journey and case findings too, each under its P
    expect((data.audit.byP.process ?? 0) + (data.audit.byP.product ?? 0)).toBeGreaterThan(0);
    expect(data.audit.byP.people).toBeGreaterThan(0);
    expect(data.audit.byP.policy).toBeGreaterThan(0);
    // people findings from every analysis (the people link, the train lever of cases, …)
    expect(data.people.findings.map((f) => f.kind)).toContain('team-pulse');
    expect(data.people.findings.every((f) => f.p === 'people')).toBe(true);
    // withheld teams carry neither a value nor a count
    for (const t of data.people.teams)
      if (t.status !== 'published') expect([t.enps, t.respondents]).toEqual([null, null]);
    expect(data.people.teams.some((t) => t.status.startsWith('fewer than'))).toBe(true);
    // the emotion curve per stage, as the journey map draws it for the same period
    expect(data.emotion).not.toBeNull();
    expect(data.emotion!.stages.length).toBeGreaterThan(2);
    const measured = data.emotion!.stages.filter((s) => s.nps.n > 0);
    expect(measured.length).toBeGreaterThan(0);
    for (const s of measured) expect(s.nps.low!).toBeLessThanOrEqual(s.nps.value!);
    // goals: the report feature-detects `goals status`; null when that capability is not there
    expect(data.goals === null || Array.isArray(data.goals)).toBe(true);
  });

  it.skipIf(!haveChromium)(
    'writes self-contained HTML and a PDF; Chromium renders the HTML without one request and shows the JSON’s figures',
    async () => {
      mkdirSync(ART, { recursive: true });
      const html = join(ART, 'report.html');
      const pdf = join(ART, 'report.pdf');
      const args = ['report', 'audit', '--db', db, '--from', '2026-01-01', '--to', '2026-10-01'];
      const h = await cli([...args, '--out', html]);
      expect(h.code, h.stderr).toBe(0);
      const p = await cli([...args, '--out', pdf]);
      expect(p.code, p.stderr).toBe(0);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      expect(statSync(pdf).size).toBeGreaterThan(10_000);

      const text = readFileSync(html, 'utf8');
      expect(text).not.toMatch(/<script|<link|<img|@import|url\(/i);

      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--no-sandbox', '--headless=new'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
        const requests: string[] = [];
        page.on('request', (r) => {
          requests.push(r.url());
        });
        await page.goto(`file://${html}`);
        expect(requests).toEqual([`file://${html}`]);
        expect(await page.locator('h1').textContent()).toBe('Customer experience audit');
        expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(3);
        await page.screenshot({ path: join(ART, 'report-first-page.png') });

        const figures = await page.$$eval('[data-figure]', (els) =>
          els.map((e) => ({ path: e.getAttribute('data-figure')!, text: e.textContent ?? '' })),
        );
        expect(figures.length).toBeGreaterThan(10);
        const at = (path: string): unknown =>
          path
            .split(/\.|\[|\]/)
            .filter(Boolean)
            .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], data);
        for (const f of figures) {
          const want = at(f.path.replace(/\.value$/, '.value')) as number | null;
          const shown = f.text.trim().split(/\s/)[0]!;
          if (want === null) {
            expect(shown, f.path).toBe('—');
            continue;
          }
          const isShare = f.path.startsWith('kpis[3]');
          const got = Number(shown.replace(/[,%]/g, ''));
          // the figure as shown, rounded: within half a unit of its last shown digit
          const decimals = (shown.replace(/[,%]/g, '').split('.')[1] ?? '').length;
          const tolerance = 0.5 * 10 ** -decimals;
          expect(
            Math.abs(got - (isShare ? 100 * want : want)),
            `${f.path}: ${shown} vs ${want}`,
          ).toBeLessThanOrEqual(tolerance + 1e-9);
        }
      } finally {
        await browser.close();
      }
    },
    300_000,
  );

  it('refuses an --out that is neither .html nor .pdf with one line', async () => {
    const r = await cli(['report', 'audit', '--db', db, '--out', join(dir, 'report.docx')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('must end in .html or .pdf');
  });
});
