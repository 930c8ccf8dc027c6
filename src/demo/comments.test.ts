import { describe, expect, it } from 'vitest';
import { OFF_TOPIC, THEMES, typo } from './comments.js';
import { createRng } from './rng.js';

describe('comment templates', () => {
  it('has at least 8 paraphrases per theme, unique ids, and a held-out subset per theme', () => {
    const ids = new Set<string>();
    for (const t of THEMES) {
      expect(t.templates.length, t.theme).toBeGreaterThanOrEqual(8);
      const held = t.templates.filter((x) => x.heldOut);
      expect(held.length, t.theme).toBeGreaterThanOrEqual(2);
      expect(t.templates.length - held.length, t.theme).toBeGreaterThanOrEqual(5);
      for (const x of t.templates) {
        expect(ids.has(x.id)).toBe(false);
        ids.add(x.id);
        expect(x.theme).toBe(t.theme);
      }
      expect(new Set(t.templates.map((x) => x.text)).size).toBe(t.templates.length);
    }
    expect(OFF_TOPIC.every((x) => !x.heldOut && x.theme === 'off-topic')).toBe(true);
  });

  it('covers the 4 Ps', () => {
    expect(new Set(THEMES.map((t) => t.p))).toEqual(new Set(['product', 'process', 'policy', 'people']));
  });

  it('typo changes a word by one or two letters, deterministically for a seed', () => {
    const text = 'The new return fee is ridiculous, I will shop elsewhere.';
    const a = typo(
      text,
      (() => {
        const r = createRng(5);
        return () => r.next();
      })(),
    );
    const b = typo(
      text,
      (() => {
        const r = createRng(5);
        return () => r.next();
      })(),
    );
    expect(a).toBe(b);
    expect(Math.abs(a.length - text.length)).toBeLessThanOrEqual(2);
    let changed = 0;
    for (let s = 0; s < 50; s++) {
      const r = createRng(s);
      if (typo(text, () => r.next()) !== text) changed++;
    }
    expect(changed).toBeGreaterThan(40);
  });
});
