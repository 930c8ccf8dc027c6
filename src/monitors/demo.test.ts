import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoManifest, readManifest, sliceMatches } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import type { Store } from '../store/index.js';
import { type Alert, listAlerts } from './alerts.js';
import { RunMonitorsParams, runMonitors } from './run.js';
import { acceptProposals, listMonitors, type Monitor } from './stored.js';

/**
 * The demo company's monitor plants (src/demo/monitors.ts), read from its manifest: the default
 * monitors, run over the demo's history, raise each planted break within one period (a day) of its
 * date, and the decoy (a weekly Monday wave) raises nothing.
 */
const DAY = 86_400_000;
let db: Store;
let manifest: DemoManifest;
let monitors: readonly Monitor[];
let alerts: readonly Alert[];

beforeAll(async () => {
  db = await openDemoCopy();
  manifest = (await readManifest(db))!;
  await acceptProposals(db, { ids: [], all: true });
  monitors = await listMonitors(db);
  // judge every day after the detector's warm-up (seven weeks of the year of history)
  const r = await runMonitors(db, RunMonitorsParams.parse({ from: '2026-01-01', asOf: manifest.asOf }));
  expect(r.monitors.length).toBe(monitors.length);
  alerts = await listAlerts(db, { state: 'all', limit: 10_000 }, new Date(manifest.asOf));
}, 600_000);
afterAll(async () => {
  await db?.close();
});

const monitorsOf = (slice: Record<string, string>) =>
  monitors.filter((m) => sliceMatches({ slice }, m.slice as Record<string, string>)).map((m) => m.id);

describe('the demo company: default monitors find the planted breaks', () => {
  it('raises each planted break within one day of its date', () => {
    const plants = manifest.plants.filter((p) => p.analysis === 'monitors.run');
    expect(plants.length).toBeGreaterThanOrEqual(2);
    for (const plant of plants) {
      const ids = monitorsOf(plant.slice as Record<string, string>);
      expect(ids.length, plant.id).toBeGreaterThan(0);
      const at = plant.effect.at!;
      const hits = alerts.filter(
        (a) =>
          ids.includes(a.monitor) && Date.parse(a.periodStart) >= at && Date.parse(a.periodStart) <= at + DAY,
      );
      expect(hits.length, `${plant.id}: ${plant.description}`).toBeGreaterThan(0);
    }
  });

  it('raises nothing on the decoy (the weekly Monday wave)', () => {
    const plantWeeks = manifest.plants
      .filter((p) => p.analysis === 'monitors.run')
      .map((p) => [p.effect.at!, p.effect.at! + (p.effect.days! + 1) * DAY] as const);
    for (const decoy of manifest.decoys.filter((p) => p.analysis === 'monitors.run')) {
      const ids = monitorsOf(decoy.slice as Record<string, string>);
      const onDecoy = alerts.filter((a) => {
        const t = Date.parse(a.periodStart);
        return (
          ids.includes(a.monitor) &&
          new Date(t).getUTCDay() === decoy.effect.weekday &&
          !plantWeeks.some(([from, to]) => t >= from && t < to)
        );
      });
      expect(onDecoy.map((a) => a.id)).toEqual([]);
    }
  });

  it('keeps the false alarms of the default monitors rare', () => {
    // outside the planted weeks, alerts per monitor-week stay near the 1 % level (printed for the docs)
    const plantWeeks = manifest.plants
      .filter((p) => p.analysis === 'monitors.run')
      .map((p) => [p.effect.at!, p.effect.at! + (p.effect.days! + 1) * DAY] as const);
    const other = alerts.filter(
      (a) => !plantWeeks.some(([f, t]) => Date.parse(a.periodStart) >= f && Date.parse(a.periodStart) < t),
    );
    const weeks = (Date.parse(manifest.asOf) - Date.parse('2026-01-01')) / (7 * DAY);
    const episodes = new Set(other.map((a) => `${a.monitor}:${a.groupKey}`)).size;
    console.log(
      `monitors demo: ${monitors.length} default monitors, ${alerts.length} alerts, ${other.length} outside the planted weeks (${episodes} monitor-days; ${(episodes / (monitors.length * weeks)).toFixed(4)} per monitor-week)`,
    );
    expect(episodes / (monitors.length * weeks)).toBeLessThan(0.05);
  });
});
