import { SeededRandom, syntheticMarketingSpend } from '@kdap/preprocessing';
import { allocateBudget } from './allocation';
import { estimateCarryover, Ranker } from './carryover';
import { fitHillCurve, hillSlope, hillValue, largestSpendWithSlope } from './hill-curve';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

describe('carry-over estimate', () => {
  it("recovers the generator's adstock decay of every channel within 0.05", () => {
    const { table, responseCurves } = syntheticMarketingSpend({ rows: 12_000, seed: 3 });
    const decays = estimateCarryover(table, 'current_spend', 'channel_id', table.numeric('return').values);
    for (const [channel, truth] of Object.entries(responseCurves)) expect(Math.abs(decays[channel]! - truth.adstockDecay)).toBeLessThanOrEqual(0.05);
  });

  it('is 0 without a date column: the order of periods is unknown', () => {
    const { table } = syntheticMarketingSpend({ rows: 600, seed: 3 });
    const decays = estimateCarryover(table.drop(['date']), 'current_spend', 'channel_id', table.numeric('return').values);
    expect(Object.values(decays)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('ranks (the radix sort behind the carry-over estimate)', () => {
  /** Ties share the lowest 0-based rank: the count of values strictly below. */
  const byCounting = (values: Float64Array) => Float64Array.from(values, (v) => values.filter((w) => w < v).length);

  it('equals counting the smaller values, with ties, zeros of both signs, negatives and extremes', () => {
    const random = new SeededRandom(11);
    const ranker = new Ranker();
    for (const n of [0, 1, 2, 7, 300, 2_500]) {
      const values = Float64Array.from({ length: n }, () => {
        const u = random.uniform();
        // Ties (a few levels), signed zeros, negatives, tiny and huge magnitudes, plain spends.
        return u < 0.2 ? Math.floor(u * 25) : u < 0.25 ? -0 : u < 0.35 ? -1e6 * random.uniform() : u < 0.4 ? 5e-324 * Math.ceil(10 * random.uniform()) : u < 0.45 ? 1.7e308 * random.uniform() : 50_000 * random.uniform();
      });
      expect(Array.from(ranker.ranks(values))).toEqual(Array.from(byCounting(values)));
    }
  });

  it('reuses its buffers across sizes without carrying values over', () => {
    const ranker = new Ranker();
    expect(Array.from(ranker.ranks(Float64Array.from([5, 1, 4, 1, 3])))).toEqual([4, 0, 3, 0, 2]);
    expect(Array.from(ranker.ranks(Float64Array.from([2, 2])))).toEqual([0, 0]);
    expect(Array.from(ranker.ranks(Float64Array.from([3, -2, 7])))).toEqual([1, 0, 2]);
  });
});

describe('Hill curve fit', () => {
  const known = { base: 0, maxReturn: 5000, halfSaturation: 2000, shape: 1.8, r2: 1 };
  const spend = Float64Array.from({ length: 50 }, (_, i) => 500 + i * 100);
  const exact = Float64Array.from(spend, (s) => known.maxReturn * (s / known.halfSaturation) ** known.shape / (1 + (s / known.halfSaturation) ** known.shape));

  it('recovers the parameters of an exact Hill curve', () => {
    const fitted = fitHillCurve(spend, exact);
    expect(fitted.shape).toBeCloseTo(known.shape, 2);
    expect(fitted.halfSaturation / known.halfSaturation).toBeCloseTo(1, 2);
    expect(fitted.r2).toBeGreaterThan(0.99999);
    // The slope is the analytic derivative: compare with a central difference of the value.
    const h = 1e-3;
    expect(hillSlope(fitted, 2500)).toBeCloseTo((hillValue(fitted, 2500 + h) - hillValue(fitted, 2500 - h)) / (2 * h), 6);
  });

  it('finds the largest spend whose slope is at least a level, or the low end when none is', () => {
    // Analytic: slope(s) = M n r / (s (1 + r)^2), r = (s/K)^n; bisect for slope 1 on the falling side.
    const slope = (s: number) => hillSlope(known, s);
    let a = 2000;
    let b = 20000;
    for (let i = 0; i < 200; i++) {
      const m = (a + b) / 2;
      if (slope(m) >= 1) a = m;
      else b = m;
    }
    expect(largestSpendWithSlope(known, 1, 500, 5400)).toBeCloseTo(a, 3);
    expect(largestSpendWithSlope(known, 10, 500, 5400)).toBe(500);
    expect(largestSpendWithSlope(known, 0, 500, 5400)).toBe(5400);
  });
});

describe('allocateBudget', () => {
  it('equalizes marginal returns on concave curves (analytic optimum)', () => {
    // value_c(s) = a_c log(1 + s/100): marginal a_c / (100 + s) equal at the optimum, so
    // s_c = a_c / lambda - 100 with sum s_c = budget.
    const a = [300, 200, 100];
    const budget = 1000;
    const lambda = a.reduce((x, y) => x + y, 0) / (budget + 300);
    const expected = a.map((ac) => ac / lambda - 100);
    const value = a.map((ac) => (s: number) => ac * Math.log1p(s / 100));
    const split = allocateBudget(value, [0, 0, 0], [Infinity, Infinity, Infinity], [333, 333, 334], budget);
    split.forEach((s, c) => expect(Math.abs(s - expected[c]!)).toBeLessThan(0.5));
  });

  it('respects bounds and never ends below the starting split', () => {
    const value = [(s: number) => 2 * Math.sqrt(s), (s: number) => Math.sqrt(s)];
    const start = [100, 900];
    const split = allocateBudget(value, [0, 850], [Infinity, 950], start, 1000);
    expect(split[1]).toBeGreaterThanOrEqual(850);
    expect(split[0]! + split[1]!).toBeCloseTo(1000, 6);
    expect(value[0]!(split[0]!) + value[1]!(split[1]!)).toBeGreaterThanOrEqual(value[0]!(100) + value[1]!(900));
  });
});

describe('objective from the configuration', () => {
  const data = syntheticSplit(1200, 9);

  it.each(['huber', 'quantile'] as const)('trains with objective %s; monotone spend unless quantile (LightGBM refuses it there)', async (objective) => {
    const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { objective, n_estimators: 20 } } }) });
    await trainer.fit(data.train, { validation: data.validation });
    const { main } = trainer.model.state.training;
    expect(main.objective).toBe(objective);
    expect(main.monotone_constraints === undefined).toBe(objective === 'quantile');
    expect(trainer.optimizer().recommend({ channel_id: 'search', current_spend: 2000 }).channel_id).toBe('search');
  });
});
