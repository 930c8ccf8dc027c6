import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readManifest } from '../demo/index.js';
import { operations } from '../operations.js';
import { openStore, type Store } from '../store/index.js';
import { buildWeb, WEB_DIST, webBuildIsStale } from '../web/build.js';
import type { GlobalOptions } from './main.js';
import { progressReporter } from './progress.js';
import { renderSections } from './render.js';

/** Analyses whose findings the cockpit's pages show, run with the demo's own even without a plant. */
const COCKPIT_ANALYSES = ['cases.inflow', 'cases.communication'];

/**
 * Runs, once, the analyses the demo's plants are meant for (from its manifest: `journey.pain-points`
 * → `touchpoint journey pain-points`, …) and creates the follow-up queue, so the cockpit opens with
 * findings. An analysis that is not part of this build, or fails, is reported and skipped.
 */
export async function runDemoAnalyses(
  store: Store,
  say: (line: string) => void,
  only: (analysis: string) => boolean = () => true,
): Promise<void> {
  const manifest = await readManifest(store);
  if (!manifest) return;
  const names = [
    ...new Set([...manifest.plants, ...manifest.decoys].map((p) => p.analysis).concat(COCKPIT_ANALYSES)),
  ].filter(only);
  const targets = names.flatMap((name) => {
    const dot = name.indexOf('.');
    const op = operations.find(
      (o) => o.area === name.slice(0, dot) && o.verb === name.slice(dot + 1) && o.mode === 'write',
    );
    return op ? [op] : [];
  });
  const sync = operations.find((o) => o.area === 'feedback' && o.verb === 'follow-ups-sync');
  if (sync) targets.push(sync);
  for (const op of targets) {
    const t0 = performance.now();
    try {
      await op.run(store, op.params.parse({}), { actor: 'cli', log: () => {} });
      say(`touchpoint: ran ${op.area} ${op.verb} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      say(`touchpoint: skipped ${op.area} ${op.verb}: ${(e as Error).message}`);
    }
  }
}

/**
 * `touchpoint start`, the main job behind `npm start`: build the cockpit when missing or stale,
 * generate the demo company when the workspace file does not exist (reused afterwards), print the
 * summary, then serve the cockpit on loopback signed in as local admin and print its URL.
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
    .action(async (o: { port: string; host: string; openSummary: boolean }) => {
      const db = globals().db;
      const say = (line: string) => process.stdout.write(`${line}\n`);

      if (webBuildIsStale()) {
        say('touchpoint: building the cockpit (dist/web)…');
        const t0 = performance.now();
        await buildWeb();
        say(`touchpoint: cockpit built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }

      if (!existsSync(db)) {
        const demo =
          operations.find(
            (op) => op.area === 'demo' && op.mode === 'write' && /generate|create|run/.test(op.verb),
          ) ?? operations.find((op) => op.area === 'demo' && op.mode === 'write');
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
      if (summary && o.openSummary) {
        const store = await openStore(db);
        try {
          const params = summary.params.parse({});
          const result = await summary.run(store, params, { actor: 'cli' });
          say(
            summary.present
              ? renderSections(summary.present(result, params))
              : JSON.stringify(result, null, 2),
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
        port: Number(o.port),
        localAdmin: true,
        staticDir: WEB_DIST,
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
