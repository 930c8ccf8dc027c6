import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { TouchpointError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import type { GlobalOptions } from './main.js';
import { parseLogFormat, prettyRequestLog } from './request-log.js';
import { checkWorkspace } from './workspace.js';

/**
 * Analyses whose findings the cockpit's pages show, run with the demo's own even without a plant;
 * last, the business case (money on every finding just made) and the 4 P's audit that gathers them.
 */
const COCKPIT_ANALYSES = ['cases.inflow', 'cases.communication', 'health.business-case', 'audit.run'];

/**
 * Runs, once, the analyses the demo's plants are meant for (from its manifest: `journey.pain-points`
 * → `touchpoint journey pain-points`, …) with `write: true`, and creates the follow-up queue, so the
 * cockpit opens with findings. An analysis that is not part of this build, or fails, is reported and
 * skipped.
 */
export async function runDemoAnalyses(
  store: Store,
  say: (line: string) => void,
  only: (analysis: string) => boolean = () => true,
): Promise<void> {
  const [{ readManifest }, { operations }] = await Promise.all([
    import('../demo/index.js'),
    import('../operations.js'),
  ]);
  const manifest = await readManifest(store);
  if (!manifest) return;
  const names = [
    ...new Set([...manifest.plants, ...manifest.decoys].map((p) => p.analysis).concat(COCKPIT_ANALYSES)),
  ].filter(only);
  const targets = names.flatMap((name) => {
    const dot = name.indexOf('.');
    const op = operations.find(
      (o) =>
        o.area === name.slice(0, dot) &&
        o.verb === name.slice(dot + 1) &&
        (o.mode === 'write' || 'write' in o.params.shape),
    );
    return op ? [op] : [];
  });
  const sync = operations.find((o) => o.area === 'feedback' && o.verb === 'follow-ups-sync');
  if (sync) targets.push(sync);
  for (const op of targets) {
    const t0 = performance.now();
    try {
      const params = op.params.parse('write' in op.params.shape ? { write: true } : {});
      await op.run(store, params, { actor: 'cli', log: () => {} });
      say(`touchpoint: ran ${op.area} ${op.verb} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      say(`touchpoint: skipped ${op.area} ${op.verb}: ${(e as Error).message}`);
    }
  }
}

/**
 * Fails with one line when `host:port` cannot be listened on (in use, not allowed), before any
 * work is done; port 0 (any free port) always can.
 */
export async function checkPortFree(port: number, host: string): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TouchpointError('invalid_input', `--port: expected a port number 0–65535, got ${port}`);
  if (port === 0) return;
  await new Promise<void>((ok, fail) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new TouchpointError(
          e.code === 'EADDRINUSE' ? 'conflict' : 'unavailable',
          e.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is in use (another Touchpoint?): stop it, or give --port N (or PORT=N; 0 picks a free one)`
            : `cannot listen on ${host}:${port} (${e.code ?? e.message}): give another --port`,
        ),
      ),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => ok()));
  });
}

/**
 * `touchpoint start`, the main job behind `npm start`: check the port, build the cockpit when
 * missing or stale, generate the demo company into a workspace it creates (a missing --db file;
 * reused afterwards), print the summary, then serve the cockpit on loopback signed in as local admin.
 */
export function registerStart(program: Command, globals: () => GlobalOptions): void {
  program
    .command('start')
    .description(
      'Build the cockpit if needed, create the demo workspace if none exists, and serve it on this machine',
    )
    .option('--port <n>', 'port (0 picks a free one)', process.env.PORT ?? '4680')
    .option(
      '--host <host>',
      'interface to listen on; on a non-loopback host everyone signs in (no local admin)',
      '127.0.0.1',
    )
    .option('--no-open-summary', 'do not print the workspace summary')
    .option(
      '--log-format <format>',
      'server log: pretty (one line per request) or json [default: pretty on a terminal]',
    )
    .action(async (o: { port: string; host: string; openSummary: boolean; logFormat?: string }) => {
      const db = globals().db;
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const port = Number(o.port);
      const logFormat = parseLogFormat(o.logFormat);
      await checkPortFree(port, o.host);
      checkWorkspace(db, true);

      const { buildWeb, WEB_DIST, webBuildIsStale } = await import('../web/build.js');
      if (webBuildIsStale()) {
        say('touchpoint: building the cockpit (dist/web)…');
        const t0 = performance.now();
        await buildWeb();
        say(`touchpoint: cockpit built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }

      const [{ operations }, { openStore }, { progressReporter }, { renderSections }] = await Promise.all([
        import('../operations.js'),
        import('../store/index.js'),
        import('./progress.js'),
        import('./render.js'),
      ]);
      if (!existsSync(db)) {
        const demo = operations.find((op) => op.area === 'demo' && op.verb === 'generate');
        const store = await openStore(db);
        try {
          if (demo) {
            say(`touchpoint: no workspace at ${db}; generating the demo company (reused on later starts)…`);
            const progress = progressReporter();
            const t0 = performance.now();
            await demo.run(store, demo.params.parse({}), {
              onProgress: progress.onProgress,
              log: (l) => process.stderr.write(`${l}\n`),
              actor: 'cli',
            });
            progress.stop();
            say(`touchpoint: demo ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
            await runDemoAnalyses(store, say);
          } else
            say(
              `touchpoint: created an empty workspace at ${db} (the demo generator is not part of this build)`,
            );
        } finally {
          await store.close();
        }
      }

      const summary = operations.find((op) => op.area === 'overview' && op.verb === 'summary');
      if (summary) {
        const store = await openStore(db);
        try {
          const params = summary.params.parse({});
          const result = (await summary.run(store, params, { actor: 'cli' })) as {
            counts?: Record<string, number>;
          };
          if (o.openSummary)
            say(
              summary.present
                ? renderSections(summary.present(result, params))
                : JSON.stringify(result, null, 2),
            );
          if (Object.values(result.counts ?? {}).every((n) => !n))
            say(
              `touchpoint: the workspace ${db} is empty: load your data with touchpoint import <kind> FILE --db ${db}, or start with another --db (a new file gets the demo company)`,
            );
        } finally {
          await store.close();
        }
      }

      const { startServer } = await import('../server/index.js');
      const server = await startServer({
        db,
        // server state (users, keys, sessions) beside the workspace, in the git-ignored .touchpoint/
        dataDir: process.env.TOUCHPOINT_DATA_DIR ?? join(dirname(resolve(db)), '.touchpoint'),
        host: o.host,
        port,
        localAdmin: true,
        staticDir: WEB_DIST,
        // the cockpit's analyses computed ahead, and again after each write (first paint < 1 s)
        warm: true,
        ...(logFormat === 'pretty' ? { logStream: prettyRequestLog() } : {}),
      });
      say('');
      say(`  Touchpoint cockpit: ${server.url}/`);
      say(
        server.localAdmin
          ? '  (signed in as local admin on this machine; Ctrl+C stops)'
          : '  (sign in with a user account: local admin is only for a loopback host; Ctrl+C stops)',
      );
      await new Promise<void>((done) => {
        const stop = () => void server.close().then(done, done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
