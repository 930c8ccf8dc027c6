import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantsFor, readManifest, sliceMatches } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import type { Store } from '../store/index.js';
import { ALL, nestedDifferences } from './anonymity.js';
import { getLink, LinkParams } from './link.js';
import { getPulse, PULSE_QUESTIONS, PulseParams, pulseLattice } from './pulse.js';
import { readPeopleSettings } from './settings.js';

/** People analyses on the demo company: the planted team is found, the decoy is not, anonymity holds. */
let db: Store;
beforeAll(async () => {
  db = await openDemoCopy();
});
afterAll(async () => {
  await db?.close();
});

describe('people on the demo company', () => {
  it('ranks the low-pulse team whose customers fare worse first and keeps the low-pulse decoy out of the top 3', async () => {
    const manifest = (await readManifest(db))!;
    const { plants, decoys } = plantsFor(manifest, 'people.link');
    expect(plants.length).toBe(1);
    expect(decoys.length).toBe(1);
    const r = await getLink(db, LinkParams.parse({}));
    const at = (slice: Record<string, string>) =>
      r.findings.findIndex((f) => sliceMatches({ slice }, f.slice));
    expect(at(plants[0]!.slice), JSON.stringify(r.findings.map((f) => [f.slice, f.score]))).toBe(0);
    const d = at(decoys[0]!.slice);
    expect(d === -1 || d >= 3, `decoy at ${d}`).toBe(true);
    // the decoy's pulse really is as low as the plant's: a pulse-only ranking would put it on top
    const byPulse = r.teams
      .filter((t) => t.enps.value !== null)
      .sort((a, b) => a.enps.value! - b.enps.value!)
      .map((t) => t.team);
    expect(new Set(byPulse.slice(0, 2))).toEqual(new Set([plants[0]!.slice.team, decoys[0]!.slice.team]));
    const top = r.findings[0]!;
    expect(top).toMatchObject({ p: 'people', kind: 'team-pulse', ownerTeam: plants[0]!.slice.team });
    expect(top.ciLow).toBeLessThan(top.value!);
    // the training pulse goes with CSAT at case level (planted through the plant team), with an interval
    const training = r.associations.find((a) => a.question === 'training' && a.lever === null)!;
    expect(training.clusters).toBeGreaterThan(5);
    expect(training.low).not.toBeNull();
    expect(r.associations.filter((a) => a.lever !== null).map((a) => a.lever)).toEqual([
      'empower',
      'train',
      'automate',
      'access',
      'own-it',
    ]);
  });

  it('every published pulse figure on the demo: no nested difference under the minimum, small teams withheld', async () => {
    const settings = await readPeopleSettings(db);
    for (const q of PULSE_QUESTIONS) {
      const { answers, cells } = await pulseLattice(db, q, settings);
      const bad = nestedDifferences(answers, cells).filter(
        (d) => d.respondents > 0 && d.respondents < settings.minGroup,
      );
      expect(bad, q).toEqual([]);
    }
    const r = await getPulse(db, PulseParams.parse({ level: 'month', subgroups: true }));
    expect(
      r.cells.some((c) => c.status === 'fewer than 5' && c.value === null && c.respondents === null),
    ).toBe(true);
    expect(r.cells.some((c) => c.status === 'published' && c.team !== ALL)).toBe(true);
    for (const c of r.cells) if (c.status === 'published') expect(c.respondents).toBeGreaterThanOrEqual(5);
    // comments: only team-quarters of at least 8 respondents, and no author anywhere in the answer
    expect(r.comments.some((c) => c.comments.length > 0)).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/emp-/);
  });
});
