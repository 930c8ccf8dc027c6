/**
 * The 4 P's audit and the report at scale (issue 22): `audit run --refresh` (re-runs the ranking
 * analyses it gathers: pain points, ping-pong, levers, the people link, policy impact, then stores the
 * audit), `audit run` on stored findings, and `report audit` as HTML and as PDF (headless Chromium),
 * through the operation table as the CLI runs them. Goal: the report under 30 s at 1M customers.
 * Size: AUDIT_BENCH_CUSTOMERS (default 1,000,000, sharing bench/out/demo-1m.duckdb with the other
 * benches); a smaller size gets its own file, generated once (seed 42).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/generate.js';
import { findOperation } from '../src/operations.js';
import { openStore } from '../src/store/index.js';
import { haveChromium } from '../src/web/testing/browser.js';
import type { BenchContext } from './run.js';

export default async function (ctx: BenchContext): Promise<void> {
  const customers = Number(process.env.AUDIT_BENCH_CUSTOMERS ?? 1_000_000);
  const path = join(
    ctx.outDir,
    customers === 1_000_000 ? 'demo-1m.duckdb' : `demo-audit-${customers}.duckdb`,
  );
  if (!existsSync(path)) {
    const gen = await openStore(path);
    try {
      const t0 = performance.now();
      await generateDemo(gen, { seed: 42, customers });
      ctx.report(
        `generated ${customers.toLocaleString('en')} customers`,
        (performance.now() - t0) / 1000,
        's',
      );
    } finally {
      await gen.close();
    }
  }
  const db = await openStore(path);
  const run = async (area: string, verb: string, params: Record<string, unknown>) => {
    const op = findOperation(area, verb);
    if (!op) throw new Error(`no operation ${area} ${verb}`);
    const t0 = performance.now();
    const r = (await op.run(db, op.params.parse(params), {})) as Record<string, unknown>;
    return { r, s: (performance.now() - t0) / 1000 };
  };
  const at = `${customers.toLocaleString('en')} customers`;
  try {
    const refreshed = await run('audit', 'run', { refresh: true });
    const summary = refreshed.r.summary as { findings: number };
    ctx.report(
      `${at}: audit run --refresh`,
      refreshed.s,
      's',
      `${summary.findings} findings, analyses re-run`,
    );
    const stored = await run('audit', 'run', {});
    ctx.report(`${at}: audit run (stored findings)`, stored.s, 's');
    const html = await run('report', 'audit', { out: 'report.html' });
    const doc = join(ctx.outDir, 'audit-report.html');
    writeFileSync(doc, html.r.document as string);
    ctx.report(
      `${at}: report audit → HTML`,
      html.s,
      's',
      `${(statSync(doc).size / 1024).toFixed(0)} KiB; goal < 30 s`,
    );
    if (haveChromium()) {
      const pdf = await run('report', 'audit', { out: 'report.pdf' });
      const bytes = (pdf.r.document as Uint8Array).byteLength;
      ctx.report(`${at}: report audit → PDF`, pdf.s, 's', `${(bytes / 1024).toFixed(0)} KiB; goal < 30 s`);
    } else ctx.report(`${at}: report audit → PDF`, 'skipped: no /usr/bin/chromium');
  } finally {
    await db.close();
  }
}
