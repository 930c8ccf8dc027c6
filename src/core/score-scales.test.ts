import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, call, runCli, startChild, tempDir } from '../server/test-harness.js';
import {
  changeDirection,
  isBadAnswer,
  isGoodAnswer,
  meanBand,
  SCORE_KINDS,
  SCORE_SCALES,
  scaleSpan,
} from './score-scales.js';

// Issue 18.1: one direction for every score. The demo's CES question reads "How easy was it …?
// (7 = very easy)", so a 7 is the best answer, as 10 is for NPS and 5 for CSAT.
describe('score scales: higher is better on every scale', () => {
  it.each(SCORE_KINDS)('%s: the best answer is good, the worst bad, thresholds inside the scale', (k) => {
    const s = SCORE_SCALES[k];
    expect(s.higherIsBetter).toBe(true);
    expect(isGoodAnswer(k, s.max) && !isBadAnswer(k, s.max)).toBe(true);
    expect(isBadAnswer(k, s.min) && !isGoodAnswer(k, s.min)).toBe(true);
    expect(s.min < s.badAtMost && s.badAtMost < s.goodAtLeast && s.goodAtLeast <= s.max).toBe(true);
    expect(meanBand(k, s.max)).toBe('good');
    expect(meanBand(k, s.min)).toBe('bad');
    expect(changeDirection(k, 1)).toBe(1);
    expect(changeDirection(k, -1)).toBe(-1);
  });

  it.each([
    // CES 1–7: 5–7 easy, 1–3 difficult (the figures of feedback scores' "easy %" and moments' default)
    ['ces', 7, false, true],
    ['ces', 5, false, true],
    ['ces', 4, false, false],
    ['ces', 3, true, false],
    ['ces', 1, true, false],
    // NPS: detractors 0–6, promoters 9–10
    ['nps', 6, true, false],
    ['nps', 8, false, false],
    ['nps', 9, false, true],
    // CSAT: 1–2 dissatisfied, 4–5 satisfied
    ['csat', 2, true, false],
    ['csat', 3, false, false],
    ['csat', 4, false, true],
  ] as const)('%s answer %d: bad %s, good %s', (k, score, bad, good) => {
    expect([isBadAnswer(k, score), isGoodAnswer(k, score)]).toEqual([bad, good]);
  });

  it.each([
    ['ces', 5.56, 'good'], // the demo's checkout CES: a good score, never red
    ['ces', 4.2, 'mid'],
    ['ces', 3.2, 'bad'],
    ['csat', 3.8, 'mid'],
    ['nps', null, 'none'],
  ] as const)('mean band %s %s = %s', (k, mean, band) => {
    expect(meanBand(k, mean)).toBe(band);
  });

  it('scale spans are max − min', () => {
    expect(SCORE_KINDS.map(scaleSpan)).toEqual([10, 4, 6]);
  });
});

describe('every edge reads the direction from score-scales.ts', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChild();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('CLI: journey moments takes --ces-at-most with the scale’s bad threshold as default', async () => {
    const r = await runCli(['journey', 'moments', '--help'], {
      TOUCHPOINT_DB: `${tempDir('tp-scales-')}/x.duckdb`,
    });
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--ces-at-most');
    expect(help).not.toContain('--ces-at-least');
    expect(help).toMatch(
      new RegExp(`7 = very easy\\) at or below this.*?\\[default: ${SCORE_SCALES.ces.badAtMost}\\]`),
    );
    expect(help).toContain(`[default: ${SCORE_SCALES.csat.badAtMost}]`);
  }, 60_000);

  it('API: the OpenAPI document states cesAtMost with the same default, and no cesAtLeast', async () => {
    const doc = await call(`${server.url}/openapi.json`);
    const text = JSON.stringify(doc.body);
    expect(text).not.toContain('cesAtLeast');
    const m = /"cesAtMost":\{[^}]*"default":(\d+)/.exec(text);
    expect(m?.[1]).toBe(String(SCORE_SCALES.ces.badAtMost));
  });
});
