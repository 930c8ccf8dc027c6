import type { OperationContext } from '../core/operation.js';
import type { Store } from '../store/index.js';
import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

/**
 * The scheduler inside `touchpoint serve` (docs/monitors.md, "Scheduler"): every `intervalMs` it runs
 * the due monitors of each workspace — those with a complete period not judged yet — through the
 * workspace's write queue, as `monitors run --due` would. A run is idempotent (a period fires once),
 * so a tick that overlaps a cron `monitors run` or a restart adds nothing twice. A workspace whose
 * run fails is logged and retried on the next tick; the others still run.
 */
export interface SchedulerOptions {
  /** Milliseconds between ticks (default 5 minutes; TOUCHPOINT_SCHEDULER_MS overrides it). */
  readonly intervalMs?: number;
  /** The clock the runs read (tests pin it). */
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

export interface Scheduler {
  /** Runs one tick now (and waits for it). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(
  state: ServerState,
  workspaces: Workspaces,
  runDue: (db: Store, ctx: OperationContext) => Promise<{ newAlerts: number; monitors: readonly unknown[] }>,
  options: SchedulerOptions = {},
): Scheduler {
  const interval = options.intervalMs ?? 5 * 60_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let running: Promise<void> | undefined;
  let stopped = false;
  const once = async () => {
    for (const w of await state.workspaces()) {
      if (stopped) return;
      try {
        const ws = await workspaces.get(w.name);
        const r = await ws.write((db) =>
          runDue(db, { actor: 'scheduler', workspace: w.name, ...(options.now ? { now: options.now } : {}) }),
        );
        if (r.monitors.length > 0)
          log(
            `touchpoint: scheduler: ${w.name}: ${r.monitors.length} monitor(s) run, ${r.newAlerts} new alert(s)`,
          );
      } catch (e) {
        log(`touchpoint: scheduler: ${w.name}: ${(e as Error).message}`);
      }
    }
  };
  const tick = (): Promise<void> => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void tick(), interval);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
