import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileInputs } from '../cli/main.js';
import { TouchpointError } from '../core/errors.js';
import { type Store, withTestDb } from '../store/index.js';
import { type CheckParams, checkJourney, checkOperation } from './check.js';
import { addEvents } from './fixtures.test-helpers.js';

const DRAWING = `
stages:
  - name: buy
    touchpoints: [search, cart]
    channels: [web]
    maxDays: 1
  - name: care
    touchpoints: [chat]
`;

async function fixture(db: Store): Promise<void> {
  await addEvents(db, [
    { customer: 'k1', touchpoint: 'search', at: '2026-01-01T10:00:00Z' },
    { customer: 'k1', touchpoint: 'cart', at: '2026-01-01T12:00:00Z' },
    { customer: 'k2', touchpoint: 'search', channel: 'app', at: '2026-01-01T10:00:00Z' },
    { customer: 'k2', touchpoint: 'ad', at: '2026-01-01T11:00:00Z' },
    { customer: 'k2', touchpoint: 'cart', at: '2026-01-03T10:00:00Z' },
    { customer: 'k3', touchpoint: 'cart', at: '2026-01-02T10:00:00Z' },
    { customer: 'k3', touchpoint: 'search', at: '2026-01-02T12:00:00Z' },
    { customer: 'k4', touchpoint: 'search', at: '2026-01-05T10:00:00Z' },
    { customer: 'k5', touchpoint: 'call', channel: 'phone', at: '2026-01-05T10:00:00Z' },
  ]);
}

describe('checkJourney', () => {
  it('measures fitness, duration, channels, deviations and usage per drawn stage', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await checkJourney(db, { drawing: DRAWING });
      const buy = r.stages[0]!;
      // k1 fits; k2 completes in 48 h (slower than 1 day); k3 in the wrong order; k4 stops at search
      expect([buy.people, buy.completed, buy.fitness.k, buy.fitness.n, buy.slower]).toEqual([4, 2, 1, 4, 1]);
      expect([buy.medianDays, buy.p90Days, buy.slowerThanAssumed]).toEqual([1.042, 1.808, true]);
      expect([buy.offChannelShare, buy.offChannels]).toEqual([0.1429, [{ channel: 'app', events: 1 }]]);
      expect(buy.deviations).toEqual([
        { path: ['cart', 'search'], people: 1 },
        { path: ['search'], people: 1 },
        { path: ['search', 'cart'], people: 1 },
      ]);
      expect(buy.usage).toEqual([
        { touchpoint: 'search', people: 4 },
        { touchpoint: 'cart', people: 3 },
      ]);
      expect(r.stages[1]!.people).toBe(0);
      expect(r.unused).toEqual(['chat']);
      expect(r.missingFromDrawing).toEqual([
        { touchpoint: 'ad', people: 1 },
        { touchpoint: 'call', people: 1 },
      ]);
    });
  });

  it('never opens a path itself: the CLI edge reads the file into drawing and errors name the file', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // an in-process caller (no edge) that names a path gets no file read
      const refused = await checkJourney(db, { file: '/etc/hostname' }).catch((x: unknown) => x);
      expect(refused).toBeInstanceOf(TouchpointError);
      expect((refused as TouchpointError).details[0]).toMatchObject({ field: 'drawing' });

      const dir = mkdtempSync(join(tmpdir(), 'tp-check-'));
      const good = join(dir, 'j.json');
      writeFileSync(good, JSON.stringify({ stages: [{ name: 'buy', touchpoints: ['search', 'cart'] }] }));
      const r = await checkJourney(db, readFileInputs(checkOperation, { file: good }) as CheckParams);
      // without maxDays, completing in any time fits
      expect(r.stages[0]!.fitness.k).toBe(2);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'stages:\n  - name: buy\n    touchpoints: []\n');
      const e = await checkJourney(db, readFileInputs(checkOperation, { file: bad }) as CheckParams).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(TouchpointError);
      expect((e as TouchpointError).message).toMatch(/stages\.0\.touchpoints/);
      expect((e as TouchpointError).details[0]).toMatchObject({ file: bad, field: 'stages.0.touchpoints' });
      const missing = (() => {
        try {
          return readFileInputs(checkOperation, { file: join(dir, 'nope.yaml') });
        } catch (x) {
          return x;
        }
      })();
      expect((missing as TouchpointError).code).toBe('not_found');
    });
  });
});
