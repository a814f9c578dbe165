import { SeededRandom } from '@kdap/preprocessing';
import { numericBaseline, numericDrift, psi, ScoreDistribution } from './distribution';

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
