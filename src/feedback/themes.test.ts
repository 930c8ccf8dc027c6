import { describe, expect, it } from 'vitest';
import { listFindings } from '../findings/index.js';
import { sql, withTestDb } from '../store/index.js';
import { analyzeText } from './analyze-text.js';
import { insertFeedback } from './fixtures.js';
import { loadTaxonomy, saveTaxonomy, taxonomyFromYaml, taxonomyToYaml } from './taxonomy.js';
import { topicComments } from './theme-fixture.js';
import { getThemes } from './themes.js';
import { discoverThemes, themeAssigner } from './themes-model.js';

const NEW_TOPIC = [
  'The invoice had the wrong billing address on it',
  'Billing address on my invoice is wrong again',
  'Invoice shows an old billing address',
];

describe('theme discovery', () => {
  it('puts held-out paraphrases in the theme of their topic, one theme per topic', () => {
    const { taxonomy } = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    const a = themeAssigner(taxonomy, 'active');
    const held = topicComments(10, [3, 4]);
    const byTopic = new Map<string, Set<string>>();
    for (const c of held) {
      const t = a.assign(c.text)[0] ?? '(none)';
      byTopic.set(c.topic, (byTopic.get(c.topic) ?? new Set()).add(t));
    }
    // each topic maps to exactly one theme and topics map to different themes
    expect([...byTopic.values()].map((s) => s.size)).toEqual([1, 1, 1, 1]);
    expect(new Set([...byTopic.values()].map((s) => [...s][0])).size).toBe(4);
    const returnFee = [...byTopic.get('returnFee')!][0]!;
    expect(returnFee.startsWith('policy.')).toBe(true);
    expect([...byTopic.get('rudeAgent')!][0]!.startsWith('people.')).toBe(true);
  });

  it('is deterministic, and re-running on new data keeps every id and proposes only new topics', () => {
    const first = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    const again = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    expect(again.taxonomy).toEqual(first.taxonomy);
    // the user renames a theme; new comments on a new topic arrive
    const edited = {
      ...first.taxonomy,
      themes: first.taxonomy.themes.map((t, i) =>
        i === 0 ? { ...t, name: 'Renamed by a person', status: 'accepted' as const } : t,
      ),
    };
    const more = [
      ...topicComments(30, [0, 1, 2, 3, 4]),
      ...Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, text: `${NEW_TOPIC[i % 3]} (order ${i})` })),
    ];
    const second = discoverThemes(more, edited);
    expect(second.taxonomy.themes.slice(0, edited.themes.length)).toEqual(edited.themes);
    expect(second.proposals.length).toBe(1);
    expect(second.proposals[0]!.keywords.join(' ')).toMatch(/invoice|billing/);
  });
});

describe('discovery in analyze-text (issue 25.3): by centroid, seeded, never touching existing ids', () => {
  it('is the same for the same seed, and analyze-text --discover assigns a new topic by centroid without saving or renaming', async () => {
    const a = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] }, { seed: 7 });
    const b = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] }, { seed: 7 });
    expect(b).toEqual(a); // proposals, centroids and idf included
    expect(a.proposals.length).toBeGreaterThan(0);
    for (const p of a.proposals) expect(Object.keys(p.centroid).length).toBeGreaterThan(0);

    const first = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    const edited = {
      ...first.taxonomy,
      themes: first.taxonomy.themes.map((t, i) =>
        i === 0 ? { ...t, name: 'Renamed by a person', status: 'accepted' as const } : t,
      ),
    };
    const rows = [
      ...topicComments(30, [0, 1, 2]),
      ...Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, text: `${NEW_TOPIC[i % 3]} (order ${i})` })),
    ];
    const text = `id,comment\n${rows.map((r) => `${r.id},"${r.text.replace(/"/g, '""')}"`).join('\n')}\n`;
    await withTestDb(async (db) => {
      await saveTaxonomy(db, edited);
      const run = (discover: boolean) =>
        analyzeText(db, { file: 'new.csv', text, textColumn: 'comment', idColumn: 'id', discover, seed: 3 });
      const plain = await run(false);
      expect(plain.discovered).toEqual([]);
      const r = await run(true);
      expect(r.themesFrom).toBe('workspace + this file');
      expect(r.discovered).toHaveLength(1);
      const d = r.discovered[0]!;
      expect(d.keywords.join(' ')).toMatch(/invoice|billing/);
      expect(d.examples.length).toBeGreaterThan(0);
      expect(d.negativeInterval[0]).toBeLessThanOrEqual(d.negativeShare);
      expect(d.negativeInterval[1]).toBeGreaterThanOrEqual(d.negativeShare);
      // every comment on the new topic is in it, first; no comment of an old topic is
      const byId = new Map(r.records.map((x) => [x.id, x]));
      for (let i = 0; i < 40; i++) expect(byId.get(`n${i}`)!.themes[0]).toBe(d.id);
      expect(d.comments).toBe(40);
      // a one-off file: nothing saved, no existing id renamed or dropped
      expect(await loadTaxonomy(db)).toEqual(edited);
      expect(edited.themes.some((t) => t.id === d.id)).toBe(false);
      // the same seed, the same answer
      expect((await run(true)).records).toEqual(r.records);
    });
  });
});

describe('taxonomy YAML', () => {
  it('round-trips and names line and field of a bad entry', () => {
    const { taxonomy } = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    expect(taxonomyFromYaml(taxonomyToYaml(taxonomy))).toEqual(taxonomy);
    const bad = 'version: 1\nthemes:\n  - id: policy.fee\n    p: policy\n    name: Fee\n    keywords: []\n';
    expect(() => taxonomyFromYaml(bad, 'tax.yaml')).toThrow(/tax\.yaml:6: themes\.0\.keywords/);
  });

  it('refuses to drop an existing theme id', async () => {
    await withTestDb(async (db) => {
      const { taxonomy } = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
      await saveTaxonomy(db, taxonomy);
      await expect(saveTaxonomy(db, { ...taxonomy, themes: taxonomy.themes.slice(1) })).rejects.toThrow(
        /permanent/,
      );
      expect(await loadTaxonomy(db)).toEqual(taxonomy);
    });
  });
});

describe('getThemes', () => {
  it('computes per-theme figures and writes negative themes as findings', async () => {
    await withTestDb(async (db) => {
      const comments = topicComments(40, [0, 1, 2, 3, 4]);
      await insertFeedback(
        db,
        comments.map((c, i) => ({
          id: c.id,
          comment: c.text,
          score: c.topic === 'returnFee' ? (i % 4 === 0 ? 7 : 2) : i % 2 === 0 ? 10 : 8,
          touchpoint: c.topic === 'returnFee' ? 'returns' : 'checkout',
        })),
      );
      await insertFeedback(
        db,
        Array.from({ length: 40 }, (_, i) => ({
          id: `p${i}`,
          comment: 'Great service, quick and friendly, thank you!',
          score: 10,
        })),
      );
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('returns', '*', 'returns-team')`,
      );
      const r = await getThemes(db, { examples: 2 }, { now: () => new Date('2026-04-01T00:00:00Z') });
      expect(r.comments).toBe(200);
      const tax = await loadTaxonomy(db);
      const feeId = themeAssigner(tax).assign('They charged me a return fee')[0];
      const fee = r.themes.find((t) => t.id === feeId)!;
      expect(fee.id.startsWith('policy.')).toBe(true);
      expect(fee.volume).toBe(40);
      // 30 detractors (2) and 10 passives (7): NPS −75
      expect(fee.nps).toEqual(expect.objectContaining({ value: -75, n: 40 }));
      expect(fee.touchpoints).toEqual([{ touchpoint: 'returns', volume: 40 }]);
      expect(fee.teams).toEqual([{ team: 'returns-team', volume: 40 }]);
      expect(fee.trend).toEqual([{ month: '2026-03', volume: 40 }]);
      const stored = await listFindings(db, { analysis: 'feedback.themes', limit: 50 });
      expect(stored.length).toBe(r.findings);
      expect(stored.every((f) => f.kind === 'theme')).toBe(true);
      // every comment on the rude agent is negative (well above the overall share): a finding;
      // the praise theme is not
      const agentId = themeAssigner(tax).assign('The agent was rude')[0];
      const praiseId = themeAssigner(tax).assign('quick and friendly')[0];
      expect(stored.find((f) => f.slice.theme === agentId)).toEqual(
        expect.objectContaining({ p: 'people', value: 1, n: 40, metric: 'negative comment share' }),
      );
      expect(stored.some((f) => f.slice.theme === praiseId)).toBe(false);
      // a second run keeps the ids and does not propose again
      const again = await getThemes(db, { examples: 2 }, { now: () => new Date('2026-04-02T00:00:00Z') });
      expect(again.proposals).toEqual([]);
      expect(again.themes.map((t) => t.id).sort()).toEqual(r.themes.map((t) => t.id).sort());
    });
  });
});

describe('discovered themes are proposals with readable labels (#17.7)', () => {
  const comments = topicComments(30, [0, 1, 2]);

  it('labels each with a key phrase found in its comments, with size and coherence', () => {
    const { proposals } = discoverThemes(comments, { version: 1, themes: [] });
    expect(proposals.length).toBe(4);
    for (const p of proposals) {
      expect(p.size).toBeGreaterThanOrEqual(25);
      expect(p.coherence).toBeGreaterThanOrEqual(0.3);
      // the label's words occur together in at least 15% of its comments (a phrase of them, or one
      // word of them — never two unrelated words glued)
      const words = p.name.toLowerCase().split(' ');
      const together = comments.filter((c) =>
        words.every((w) => c.text.toLowerCase().includes(w.slice(0, 4))),
      ).length;
      expect(together, p.name).toBeGreaterThanOrEqual(0.15 * p.size);
    }
  });

  it('a retired theme is never proposed again, under its id or another', () => {
    const first = discoverThemes(comments, { version: 1, themes: [] });
    const retiredId = first.proposals[0]!.id;
    const edited = {
      ...first.taxonomy,
      themes: first.taxonomy.themes.map((t) =>
        t.id === retiredId ? { ...t, status: 'retired' as const } : t,
      ),
    };
    // the same comments and more of them arrive: nothing is proposed again, and no `-2` id appears
    const again = discoverThemes(
      [...comments, ...topicComments(30, [3, 4]).map((c) => ({ ...c, id: `x${c.id}` }))],
      edited,
    );
    expect(again.proposals).toEqual([]);
    expect(again.taxonomy.themes.some((t) => /-\d+$/.test(t.id))).toBe(false);
    // even with the retired theme the only one in the taxonomy
    const alone = discoverThemes(comments, {
      version: 1,
      themes: edited.themes.filter((t) => t.id === retiredId),
    });
    expect(alone.proposals.map((p) => p.id)).not.toContain(`${retiredId}-2`);
    expect(alone.proposals.some((p) => p.name === first.proposals[0]!.name)).toBe(false);
  });

  it('proposals do not appear in a workspace’s results until accepted', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(
        db,
        comments.map((c) => ({ id: c.id, comment: c.text, score: c.topic === 'rudeAgent' ? 1 : 9 })),
      );
      // a taxonomy that knows none of these topics
      await saveTaxonomy(db, {
        version: 1,
        themes: [
          {
            id: 'policy.warranty',
            p: 'policy',
            name: 'Warranty',
            status: 'accepted',
            keywords: ['warranty'],
          },
        ],
      });
      const r = await getThemes(db, { discover: true, examples: 1 } as never);
      expect(r.proposals.length).toBeGreaterThan(0);
      expect(r.themes).toEqual([]);
      const stored = await db.one<{ n: number }>(
        sql`SELECT count(*) AS n FROM feedback_text WHERE len(themes) > 0`,
      );
      expect(stored?.n).toBe(0);
      const { taxonomyOperations } = await import('./taxonomy-ops.js');
      const accept = taxonomyOperations.find((o) => o.verb === 'theme-status')!;
      await accept.run(db, { id: r.proposals[0]!, status: 'accepted' } as never, {});
      const after = await getThemes(db, { examples: 1 } as never);
      expect(after.themes.map((t) => t.id)).toEqual([r.proposals[0]]);
      expect(after.themes[0]!.volume).toBe(30);
    });
  });
});

describe('a proposal says what it is', () => {
  it('carries example comments of its own topic and a suggested P with its confidence', () => {
    const { proposals } = discoverThemes(topicComments(30, [0, 1, 2]), { version: 1, themes: [] });
    const fee = proposals.find((p) => p.keywords.some((k) => /fee/i.test(k)))!;
    expect(fee.p).toBe('policy');
    expect(fee.pConfidence).toBeGreaterThan(0.5);
    expect(fee.pConfidence).toBeLessThanOrEqual(1);
    expect(fee.examples.length).toBe(3);
    for (const e of fee.examples) expect(e.toLowerCase()).toMatch(/fee|return/);
  });
});
