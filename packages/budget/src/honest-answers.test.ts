import { expectKdapError } from '@kdap/test-support';
import type { Table } from '@kdap/preprocessing';
import { BudgetOptimizer, type Recommendation } from './optimizer';
import { BudgetResponseModel } from './response-model';
import { BudgetOptimizerTrainer } from './trainer';
import { channelContext, syntheticSplit, testConfig } from './testing/fixtures';

/**
 * Answers at the edges of the data (issue 15): every channel is traced over its own supported
 * spend range, an optimum at an end of that range says so, a curve without information says
 * "no change recommended", and the interval always brackets the point estimate.
 */
const data = syntheticSplit(3000, 5);
const config = testConfig({ hyperparameters: { lightgbm: { n_estimators: 120, learning_rate: 0.1 } } });
const readmeRecord = { channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 };

function channelSpends(table: Table, channel: string): number[] {
  const column = table.categorical('channel_id');
  const spend = table.numeric('current_spend').values;
  return Array.from(spend).filter((_, i) => column.categories[column.codes[i]!] === channel);
}

function expectBracketed(rec: Recommendation): void {
  expect(rec.confidence_interval_lower).toBeLessThanOrEqual(rec.optimal_spend);
  expect(rec.optimal_spend).toBeLessThanOrEqual(rec.confidence_interval_upper);
  expect(rec.confidence_interval_upper - rec.confidence_interval_lower).toBeGreaterThan(0);
}

describe('BudgetOptimizer at the edges of the data', () => {
  const trainer = new BudgetOptimizerTrainer({ config });
  let optimizer: BudgetOptimizer;
  const contexts = () =>
    Object.entries(data.responseCurves).flatMap(([channel, truth]) =>
      [0.5, 1, 2].flatMap((m) => [0.9, 1.1].map((seasonality) => ({ ...channelContext(data.train, channel), seasonality_index: seasonality, current_spend: truth.typicalSpend * m }))),
    );
  beforeAll(async () => {
    await trainer.fit(data.train, { validation: data.validation });
    optimizer = trainer.optimizer();
  }, 120_000);

  it('answers the README record within search\'s own supported range, flagged as outside the data, with an interval around it', () => {
    const rec = optimizer.recommend(readmeRecord);
    const spends = channelSpends(data.train, 'search');
    const [low, high] = optimizer.supportedRange('search')!;
    // The grid is search's own range, not all channels' (which reaches much higher).
    expect(rec.fit_quality.grid_min_spend).toBeCloseTo(low, 6);
    expect(rec.fit_quality.grid_max_spend).toBeCloseTo(high, 6);
    expect(high).toBeLessThanOrEqual(Math.max(...spends) / (1 - trainer.model.state.decays.search!) + 1e-6);
    expect(high).toBeLessThan(Math.max(...data.train.numeric('current_spend').values));
    expect(rec.status).toBe('ok');
    expect(rec.reason).toBeNull();
    expect(rec.current_spend_outside_training).toBe(true);
    expect(rec.optimal_spend).toBeGreaterThanOrEqual(low);
    expect(rec.optimal_spend).toBeLessThanOrEqual(high);
    expect(rec.extrapolated).toBe(false);
    expectBracketed(rec);
    // An analyst can act on it: spending the optimum is profitable on the model's own curve.
    expect(rec.expected_return).toBeGreaterThan(rec.optimal_spend);
  });

  it('flags a current spend outside the training range, and answers inside the range even for 1e12', () => {
    const spends = channelSpends(data.train, 'search');
    const inside = optimizer.recommend({ ...readmeRecord, current_spend: spends[Math.floor(spends.length / 2)]! });
    expect(inside.current_spend_outside_training).toBe(false);
    const huge = optimizer.recommend({ ...readmeRecord, current_spend: 1e12 });
    expect(huge.current_spend_outside_training).toBe(true);
    expect(huge.optimal_spend).toBeLessThanOrEqual(huge.fit_quality.grid_max_spend);
    expect(huge.extrapolated).toBe(false);
    const tiny = optimizer.recommend({ ...readmeRecord, current_spend: 0.01 });
    expect(tiny.current_spend_outside_training).toBe(true);
  });

  it('gives an interval that brackets the point estimate and has a width, in every context', () => {
    for (const rec of optimizer.recommendMany(contexts())) expectBracketed(rec);
  });

  it('is a fixed point: recommending again at the recommended spend moves it by at most one grid step or 5%', () => {
    for (const record of [readmeRecord, ...contexts()]) {
      const first = optimizer.recommend(record);
      const again = optimizer.recommend({ ...record, current_spend: first.optimal_spend });
      const step = (first.fit_quality.grid_max_spend - first.fit_quality.grid_min_spend) / (trainer.model.state.grid.points - 1);
      expect(Math.abs(again.optimal_spend - first.optimal_spend)).toBeLessThanOrEqual(Math.max(step, 0.05 * first.optimal_spend));
    }
  });

  it("says when the optimum sits at the lower or upper end of the channel's supported range", () => {
    const m = trainer.model;
    const withHurdle = (hurdle: number) => new BudgetOptimizer(new BudgetResponseModel(m.main, m.lower, m.upper, { ...m.state, hurdle }), trainer.featureSchema);
    const record = { ...channelContext(data.train, 'social'), current_spend: 1500 };
    // No spend returns 50x its cost at the margin: spend as little as the data show.
    const lower = withHurdle(49).recommend(record);
    expect(lower.at_boundary).toBe('lower');
    expect(lower.optimal_spend).toBeCloseTo(lower.fit_quality.grid_min_spend, 6);
    expectBracketed(lower);
    // Every extra unit is worth spending when losing 99% at the margin is acceptable.
    const upper = withHurdle(-0.999999).recommend(record);
    expect(upper.at_boundary).toBe('upper');
    expect(upper.optimal_spend).toBeCloseTo(upper.fit_quality.grid_max_spend, 6);
    expectBracketed(upper);
    const interior = optimizer.recommendMany(contexts()).filter((r) => r.at_boundary === null);
    expect(interior.length).toBeGreaterThan(0);
    for (const rec of interior) {
      expect(rec.optimal_spend).toBeGreaterThan(rec.fit_quality.grid_min_spend);
      expect(rec.optimal_spend).toBeLessThan(rec.fit_quality.grid_max_spend);
    }
  });

  it('refuses an Infinity context feature with a typed error naming it', () => {
    for (const value of [Infinity, -Infinity]) {
      const caught = expectKdapError(
        () => optimizer.recommend({ ...readmeRecord, historical_roi_mean: value }),
        'ERR_KDAP_SCHEMA',
        "The record's 'historical_roi_mean' must be a finite number, or null for a missing value. Got",
      );
      expect(caught).toMatchObject({ column: 'historical_roi_mean' });
    }
  });

  it('reports the expected gain of an allocation with an interval around it', () => {
    const channels = Object.entries(data.responseCurves).map(([channel, t], i) => ({ ...channelContext(data.train, channel), current_spend: t.typicalSpend * (i % 2 === 0 ? 1.6 : 0.6) }));
    const total = channels.reduce((s, c) => s + c.current_spend, 0);
    const a = optimizer.allocate({ totalBudget: total, channels });
    expect(a.expected_gain).toBeGreaterThanOrEqual(0);
    expect(a.expected_gain_lower).toBeLessThanOrEqual(a.expected_gain);
    expect(a.expected_gain_upper).toBeGreaterThanOrEqual(a.expected_gain);
    expect(a.expected_gain_upper - a.expected_gain_lower).toBeGreaterThan(0);
    for (const c of a.channels) expect(c.status).toBe('ok');
  });
});

describe('BudgetOptimizer on a curve without information', () => {
  // Return depends on the season only: spend never earns a split, the traced curve is flat.
  const seasonal = data.train.withColumn('return', { kind: 'numeric', values: Float64Array.from(data.train.numeric('seasonality_index').values, (s) => 1000 * s) });
  const trainer = new BudgetOptimizerTrainer({ config });
  let optimizer: BudgetOptimizer;
  beforeAll(async () => {
    await trainer.fit(seasonal);
    optimizer = trainer.optimizer();
  }, 120_000);

  it("says 'no_reliable_optimum' with the reason and recommends no change", () => {
    const record = { ...channelContext(data.train, 'video'), current_spend: 3210 };
    const rec = optimizer.recommend(record);
    expect(rec.status).toBe('no_reliable_optimum');
    expect(rec.reason).toMatch(/^the model's predicted return does not change with spend over 'video''s supported range \(.+ per period\) in this context/);
    expect(rec.optimal_spend).toBe(3210);
    expect(rec.at_boundary).toBeNull();
    expectBracketed(rec);
    expect(Number.isFinite(rec.expected_return) && Number.isFinite(rec.marginal_return)).toBe(true);
  });

  it('does not move budget on channels whose curve carries no information', () => {
    const channels = Object.entries(data.responseCurves).map(([channel, t], i) => ({ ...channelContext(data.train, channel), current_spend: t.typicalSpend * (i % 2 === 0 ? 1.6 : 0.6) }));
    const total = channels.reduce((s, c) => s + c.current_spend, 0);
    const a = optimizer.allocate({ totalBudget: total, channels });
    for (const [i, c] of a.channels.entries()) {
      expect(c.status).toBe('no_reliable_optimum');
      expect(c.reason).toContain('does not change with spend');
      expect(c.optimal_spend).toBe(channels[i]!.current_spend);
      expect(c.locked).toBe(true);
    }
    expect(a.expected_gain).toBe(0);
  });
});
