import { describe, expect, it } from 'vitest';
import { linearForecast } from './trend.js';

describe('linearForecast', () => {
  it('gives the textbook prediction interval', () => {
    // x = 1…5, y = 2.1, 3.9, 6.2, 7.8, 10.1, predicted at x = 8. By hand (checked with numpy.polyfit and
    // scipy.stats.t.ppf): slope 1.99, intercept 0.05, fit 15.97, RSS 0.107, σ̂² = 0.035667, Sxx = 10,
    // se(pred) = √(0.035667·(1 + 1/5 + 25/10)) = 0.36328, t(0.975, 3) = 3.182446
    const f = linearForecast(
      [2.1, 3.9, 6.2, 7.8, 10.1].map((y, i) => ({ x: i + 1, y })),
      8,
    )!;
    expect(f.value).toBeCloseTo(15.97, 10);
    expect(f.slope).toBeCloseTo(1.99, 10);
    expect(f.high - f.value).toBeCloseTo(3.182446 * Math.sqrt((0.107 / 3) * 3.7), 5);
    expect(f.low).toBeCloseTo(14.813906, 5);
    expect(f.high).toBeCloseTo(17.126094, 5);
  });

  it('needs three points', () => {
    expect(
      linearForecast(
        [
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ],
        3,
      ),
    ).toBeNull();
  });
});
