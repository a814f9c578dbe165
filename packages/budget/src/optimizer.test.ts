import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectKdapError } from '@kdap/test-support';
import { runTrainerContract } from '@kdap/core/testing';
import { BudgetOptimizer } from './optimizer';
import { BudgetOptimizerTrainer } from './trainer';
import { channelContext, syntheticSplit, testConfig } from './testing/fixtures';

const data = syntheticSplit(3000, 5);
const config = testConfig({ hyperparameters: { lightgbm: { n_estimators: 120, learning_rate: 0.1 } } });
const readmeRecord = { channel_id: 'search', current_spend: 50000, historical_roi_mean: 2.5 };

runTrainerContract('BudgetOptimizerTrainer', {
  kind: 'budget',
  create: (options) => new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 30 } } }), ...options }),
  train: data.train,
  score: data.validation,
  target: 'return',
  metricNames: ['rmse', 'mae', 'mape', 'r2'],
  requiredFeature: 'current_spend',
  optionalFeature: 'cpm',
  loadPredictor: async (dir, options) => BudgetOptimizer.load(dir, options),
  columns: {
    mapping: { channel: 'medium', spend: 'cost', date: 'day', target: 'revenue' },
    renames: { channel_id: 'medium', current_spend: 'cost', date: 'day', return: 'revenue' },
    modelNamesScore: true,
  },
});

describe('BudgetOptimizer', () => {
  const trainer = new BudgetOptimizerTrainer({ config });
  let optimizer: BudgetOptimizer;
  let dir: string;
  beforeAll(async () => {
    await trainer.fit(data.train, { validation: data.validation });
    optimizer = trainer.optimizer();
    dir = mkdtempSync(join(tmpdir(), 'kdap-budget-'));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores the Python README test record in the Python output shape, flagging the extrapolation', () => {
    const rec = optimizer.recommend(readmeRecord);
    for (const key of ['optimal_spend', 'expected_return', 'confidence_interval_lower', 'confidence_interval_upper', 'marginal_return', 'channel_id']) {
      expect(rec).toHaveProperty(key);
    }
    expect(rec.channel_id).toBe('search');
    const channel = data.train.categorical('channel_id');
    const spend = Array.from(data.train.numeric('current_spend').values);
    const searchMax = Math.max(...spend.filter((_, i) => channel.categories[channel.codes[i]!] === 'search'));
    // 50,000 is far above anything spent on search in training (typical ~2,000 a day).
    expect(searchMax).toBeLessThan(50000 * 0.25);
    expect(rec.extrapolated).toBe(rec.optimal_spend > searchMax);
    expect(rec.optimal_spend).toBeGreaterThanOrEqual(rec.fit_quality.grid_min_spend);
    expect(rec.optimal_spend).toBeLessThanOrEqual(rec.fit_quality.grid_max_spend);
    expect(Number.isFinite(rec.expected_return)).toBe(true);
    expect(rec.confidence_interval_lower).toBeLessThanOrEqual(rec.confidence_interval_upper);
  });

  it('reports the net marginal return at the optimum: at least the hurdle (0) unless the grid ends first', () => {
    for (const channel of Object.keys(data.responseCurves)) {
      const truth = data.responseCurves[channel]!;
      const rec = optimizer.recommend({ ...channelContext(data.train, channel), current_spend: truth.typicalSpend });
      const interior = rec.optimal_spend > rec.fit_quality.grid_min_spend && rec.optimal_spend < rec.fit_quality.grid_max_spend;
      if (interior) expect(Math.abs(rec.marginal_return)).toBeLessThan(1e-6);
      else if (rec.optimal_spend === rec.fit_quality.grid_max_spend) expect(rec.marginal_return).toBeGreaterThanOrEqual(0);
      expect(rec.top_drivers).toHaveLength(3);
    }
  });

  it('recommendMany equals recommend per record and names the record at fault', () => {
    const records = [readmeRecord, { ...readmeRecord, channel_id: 'email', current_spend: 3000 }];
    expect(optimizer.recommendMany(records)).toEqual(records.map((r) => optimizer.recommend(r)));
    expect(() => optimizer.recommendMany([readmeRecord, { current_spend: 5 }])).toThrow("Record 1 has no 'channel_id'.");
  });

  it('traces a response curve that never falls as spend rises (monotone constraint)', () => {
    const curve = optimizer.responseCurve(readmeRecord, { points: 30 });
    expect(curve.points).toHaveLength(30);
    for (let i = 1; i < 30; i++) expect(curve.points[i]!.predicted_return).toBeGreaterThanOrEqual(curve.points[i - 1]!.predicted_return);
    expect(() => optimizer.responseCurve(readmeRecord, { points: 1 })).toThrow("The 'points' option of BudgetOptimizer.responseCurve must be an integer >= 2. Got 1.");
  });

  it('refuses bad records with a typed error naming the field', () => {
    const cases: [unknown, string, string][] = [
      [{ current_spend: 100 }, 'channel_id', "The record has no 'channel_id'. BudgetOptimizer.recommend needs the channel to optimize"],
      [{ channel_id: 7, current_spend: 100 }, 'channel_id', "The record's 'channel_id' must be a non-empty string naming a channel. Got 7."],
      [{ channel_id: 'tiktok', current_spend: 100 }, 'channel_id', "The record's 'channel_id' is 'tiktok', a channel the model never saw in training"],
      [{ channel_id: 'search' }, 'current_spend', "The record has no 'current_spend' (current spend, currency per period)."],
      [{ channel_id: 'search', current_spend: '500' }, 'current_spend', "The record's 'current_spend' must be a finite number > 0 (currency per period). Got \"500\"."],
      [{ channel_id: 'search', current_spend: Number.NaN }, 'current_spend', "The record's 'current_spend' must be a finite number > 0 (currency per period). Got NaN."],
      [{ channel_id: 'search', current_spend: 100, cpm: Number.NaN }, 'cpm', "The record's 'cpm' must be a finite number, or null for a missing value. Got NaN."],
      [{ channel_id: 'search', current_spend: 100, objective_type: 3 }, 'objective_type', "The record's 'objective_type' must be a category name (string), or null for a missing value. Got 3."],
    ];
    for (const [record, field, message] of cases) {
      expect(expectKdapError(() => optimizer.recommend(record as never), 'ERR_KDAP_SCHEMA', message)).toMatchObject({ column: field });
    }
    expectKdapError(() => optimizer.recommend(null as never), 'ERR_KDAP_PARAMETER');
    // Absent context features are missing values, and null is the same as absent.
    expect(optimizer.recommend({ ...readmeRecord, cpm: null })).toEqual(optimizer.recommend(readmeRecord));
  });

  describe('allocate', () => {
    const channels = Object.entries(data.responseCurves).map(([channel, t]) => ({ ...channelContext(data.train, channel), current_spend: t.typicalSpend }));
    const total = channels.reduce((s, c) => s + c.current_spend, 0);

    it('spends the budget within bounds, keeps locked channels, and is never worse than the current split', () => {
      const a = optimizer.allocate({ totalBudget: total, channels, minSpend: { search: 1000 }, maxSpend: { social: 1500 }, locked: ['video'] });
      const byId = Object.fromEntries(a.channels.map((c) => [c.channel_id, c]));
      expect(a.channels.reduce((s, c) => s + c.optimal_spend, 0)).toBeCloseTo(total, 6);
      expect(byId.search!.optimal_spend).toBeGreaterThanOrEqual(1000);
      expect(byId.social!.optimal_spend).toBeLessThanOrEqual(1500);
      expect(byId.video!.optimal_spend).toBe(byId.video!.current_spend);
      expect(byId.video!.locked).toBe(true);
      expect(a.expected_gain).toBeCloseTo(a.expected_total_return - a.current_expected_total_return, 6);
      const free = optimizer.allocate({ totalBudget: total, channels });
      expect(free.expected_total_return).toBeGreaterThanOrEqual(free.current_expected_total_return);
      // Bounds only take options away.
      expect(free.expected_total_return).toBeGreaterThanOrEqual(a.expected_total_return - 1e-6);
    });

    it('refuses infeasible bounds with a typed error saying which', () => {
      const expectInfeasible = (options: Parameters<BudgetOptimizer['allocate']>[0], field: string, message: string) => {
        expect(expectKdapError(() => optimizer.allocate(options), 'ERR_KDAP_PARAMETER', message)).toMatchObject({ parameter: field });
      };
      expectInfeasible({ totalBudget: 1000, channels, minSpend: { search: 800, social: 800 } }, 'minSpend', 'The minimum spends add up to 1600, above the total budget (1000). Lower minSpend or raise totalBudget.');
      expectInfeasible({ totalBudget: 1000, channels, minSpend: { search: 900 }, maxSpend: { search: 500 } }, 'minSpend', "The minSpend of 'search' (900) is above its maxSpend (500).");
      expectInfeasible({ totalBudget: 10, channels, locked: ['search'] }, 'locked', 'The locked channels spend');
      const allMax = Object.fromEntries(Object.keys(data.responseCurves).map((c) => [c, 10]));
      expectInfeasible({ totalBudget: 1000, channels, maxSpend: allMax }, 'maxSpend', 'The maximum spends add up to 60, below the total budget (1000), so the budget cannot be spent.');
      expect(() => optimizer.allocate({ totalBudget: 1000, channels, minSpend: { tv: 5 } })).toThrow(
        "The 'minSpend' option of BudgetOptimizer.allocate names 'tv', which is not among the channels",
      );
      expect(() => optimizer.allocate({ totalBudget: Number.NaN, channels })).toThrow(
        "The 'totalBudget' option of BudgetOptimizer.allocate must be a finite number >= 0 (currency per period). Got NaN.",
      );
      expect(() => optimizer.allocate({ totalBudget: 1000, channels: [channels[0]!, channels[0]!] })).toThrow("lists 'search' twice");
    });
  });

  it('saves a bundle that loads to identical recommendations and allocations', async () => {
    await trainer.save(join(dir, 'model'));
    const loaded = await BudgetOptimizer.load(join(dir, 'model'));
    expect(loaded.recommend(readmeRecord)).toEqual(optimizer.recommend(readmeRecord));
    const channels = Object.keys(data.responseCurves).map((c) => ({ ...channelContext(data.train, c), current_spend: 1500 }));
    expect(loaded.allocate({ totalBudget: 9000, channels })).toEqual(optimizer.allocate({ totalBudget: 9000, channels }));
    expect(loaded.predict(data.validation)).toEqual(trainer.predict(data.validation));
  });

  it('refuses a corrupt bundle with a BundleError', async () => {
    await trainer.save(join(dir, 'corrupt'));
    const file = join(dir, 'corrupt', 'model.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('tree', 'trex'));
    await expectKdapError(() => BudgetOptimizer.load(join(dir, 'corrupt')), 'ERR_KDAP_BUNDLE');
    await expect(BudgetOptimizer.load(join(dir, 'corrupt'))).rejects.toThrow(/model\.txt/);
  });

  it('says what to call before it is fitted', () => {
    const fresh = new BudgetOptimizerTrainer({ config });
    expectKdapError(() => fresh.optimizer(), 'ERR_KDAP_NOT_FITTED');
    expect(() => fresh.optimizer()).toThrow('BudgetOptimizerTrainer.optimizer() needs a fitted model. Call train(XTrain, yTrain) or fit(table, { target }) first.');
    expect(() => fresh.predict(data.validation)).toThrow('BudgetOptimizerTrainer.predict() needs a fitted model.');
  });

  it('exposes feature importance and SHAP contributions that add up to the prediction', () => {
    const gain = optimizer.featureImportance('gain');
    expect(Object.keys(gain)).toEqual(trainer.featureSchema.featureNames);
    expect(gain.effective_spend! + gain.current_spend!).toBeGreaterThan(0);
    const sample = data.validation.slice(0, 20);
    const { values, bias } = optimizer.contributions(sample);
    const predicted = optimizer.predict(sample);
    values.forEach((row, i) => expect(row.reduce((a, b) => a + b, bias[i]!)).toBeCloseTo(predicted[i]!, 6));
  });

  it('trains on the columns present when the table lacks configured features, and says so once', async () => {
    const t = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 20 } } }) });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await t.fit(data.train.drop(['cpm', 'ctr', 'objective_type']), { holdOut: false });
    } finally {
      warn.mockRestore();
    }
    expect(t.notices).toEqual([
      "BudgetOptimizerTrainer: the training table has no column 'cpm', 'ctr', 'objective_type'; training on the columns present (these features are missing values for the model).",
    ]);
    expect(t.optimizer().recommend(readmeRecord).channel_id).toBe('search');
  });
});
