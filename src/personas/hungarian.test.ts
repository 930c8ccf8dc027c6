import { describe, expect, it } from 'vitest';
import { hungarian } from './hungarian.js';

const total = (cost: number[][], a: number[]) => a.reduce((s, j, i) => s + (j >= 0 ? cost[i]![j]! : 0), 0);

describe('hungarian', () => {
  it('finds the minimum-cost assignment of a 3×3 matrix (checked by enumeration)', () => {
    const cost = [
      [8, 4, 7],
      [5, 2, 3],
      [9, 4, 8],
    ];
    // all 6 permutations by hand: [0,1,2]=18 [0,2,1]=15 [1,0,2]=17 [1,2,0]=16 [2,0,1]=16 [2,1,0]=18
    expect(hungarian(cost)).toEqual([0, 2, 1]);
    expect(total(cost, hungarian(cost))).toBe(15);
  });
  it('pads rectangular matrices: an extra row gets -1', () => {
    const cost = [
      [1, 9],
      [9, 1],
      [0.5, 0.5],
    ];
    // by hand: leaving row 1 out costs 1 + 0.5 = 1.5, row 0 out 1.5 too but ties go to the first found;
    // leaving row 2 out costs 1 + 1 = 2
    expect(total(cost, hungarian(cost))).toBe(1.5);
    expect(hungarian(cost).filter((j) => j === -1)).toHaveLength(1);
  });
  it('handles the empty matrix', () => {
    expect(hungarian([])).toEqual([]);
  });
});
