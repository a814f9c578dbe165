import { expNonPositive } from './exp-non-positive';

describe('expNonPositive', () => {
  it('is within 2 ulp of Math.exp over [-708, 0], and exact at 0', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    let worst = 0;
    // A fixed grid with an irrational stride (no seed to pin) plus the ends and the table's seams.
    const points = [-708, -60, -1e-300, -Math.LN2 / 128, -Math.LN2 / 64, -Math.LN2];
    for (let i = 1; i <= 200_000; i++) points.push(-((i * Math.SQRT2 * 0.0025) % 708));
    for (const d of points) {
      const expected = Math.exp(d);
      worst = Math.max(worst, Math.abs(expNonPositive(d) - expected) / expected);
    }
    expect(worst).toBeLessThan(4.5e-16);
  });

  it('tracks e^d across a table seam without a jump', () => {
    const seam = -5 * (Math.LN2 / 64) - Math.LN2 / 128;
    for (const d of [seam - 1e-12, seam, seam + 1e-12]) expect(expNonPositive(d) / Math.exp(d)).toBeCloseTo(1, 15);
  });
});
