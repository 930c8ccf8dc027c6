import { listAutomations, runEnabled } from '../automations/index.js';
import type { AnyOperation, OperationContext } from '../core/operation.js';
import { anyDue } from '../monitors/index.js';
import { deliverDue, deliveryOptionsFromEnv, recoverInterrupted } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { ServerState } from './state.js';
import type { Workspaces } from './workspaces.js';

/**
 * The one background loop of `touchpoint serve`: every few seconds, per registered workspace, its
 * tasks in order — the due monitors (docs/monitors.md, "Scheduler"), the enabled automations, then the
 * notification outbox, so an alert or a reminder raised in a tick leaves in the same tick. Each task
 * keeps its own cadence; started with the server, stopped before its workspaces close. Ticks never
 * overlap; a failing task is logged and retried at the next tick, the other workspaces still run.
 */
export interface BackgroundTask {
  readonly name: string;
  /** `write` commits through the workspace's single writer; `db` is for reads. */
  run(w: {
    readonly name: string;
    readonly db: Store;
    write<T>(fn: (db: Store) => Promise<T>): Promise<T>;
  }): Promise<void>;
}

export interface BackgroundLoop {
  /** Runs one tick now (tests, and `stop` waits for it). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** The outbox delivery task: recovers what a killed process left `sending`, then delivers what is due. */
export function deliveryTask(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BackgroundTask {
  const recovered = new Set<string>();
  const options = deliveryOptionsFromEnv(env);
  return {
    name: 'notify',
    async run(w) {
      if (!recovered.has(w.name)) {
        await w.write((db) => recoverInterrupted(db));
        recovered.add(w.name);
      }
      await deliverDue(w.db, { ...options, env, write: (fn) => w.write(fn) });
    },
  };
}

/** When the monitors run: every `intervalMs` (default 5 minutes; TOUCHPOINT_SCHEDULER_MS overrides it). */
export interface SchedulerOptions {
  readonly intervalMs?: number;
  /** The clock the runs read (tests pin it). */
  readonly now?: () => Date;
}

/**
 * The monitor scheduler: every `intervalMs` the due monitors of each workspace — those with a complete
 * period not judged yet — run through the workspace's write queue, as `monitors run --due` would. A
 * run is idempotent (a period fires once), so a tick that overlaps a cron `monitors run` or a restart
 * adds nothing twice; its new alerts are handed to the outbox (docs/monitors.md, "Delivery").
 */
export function monitorsTask(
  runDue: (db: Store, ctx: OperationContext) => Promise<{ newAlerts: number; monitors: readonly unknown[] }>,
  log: (line: string) => void,
  options: SchedulerOptions = {},
): BackgroundTask {
  const interval = options.intervalMs ?? 5 * 60_000;
  const last = new Map<string, number>();
  return {
    name: 'scheduler',
    async run(w) {
      const t = Date.now();
      if (t - (last.get(w.name) ?? -Infinity) < interval) return;
      last.set(w.name, t);
      // a read first: the writer (and the cached analyses' generation) moves only when there is work
      if (!(await anyDue(w.db, options.now?.() ?? new Date()))) return;
      const ctx = { actor: 'scheduler', workspace: w.name, ...(options.now ? { now: options.now } : {}) };
      const r = await w.write((db) => runDue(db, ctx));
      if (r.monitors.length > 0)
        log(
          `touchpoint: scheduler: ${w.name}: ${r.monitors.length} monitor(s) run, ${r.newAlerts} new alert(s)`,
        );
    },
  };
}

/**
 * The automations scheduler: every `intervalMs` (default 60 s, TOUCHPOINT_AUTOMATIONS_INTERVAL_MS)
 * each enabled rule acts on what happened since its last run, through the single writer. Runs before
 * delivery in a tick, so what a rule sends leaves in the same tick.
 */
export function automationsTask(
  intervalMs = Number(process.env.TOUCHPOINT_AUTOMATIONS_INTERVAL_MS) || 60_000,
): BackgroundTask {
  const last = new Map<string, number>();
  return {
    name: 'automations',
    async run(w) {
      const t = Date.now();
      if (t - (last.get(w.name) ?? 0) < intervalMs) return;
      last.set(w.name, t);
      if (!(await listAutomations(w.db)).some((a) => a.enabled)) return;
      await w.write((db) => runEnabled(db, new Date()));
    },
  };
}

export function startBackgroundLoop(opts: {
  readonly workspaces: Workspaces;
  /** Every registered workspace's name (a workspace with messages waiting is opened to send them). */
  readonly names: () => Promise<readonly string[]>;
  readonly tasks: readonly BackgroundTask[];
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}): BackgroundLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const once = async () => {
    for (const name of await opts.names()) {
      if (stopped) return;
      const ws = await opts.workspaces.get(name).catch(() => undefined);
      if (!ws) continue;
      for (const task of opts.tasks) {
        if (stopped) return;
        try {
          await task.run({ name, db: ws.db, write: (fn) => ws.write(fn) });
        } catch (e) {
          opts.log(
            `touchpoint: ${task.name} on workspace ${name}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
    }
  };
  const tick = (): Promise<void> => {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick().finally(schedule), opts.intervalMs);
    timer.unref();
  };
  // the first tick soon after start: what a killed predecessor left is sent without waiting
  timer = setTimeout(() => void tick().finally(schedule), Math.min(opts.intervalMs, 200));
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The server's loop with its standard tasks: the monitors (when the operation table has `monitors run`),
 * the automations and delivery, then any the caller adds; undefined when switched off.
 */
export function startServerBackground(o: {
  readonly ops: readonly AnyOperation[];
  readonly state: ServerState;
  readonly workspaces: Workspaces;
  readonly scheduler?: SchedulerOptions | false;
  readonly background?: false;
  readonly tasks?: readonly BackgroundTask[];
}): BackgroundLoop | undefined {
  if (o.background === false) return undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const monitorsRun = o.ops.find((op) => op.area === 'monitors' && op.verb === 'run');
  const envMs = Number(process.env.TOUCHPOINT_SCHEDULER_MS);
  const scheduler =
    monitorsRun && o.scheduler !== false
      ? {
          ...(Number.isFinite(envMs) && envMs > 0 ? { intervalMs: envMs } : {}),
          ...(o.scheduler ?? {}),
        }
      : undefined;
  const notifyMs = Number(process.env.TOUCHPOINT_NOTIFY_INTERVAL_MS) || 5000;
  return startBackgroundLoop({
    workspaces: o.workspaces,
    names: async () => (await o.state.workspaces()).map((w) => w.name),
    tasks: [
      ...(monitorsRun && scheduler
        ? [
            monitorsTask(
              (db, ctx) => monitorsRun.run(db, monitorsRun.params.parse({ due: true }), ctx),
              log,
              scheduler,
            ),
          ]
        : []),
      automationsTask(),
      deliveryTask(),
      ...(o.tasks ?? []),
    ],
    // a tick at least as often as the most frequent task wants one
    intervalMs: Math.min(notifyMs, scheduler?.intervalMs ?? notifyMs),
    log,
  });
}
