import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { adapt, L2_CHOICES, labelReader } from './adapt.js';
import { analyzeText } from './analyze-text.js';
import { blendedScorer } from './scorer.js';

/** A domain whose words carry no general sentiment: here "locker" is praise and "van" a complaint. */
const PLACES = ['on monday', 'near work', 'after lunch', 'at the station', 'downtown', 'at night', 'early'];
const domain = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const k = i % 3;
    return {
      text:
        k === 0
          ? `picked it up from the parcel locker ${PLACES[i % 7]}`
          : k === 1
            ? `the van driver brought it ${PLACES[i % 7]}`
            : `the order number is ${1000 + i} ${PLACES[i % 7]}`,
      y: (k === 0 ? 2 : k === 1 ? 0 : 1) as 0 | 1 | 2,
    };
  });

describe('domain adaptation from labels', () => {
  it('reads label columns: words, 0/1 as negative/positive, −1/0/1 as three classes', () => {
    const words = labelReader(['positive', 'Negative', 'neutral', '']);
    expect(['positive', 'Negative', 'neutral', '', 'maybe'].map(words)).toEqual([
      2,
      0,
      1,
      undefined,
      undefined,
    ]);
    const binary = labelReader(['0', '1', '1']);
    expect(['0', '1'].map(binary)).toEqual([0, 2]);
    const three = labelReader(['-1', '0', '1']);
    expect(['-1', '0', '1'].map(three)).toEqual([0, 1, 2]);
  });

  it('learns what the base scorer cannot know, cross-validated on the same rows', () => {
    const rows = domain(300);
    const base = blendedScorer();
    const a = adapt(
      base,
      rows.map((r) => r.text),
      rows.map((r) => r.y),
    );
    expect(a.classes).toBe(3);
    expect(a.labelled).toBe(300);
    expect(a.baseMacroF1).toBeLessThan(0.6);
    expect(a.adaptedMacroF1).toBeGreaterThan(0.95);
    expect(a.scorer.score('collected it from the parcel locker after work').label).toBe('positive');
    expect(a.scorer.score('the van driver came late').label).toBe('negative');
  });

  it('analyze-text --labels: adapts, scores every row, reports both figures; a bad column is one clean line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-adapt-'));
    const file = join(dir, 'labelled.csv');
    const rows = domain(150);
    writeFileSync(
      file,
      `id,comment,label\n${rows.map((r, i) => `${i},"${r.text}",${['negative', 'neutral', 'positive'][r.y]}`).join('\n')}\n${150},"the parcel locker again",\n`,
    );
    const text = readFileSync(file, 'utf8');
    await withTestDb(async (db) => {
      const r = await analyzeText(db, { file, text, textColumn: 'comment', idColumn: 'id', labels: 'label' });
      expect(r.rows).toBe(151);
      expect(r.adaptation?.labelled).toBe(150);
      expect(r.adaptation!.adaptedMacroF1).toBeGreaterThan(r.adaptation!.baseMacroF1);
      expect(r.adaptation!.used).toBe(true);
      expect(L2_CHOICES).toContain(r.adaptation!.l2);
      expect(r.records.at(-1)!.label).toBe('positive'); // the unlabelled row, scored by the adapted model
      // labels that say exactly what the base scorer says: adapting cannot beat it, so the base scores
      const base = blendedScorer();
      const same = join(dir, 'same.csv');
      writeFileSync(
        same,
        `id,comment,label\n${rows.map((x, i) => `${i},"${x.text}",${base.score(x.text).label}`).join('\n')}\n`,
      );
      const s = await analyzeText(db, {
        file: same,
        text: readFileSync(same, 'utf8'),
        textColumn: 'comment',
        idColumn: 'id',
        labels: 'label',
      });
      // macro-F1 over the classes the labels use (they need not use all three)
      expect(s.adaptation!.baseMacroF1).toBe(1);
      expect(s.adaptation!.adaptedMacroF1).toBeLessThanOrEqual(s.adaptation!.baseMacroF1);
      expect(s.adaptation!.used).toBe(false);
      expect(s.records.map((x) => x.label)).toEqual(rows.map((x) => base.score(x.text).label));
      await expect(analyzeText(db, { file, text, textColumn: 'comment', labels: 'stars' })).rejects.toThrow(
        /has no column "stars" \(--labels\)/,
      );
      await expect(analyzeText(db, { file, text, textColumn: 'comment', labels: 'id' })).rejects.toThrow(
        /--labels id: \d+ rows carry a usable label/,
      );
    });
  });
});
