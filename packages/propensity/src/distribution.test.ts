import { SeededRandom } from '@kdap/preprocessing';
import { categoricalBaseline, categoricalBaselineOfColumn, numericBaseline, numericBaselineOfColumn, numericBaselineOfSorted, numericDrift, psi, ScoreDistribution, type NumericBaseline } from './distribution';

describe('ScoreDistribution', () => {
  it("gives 100 x share of training scores <= score (searchsorted side='right'), ties counted in", () => {
    const random = new SeededRandom(3);
    const scores = Array.from({ length: 5000 }, () => Math.round(random.uniform() * 40) / 40);
    const distribution = ScoreDistribution.fromJSON(JSON.parse(JSON.stringify(ScoreDistribution.fromScores(scores))));
    for (const s of [-1, 0, 0.025, 0.3, 0.31, 0.5, 0.975, 1, 2, ...scores.slice(0, 50)]) {
      const expected = (100 * scores.filter((v) => v <= s).length) / scores.length;
      expect(distribution.percentileRank(s)).toBeCloseTo(expected, 12);
    }
    expect(distribution.toJSON().values.length).toBe(41);
    const queries = [-1, 0, 0.025, 0.3, 0.31, 0.5, 0.975, 1, 2, ...scores.slice(0, 50)];
    expect(Array.from(distribution.percentileRanks(Float64Array.from(queries)))).toEqual(queries.map((s) => distribution.percentileRank(s)));
  });
});

describe('PSI', () => {
  it('is 0 for identical shares and grows with the shift', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    // (0.7 - 0.5) ln(0.7 / 0.5) + (0.3 - 0.5) ln(0.3 / 0.5)
    expect(psi([0.5, 0.5], [0.7, 0.3])).toBeCloseTo(0.2 * Math.log(1.4) - 0.2 * Math.log(0.6), 12);
    const random = new SeededRandom(1);
    const base = numericBaseline(Array.from({ length: 10000 }, () => random.normal()));
    expect(numericDrift(base, Array.from({ length: 10000 }, () => random.normal())).psi).toBeLessThan(0.02);
    expect(numericDrift(base, Array.from({ length: 10000 }, () => random.normal() + 1)).psi).toBeGreaterThan(0.25);
  });
});

/** The decile bins as first written: sort every value, read the deciles, bin by binary search. */
function sortedReference(values: readonly number[]): NumericBaseline {
  const present = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < 10 && present.length > 0; k++) {
    const e = present[Math.min(present.length - 1, Math.floor((k * present.length) / 10))]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of present) {
    let bin = 0;
    while (bin < edges.length && edges[bin]! < v) bin++;
    counts[bin]! += 1;
  }
  const n = values.length;
  return {
    kind: 'numeric',
    edges,
    shares: counts.map((c) => (n === 0 ? 0 : c / n)),
    missingShare: n === 0 ? 0 : (n - present.length) / n,
    min: present.length === 0 ? Number.NaN : present[0]!,
    max: present.length === 0 ? Number.NaN : present[present.length - 1]!,
  };
}

describe('numericBaseline', () => {
  it('gives the bins of a full sort (deciles by radix select), with ties, NaN, tiny and constant inputs', () => {
    const random = new SeededRandom(11);
    const cases: number[][] = [[], [NaN], [NaN, NaN], [5], [2, 1], [3, 3, 3, 3], Array.from({ length: 1000 }, () => 7), [0, 0, 0, 5e-324, -5e-324, 1, -1]];
    for (let t = 0; t < 300; t++) {
      const n = Math.floor(random.uniform() * (t % 10 === 0 ? 5000 : 60));
      const distinct = 1 + Math.floor(random.uniform() * (t % 3 === 0 ? 4 : 1000));
      const missing = random.uniform() < 0.3 ? random.uniform() * 0.5 : 0;
      cases.push(Array.from({ length: n }, () => (random.uniform() < missing ? Number.NaN : Math.floor(random.uniform() * distinct) - distinct / 2)));
    }
    // Continuous values: many in one radix bucket (rates in [0, 1]), both signs, wide ranges, clusters.
    for (let t = 0; t < 60; t++) {
      const n = 1 + Math.floor(random.uniform() * 20000);
      const shape = t % 4;
      cases.push(
        Array.from({ length: n }, () => {
          if (random.uniform() < 0.05) return Number.NaN;
          if (shape === 0) return random.uniform();
          if (shape === 1) return random.normal() * 1000;
          if (shape === 2) return Math.exp(random.normal() * 20) * (random.uniform() < 0.5 ? -1 : 1);
          return 0.25 + random.normal() * 1e-9;
        }),
      );
    }
    for (const values of cases) {
      const expected = sortedReference(values);
      expect(numericBaseline(values)).toEqual(expected);
      expect(numericBaseline(Float64Array.from(values))).toEqual(expected);
      expect(numericBaselineOfSorted(Float64Array.from(values).sort())).toEqual(expected);
      // As a column of a row-major matrix (the trainer reads its feature matrix in place).
      const cols = 3;
      const matrix = new Float64Array(values.length * cols).fill(-123.5);
      values.forEach((v, i) => (matrix[i * cols + 1] = v));
      expect(numericBaselineOfColumn(matrix, 1, cols, values.length)).toEqual(expected);
      if (values.length > 0) expect(numericBaselineOfColumn(matrix.subarray(cols), 1, cols, values.length - 1)).toEqual(sortedReference(values.slice(1)));
    }
  });

  it('counts category codes of a matrix column as categoricalBaseline counts them', () => {
    const codes = [0, 2, NaN, 1, 2, 2, NaN, 0];
    const matrix = new Float64Array(codes.length * 2).fill(5);
    codes.forEach((c, i) => (matrix[i * 2] = c));
    expect(categoricalBaselineOfColumn(matrix, 0, 2, codes.length, ['a', 'b', 'c'])).toEqual(categoricalBaseline(codes, ['a', 'b', 'c']));
    expect(categoricalBaseline(codes, ['a', 'b', 'c'])).toEqual({ kind: 'categorical', categories: ['a', 'b', 'c'], shares: [2 / 8, 1 / 8, 3 / 8], missingShare: 2 / 8 });
  });

  it('leaves its input as it was (it selects in a copy)', () => {
    const values = Float64Array.from([9, 1, 8, 2, 7, 3, 6, 4, 5, NaN]);
    const before = Array.from(values);
    numericBaseline(values);
    expect(Array.from(values)).toEqual(before);
  });
});
