import type { Command } from 'commander';
import type { GlobalOptions } from './main.js';
import { parseLogFormat, prettyRequestLog } from './request-log.js';
import { checkPortFree, registerStart } from './start.js';

/**
 * Commands that belong to an edge rather than to one capability: `start` (the main job) and
 * `serve`. Each is a few lines that call capability functions; heavy modules load in the action.
 */
export function registerEdgeCommands(program: Command, globals: () => GlobalOptions): void {
  registerStart(program, globals);
  registerServe(program);
}

/** `touchpoint serve`: the HTTP server (src/server); runs until SIGINT/SIGTERM, then drains and exits. */
function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the API (ingest, analyses, admin) over HTTP; workspaces live in --data-dir')
    .option('--port <n>', 'port (0 picks a free one)', '4680')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'server data: server.duckdb and workspaces/*.duckdb',
      process.env.TOUCHPOINT_DATA_DIR,
    )
    .option(
      '--cors-origin <origins>',
      'allow these origins (comma-separated) to call the API from a browser; off by default',
    )
    .option(
      '--trust-proxy <addresses>',
      'reverse proxies (comma-separated addresses or CIDRs) whose X-Forwarded-For names the client',
    )
    .option(
      '--log-level <level>',
      'info logs every request, warn only problems',
      process.env.TOUCHPOINT_LOG_LEVEL,
    )
    .option('--log-format <format>', 'pretty (one line per request) or json [default: pretty on a terminal]')
    .action(
      async (o: {
        port: string;
        host: string;
        dataDir?: string;
        corsOrigin?: string;
        trustProxy?: string;
        logLevel?: string;
        logFormat?: string;
      }) => {
        const logFormat = parseLogFormat(o.logFormat);
        await checkPortFree(Number(o.port), o.host);
        const { startServer } = await import('../server/index.js');
        const db = program.opts<{ db?: string }>().db ?? process.env.TOUCHPOINT_DB;
        const server = await startServer({
          port: Number(o.port),
          host: o.host,
          dataDir: o.dataDir,
          db,
          logLevel: o.logLevel,
          warm: true,
          corsOrigins: o.corsOrigin
            ?.split(',')
            .map((x) => x.trim())
            .filter(Boolean),
          trustProxy: o.trustProxy
            ?.split(',')
            .map((x) => x.trim())
            .filter(Boolean),
          ...(logFormat === 'pretty' ? { logStream: prettyRequestLog() } : {}),
        });
        await new Promise<void>((done) => {
          const stop = () => void server.close().then(done, done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
