import { join } from 'node:path';
import { runPythonJson } from '@kdap/test-support';
import { SeededRandom } from '@kdap/preprocessing';
import { expectKdapError } from '@kdap/test-support';
import { IsotonicCalibrator, poolAdjacentViolators } from './isotonic';

interface Case {
  x: number[];
  y: number[];
  w: number[] | null;
  query: number[];
}
interface Reference {
  predicted: number[];
  x_thresholds: number[];
  y_thresholds: number[];
}

const REFERENCE = join(__dirname, 'testing', 'isotonic_reference.py');

/** Random cases built to stress ties: scores from a few distinct values, near-ties within 1e-15, labels and real targets. */
function randomCases(seed: number, count: number): Case[] {
  const random = new SeededRandom(seed);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const n = 1 + random.integer(c % 5 === 0 ? 400 : 40);
    const distinct = 1 + random.integer(c % 3 === 0 ? 4 : 25);
    const levels = Array.from({ length: distinct }, () => Math.fround(random.uniform()));
    const x = Array.from({ length: n }, () => {
      const level = levels[random.integer(distinct)]!;
      // Some scores sit a hair above a level: scikit-learn pools them (within 1e-15), a plain equality would not.
      return random.uniform() < 0.1 ? level + 4e-16 : level;
    });
    const realTargets = c % 4 === 3;
    const y = Array.from({ length: n }, (_, i): number => (realTargets ? random.normal() + x[i]! : random.uniform() < x[i]! ? 1 : 0));
    const weighted = c % 6 === 5;
    const w = weighted ? Array.from({ length: n }, (): number => (random.uniform() < 0.1 ? 0 : 0.1 + 3 * random.uniform())) : null;
    if (w && !w.some((v) => v > 0)) w[0] = 1;
    const query = [
      ...x.slice(0, 20),
      ...Array.from({ length: 30 }, () => random.uniform() * 1.4 - 0.2),
      -1,
      2,
      Math.min(...x),
      Math.max(...x),
    ];
    cases.push({ x, y, w, query });
  }
  return cases;
}

describe('IsotonicCalibrator', () => {
  it("equals scikit-learn's IsotonicRegression(out_of_bounds='clip') to 1e-12 over random inputs with many ties", () => {
    const cases = randomCases(20261204, 300);
    const reference = runPythonJson<Reference[]>(REFERENCE, cases);
    let maxDiff = 0;
    let ties = 0;
    cases.forEach((c, k) => {
      const calibrator = IsotonicCalibrator.fit(c.x, c.y, c.w ?? undefined);
      const predicted = calibrator.transform(c.query);
      const expected = reference[k]!;
      ties += c.x.length - new Set(c.x).size;
      expect(predicted).toHaveLength(expected.predicted.length);
      const { x, y } = calibrator.thresholds;
      expect(Array.from(x)).toEqual(expected.x_thresholds);
      for (let j = 0; j < y.length; j++) maxDiff = Math.max(maxDiff, Math.abs(y[j]! - expected.y_thresholds[j]!));
      for (let i = 0; i < predicted.length; i++) maxDiff = Math.max(maxDiff, Math.abs(predicted[i]! - expected.predicted[i]!));
    });
    expect(ties).toBeGreaterThan(5000);
    expect(maxDiff).toBeLessThanOrEqual(1e-12);
  });

  it('pools adjacent violators into weighted means (textbook example)', () => {
    // scikit-learn's docstring example: isotonic_regression([5, 3, 1, 2, 8, 10, 7, 9, 6, 4]).
    const fitted = poolAdjacentViolators(Float64Array.from([5, 3, 1, 2, 8, 10, 7, 9, 6, 4]), new Float64Array(10).fill(1));
    expect(Array.from(fitted.subarray(0, 4))).toEqual([2.75, 2.75, 2.75, 2.75]);
    for (const v of fitted.subarray(4)) expect(v).toBeCloseTo(44 / 6, 12);
  });

  it('clips scores outside the fitted range and survives a save/load', () => {
    const calibrator = IsotonicCalibrator.fit([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1]);
    expect(Array.from(calibrator.transform([-5, 0.1, 0.25, 0.4, 7]))).toEqual([0, 0, 0.5, 1, 1]);
    const restored = IsotonicCalibrator.fromJSON(JSON.parse(JSON.stringify(calibrator)));
    expect(restored.transform([0.05, 0.22, 0.33])).toEqual(calibrator.transform([0.05, 0.22, 0.33]));
  });

  it('fits a single distinct score to a constant', () => {
    const calibrator = IsotonicCalibrator.fit([0.3, 0.3, 0.3], [0, 1, 1]);
    expect(Array.from(calibrator.transform([0, 0.3, 1]))).toEqual([2 / 3, 2 / 3, 2 / 3]);
  });

  it('refuses NaN, Infinity, mismatched lengths and negative weights with typed errors', () => {
    expectKdapError(() => IsotonicCalibrator.fit([0.1, Number.NaN], [0, 1]), 'ERR_KDAP_PARAMETER', /finite numbers. Got NaN at index 1/);
    expectKdapError(() => IsotonicCalibrator.fit([0.1, Infinity], [0, 1]), 'ERR_KDAP_PARAMETER', /Infinity at index 1/);
    expectKdapError(() => IsotonicCalibrator.fit([0.1, 0.2], [0]), 'ERR_KDAP_PARAMETER', /one value per score \(2\). Got 1/);
    expectKdapError(() => IsotonicCalibrator.fit([0.1, 0.2], [0, 1], [1, -1]), 'ERR_KDAP_PARAMETER', /non-negative/);
    expectKdapError(() => IsotonicCalibrator.fit([], []), 'ERR_KDAP_PARAMETER', /at least one row/);
    const calibrator = IsotonicCalibrator.fit([0.1, 0.9], [0, 1]);
    expectKdapError(() => calibrator.transform([0.5, Number.NaN]), 'ERR_KDAP_DATA', /NaN as the score of row 1/);
  });
});
