/**
 * The cockpit on the demo company: per page, the time to first meaningful paint (heading drawn,
 * nothing loading, no API call in flight) and the slowest API call behind it, in headless Chromium
 * against the real server on loopback. Goal: every page under 1 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { operations } from '../src/operations.js';
import { startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { ensureWebBuild, WEB_DIST } from '../src/web/build.js';
import {
  apiCalls,
  haveChromium,
  launchChromium,
  navPages,
  waitForContent,
} from '../src/web/testing/browser.js';
import type { BenchContext } from './run.js';

export default async function (ctx: BenchContext): Promise<void> {
  if (!haveChromium()) {
    ctx.report('skipped', 'no /usr/bin/chromium (apt-get install -y chromium)');
    return;
  }
  const t0 = performance.now();
  const built = await ensureWebBuild();
  if (built) ctx.report('cockpit build', (performance.now() - t0) / 1000, 's');

  const db = join(ctx.outDir, 'web-demo.duckdb');
  if (!existsSync(db)) {
    const demo = operations.find((o) => o.area === 'demo' && o.mode === 'write');
    const store = await openStore(db);
    try {
      if (demo) await demo.run(store, demo.params.parse({}), {});
    } finally {
      await store.close();
    }
  }
  const server = await startServer({
    db,
    dataDir: join(ctx.outDir, 'web-server'),
    host: '127.0.0.1',
    port: 0,
    localAdmin: true,
    staticDir: WEB_DIST,
    logLevel: 'warn',
    print: () => {},
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/`);
    await waitForContent(page);
    const pages = await navPages(page);
    ctx.report('pages', pages.length, '', pages.join(', '));
    for (const id of pages) {
      // a fresh load per page: the cold path a shared link takes (warm HTTP cache for static assets)
      const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await p.goto(`${server.url}/#/${id}`);
      const paint = await waitForContent(p);
      const calls = await apiCalls(p);
      const slowest = calls[0];
      ctx.report(
        `${id}: first meaningful paint`,
        Math.round(paint),
        'ms',
        slowest
          ? `slowest of ${calls.length} calls: ${Math.round(slowest.ms)} ms ${slowest.url.replace(/\?.*/, '')}`
          : 'no API call',
      );
      await p.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
