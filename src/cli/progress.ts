import cliProgress from 'cli-progress';
import type { Progress } from '../core/operation.js';

/**
 * A progress bar on stderr for long work; silent when stderr is not a terminal (CI, pipes) except
 * for one line per phase.
 */
export function progressReporter(): { onProgress: (p: Progress) => void; stop: () => void } {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    onProgress: (p) => {
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        if (!tty) {
          process.stderr.write(`${p.phase}…\n`);
          return;
        }
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: `${p.phase.padEnd(24)} [{bar}] {percentage}% | {value}/{total} ${p.unit ?? ''} | {eta_formatted} left`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total ?? 0, p.done);
      }
      if (bar) {
        if (p.total !== undefined) bar.setTotal(p.total);
        bar.update(p.done);
      }
    },
  };
}
