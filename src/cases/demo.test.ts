import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantsFor, readManifest, sliceMatches } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import type { StoredFinding } from '../findings/index.js';
import type { Store } from '../store/index.js';
import { CommunicationParams, getCommunication } from './communication.js';
import { getHandoffs, HandoffsParams } from './handoffs.js';
import { getLevers, LeversParams } from './levers.js';
import { getPingPong, PingPongParams } from './ping-pong.js';

/** The demo company's planted case problems are found, its decoys are not ranked (DESIGN.md §4). */
let db: Store;
beforeAll(async () => {
  db = await openDemoCopy();
});
afterAll(async () => {
  await db?.close();
});

const rankOf = (findings: readonly StoredFinding[], slice: Record<string, string>) =>
  findings.findIndex((f) => sliceMatches({ slice }, f.slice));

describe('cases on the demo company', () => {
  it('ranks the ping-pong plant in the top 3 and keeps the high-volume decoy out of the top 5', async () => {
    const manifest = (await readManifest(db))!;
    const { plants, decoys } = plantsFor(manifest, 'cases.ping-pong');
    expect(plants.length).toBeGreaterThan(0);
    const r = await getPingPong(db, PingPongParams.parse({}));
    const ranked = r.findings.filter((f) => f.analysis === 'cases.ping-pong');
    for (const p of plants) {
      const at = rankOf(ranked, p.slice);
      expect(at, `${p.id} at ${at}`).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(3);
    }
    for (const d of decoys) {
      const at = rankOf(ranked, d.slice);
      expect(at === -1 || at >= 5, `${d.id} at ${at}`).toBe(true);
    }
    // the decoy really is the highest-volume reason: a naive count would rank it first
    const h = await getHandoffs(db, HandoffsParams.parse({}));
    expect(h.groups[0]!.key).toBe(decoys[0]!.slice.reason);
  });

  it('ranks the levers plant in the top 3 and keeps the decoy out of the top 5', async () => {
    const manifest = (await readManifest(db))!;
    const { plants, decoys } = plantsFor(manifest, 'cases.levers');
    const r = await getLevers(db, LeversParams.parse({}));
    for (const p of plants) {
      const at = rankOf(r.findings, p.slice);
      expect(
        at,
        `${p.id} at ${at}: ${r.findings.map((f) => `${f.kind}/${f.slice.reason}`).join(', ')}`,
      ).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(3);
    }
    for (const d of decoys) {
      const at = rankOf(r.findings.slice(0, 5), d.slice);
      expect(at, `${d.id}: ${r.findings.map((f) => `${f.kind}/${f.slice.reason}`).join(', ')}`).toBe(-1);
    }
  });

  it('finds that late updates go with lower CSAT, stratified by reason', async () => {
    const manifest = (await readManifest(db))!;
    const { plants } = plantsFor(manifest, 'cases.communication');
    const r = await getCommunication(db, CommunicationParams.parse({}));
    expect(r.csat.source).toBe('case_id');
    expect(r.csat.difference.high!).toBeLessThan(0);
    for (const p of plants) expect(rankOf(r.findings, p.slice)).toBe(0);
  });
});
