import type { Progress } from '../core/operation.js';

/** Work shorter than this shows no bar at all. */
export const SHOW_AFTER_MS = 700;

export interface ProgressOptions {
  /** Draw on this stream (default stderr). */
  readonly stream?: NodeJS.WriteStream;
  /** Force drawing (tests); default: only when the stream is a terminal. */
  readonly tty?: boolean;
  readonly showAfterMs?: number;
  readonly now?: () => number;
}

/**
 * A progress bar on stderr for long work: nothing when the stream is not a terminal (CI, pipes,
 * logs), nothing for work shorter than {@link SHOW_AFTER_MS}. With a known total it shows the
 * percentage and the count (the total grows when the work reports more done than announced, so it
 * never reads 120 %); without one, only the count so far.
 */
export function progressReporter(options: ProgressOptions = {}): {
  onProgress: (p: Progress) => void;
  stop: () => void;
} {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const showAfter = options.showAfterMs ?? SHOW_AFTER_MS;
  const now = options.now ?? (() => performance.now());
  // biome-ignore lint/suspicious/noExplicitAny: cli-progress is loaded only when a bar is drawn
  let bar: any;
  let phase = '';
  let phaseStart = 0;
  let withTotal = false;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  let lib: typeof import('cli-progress') | undefined;
  const loading = tty ? import('cli-progress').then((m) => (lib = m.default ?? m)) : undefined;
  void loading?.catch(() => {});
  const draw = (p: Progress) => {
    if (!lib) return;
    const total = p.total === undefined ? undefined : Math.max(p.total, p.done);
    if (!bar || withTotal !== (total !== undefined)) {
      stop();
      withTotal = total !== undefined;
      const unit = p.unit ? ` ${p.unit}` : '';
      bar = new lib.SingleBar(
        {
          stream,
          format: withTotal
            ? `${p.phase.padEnd(28)} [{bar}] {percentage}% | {value}/{total}${unit} | {eta_formatted} left`
            : `${p.phase.padEnd(28)} {value}${unit} so far`,
          hideCursor: true,
          clearOnComplete: true,
          formatValue: (v: number, _o: unknown, type: string) =>
            type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v),
        },
        lib.Presets.shades_classic,
      );
      bar.start(total ?? 0, p.done);
    }
    if (total !== undefined) bar.setTotal(total);
    bar.update(p.done);
  };
  return {
    stop,
    onProgress: (p) => {
      if (!tty) return;
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        phaseStart = now();
      }
      if (bar || now() - phaseStart >= showAfter) draw(p);
    },
  };
}
