import { listAutomations, runEnabled } from '../automations/index.js';
import { deliverDue, deliveryOptionsFromEnv, recoverInterrupted } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { Workspaces } from './workspaces.js';

/**
 * Work the server does on its own every few seconds, per workspace: deliver the notification outbox
 * (and whatever else registers a task, e.g. automations). Started with the server, stopped before its
 * workspaces close. Ticks never overlap; a failing task is logged and retried at the next tick.
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

export interface DeliveryLoop {
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

export function startDeliveryLoop(opts: {
  readonly workspaces: Workspaces;
  /** Every registered workspace's name (a workspace with messages waiting is opened to send them). */
  readonly names: () => Promise<readonly string[]>;
  readonly tasks: readonly BackgroundTask[];
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}): DeliveryLoop {
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
