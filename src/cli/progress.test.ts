import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.js';

/** A fake terminal stream that records what is drawn. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 120,
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

const tick = () => new Promise((r) => setTimeout(r, 50));

describe('progress (#17.11)', () => {
  it('is silent when the stream is not a terminal, even on long work', async () => {
    const s = sink(false);
    let t = 0;
    const p = progressReporter({ stream: s.stream, now: () => t });
    for (let i = 0; i <= 10; i++) {
      t += 1000;
      p.onProgress({ phase: 'importing', done: i, total: 10, unit: 'rows' });
    }
    p.stop();
    expect(s.text()).toBe('');
  });

  it('draws nothing for short work on a terminal', async () => {
    const s = sink(true);
    const p = progressReporter({ stream: s.stream, now: () => 0 });
    await tick();
    p.onProgress({ phase: 'importing', done: 1, total: 2 });
    p.onProgress({ phase: 'importing', done: 2, total: 2 });
    p.stop();
    expect(s.text()).toBe('');
  });

  it('on long work shows the count against a total that grows past the announced one', async () => {
    const s = sink(true);
    let t = 0;
    const p = progressReporter({ stream: s.stream, now: () => t, showAfterMs: 700 });
    await tick(); // cli-progress loads on first use
    p.onProgress({ phase: 'importing', done: 0, total: 1000, unit: 'rows' });
    t = 800;
    p.onProgress({ phase: 'importing', done: 1200, total: 1000, unit: 'rows' });
    p.stop();
    const text = s.text();
    expect(text).toMatch(/importing .*100% \| 1,200\/1,200 rows/);
    expect(text).not.toMatch(/12\d%/);
  });
});
