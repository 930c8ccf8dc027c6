import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { getThemeTrend } from './theme-trend.js';
import { getThemes } from './themes.js';

/** Comments with their text analysis written directly (the trend reads it; no scorer involved). */
async function comment(db: Store, id: string, ts: string, themes: string[], label: string) {
  await db.exec(
    sql`INSERT INTO feedback (id, customer_id, ts, kind, comment) VALUES (${id}, 'c', ${ts}::TIMESTAMP, 'text', 'x')`,
  );
  await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, analyzed_at)
    VALUES (${id}, ${label}, 0, 'test',
      CASE WHEN ${themes.join('|')} = '' THEN []::VARCHAR[] ELSE string_split(${themes.join('|')}, '|') END,
      now()::TIMESTAMP)`);
}

describe('feedback theme-trend', () => {
  it('counts a theme’s share of comments and its negative share per week, and tests a dated change', async () => {
    await withTestDb(async (db) => {
      // week of Mon 2026-04-20: 4 comments, 1 on "fee" (positive) · week of 2026-05-04: 4 comments, 3 on "fee", 2 negative
      await comment(db, 'a1', '2026-04-20 10:00:00', ['fee'], 'positive');
      await comment(db, 'a2', '2026-04-21 10:00:00', ['speed'], 'negative');
      await comment(db, 'a3', '2026-04-22 10:00:00', [], 'neutral');
      await comment(db, 'a4', '2026-04-23 10:00:00', ['speed'], 'positive');
      await comment(db, 'b1', '2026-05-04 10:00:00', ['fee'], 'negative');
      await comment(db, 'b2', '2026-05-05 10:00:00', ['fee', 'speed'], 'negative');
      await comment(db, 'b3', '2026-05-06 10:00:00', ['fee'], 'neutral');
      await comment(db, 'b4', '2026-05-07 10:00:00', [], 'positive');
      const r = await getThemeTrend(db, { theme: 'fee', at: '2026-05-01' });
      const t = r.themes[0]!;
      expect(t.points.map((p) => [p.period, p.mentions, p.comments])).toEqual([
        ['2026-04-20', 1, 4],
        ['2026-05-04', 3, 4],
      ]);
      expect(t.points[1]!.share.value).toBeCloseTo(0.75, 10);
      expect(t.points[1]!.negative.value).toBeCloseTo(2 / 3, 10);
      // before 1/4, after 3/4: difference 0.5; unpooled se = sqrt(2 × 0.25 × 0.75 / 4) = 0.30619 → ±0.6001
      const ba = t.beforeAfter!;
      expect(ba.shareChange.difference).toBeCloseTo(0.5, 10);
      expect(ba.shareChange.low).toBeCloseTo(0.5 - 1.959964 * 0.306186, 4);
      // pooled 4/8: z = 0.5 / sqrt(0.25 × 0.5) = 1.4142 → p = 0.1573 (not significant at n = 8)
      expect(ba.shareChange.p).toBeCloseTo(0.1573, 3);
      expect(ba.significant).toBe(false);
      // without --theme: the most raised themes first (fee 4, speed 3)
      expect((await getThemeTrend(db, {})).themes.map((x) => x.theme)).toEqual(['fee', 'speed']);
      // a comment the analysis has not read is counted apart, never analysed by this read
      await db.exec(
        sql`INSERT INTO feedback (id, customer_id, ts, kind, comment) VALUES ('new', 'c', TIMESTAMP '2026-05-08 10:00:00', 'text', 'new one')`,
      );
      const later = await getThemeTrend(db, { theme: 'fee' });
      expect(later.unanalysed).toBe(1);
      expect(later.themes[0]!.points.at(-1)!.comments).toBe(4);
    });
  });
});

describe('feedback theme-trend on the demo company', () => {
  let db: Store;
  beforeAll(async () => {
    db = await openDemoCopy();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('shows the planted return-fee change as a step at its date, significant', async () => {
    const manifest = (await readManifest(db))!;
    const plant = manifest.plants.find((p) => p.analysis === 'feedback.themes' && p.slice.theme)!;
    const at = new Date(Number((plant.effect as { policyFrom: number }).policyFrom))
      .toISOString()
      .slice(0, 10);
    await getThemes(db, { examples: 0 }); // the text analysis (a write), as `touchpoint start` runs it
    expect((await getThemeTrend(db, { top: 1 })).unanalysed).toBe(0);
    // our theme id for the plant: the one most of the generator's true "return fee" comments carry
    const row = await db.one<{ id: string }>(sql`
      SELECT t.primary_theme AS id FROM feedback_text t JOIN demo_truth_comments d ON d.feedback_id = t.feedback_id
      WHERE d.theme = ${plant.slice.theme!} AND t.primary_theme IS NOT NULL
      GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`);
    const r = await getThemeTrend(db, { theme: row!.id, at, by: 'month' });
    const ba = r.themes[0]!.beforeAfter!;
    expect(ba.significant).toBe(true);
    expect(ba.shareChange.low).toBeGreaterThan(0);
    // the step: every complete month after the date raises it more than any month before
    const months = r.themes[0]!.points.filter((p) => p.comments >= 50);
    const before = months.filter((p) => p.period < at).map((p) => p.share.value!);
    const after = months.filter((p) => p.period >= at).map((p) => p.share.value!);
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
  }, 120_000);
});
