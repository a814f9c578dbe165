import { AbortError, ConfigError, ParameterError } from '@kdap/errors';
import { expectKdapError, SeededRandom } from '@kdap/test-support';
import { anomalyDetectorDefaults, budgetOptimizerDefaults, propensityDefaults } from '../config/defaults';
import { applyOverrides } from '../config/load-config';
import { categoriesOf, numbersOf, tableOf, withColumn, withoutColumns } from '../testing/in-memory-table';
import { LinearBudgetTrainer, LinearPropensityTrainer, type LinearModel } from '../testing/linear-trainer';
import type { FeatureMatrix } from '../schema/feature-matrix';
import { ZScoreAnomalyTrainer } from '../testing/zscore-anomaly-trainer';
import type { FitOutcome } from './fitted-model';
import type { TrainingProgress } from './progress';
import type { TrackedRun } from './tracker';
import { Trainer, type FitContext, type TrainingData } from './trainer';

const config = applyOverrides('budget', budgetOptimizerDefaults, {
  features: { numerical: ['current_spend', 'historical_roi_mean', 'cpm'], categorical: ['channel_id'] },
  hyperparameters: { lightgbm: { learning_rate: 0.3, n_estimators: 150 } },
  training: { early_stopping_rounds: 10 },
});
const channels = ['display', 'search', 'social'];
const offsets: Record<string, number> = { display: 0, search: 5000, social: -3000 };

/** return = 1.5 * spend + 10000 * roi + channel offset + noise (currency units). */
function budgetTable(n: number, seed: number) {
  const r = new SeededRandom(seed);
  const spend = r.array(n, (g) => 1000 + 99000 * g.next());
  const roi = r.array(n, (g) => 2 + 0.5 * g.normal());
  const cpm = r.array(n, (g) => 5 + 15 * g.next());
  const channel = r.array(n, (g) => g.integer(3)).map((i) => channels[i]!);
  const ret = spend.map((s, i) => 1.5 * s + 10000 * roi[i]! + offsets[channel[i]!]! + 1000 * r.normal());
  return tableOf({ current_spend: spend, historical_roi_mean: roi, cpm, channel_id: channel, return: ret });
}

const train = budgetTable(300, 1);
const validation = budgetTable(100, 2);
const target = (t: ReturnType<typeof budgetTable>) => numbersOf(t, 'return');

describe('construction', () => {
  it('validates flat params with the parameter message shape', () => {
    expect(() => new LinearBudgetTrainer({ config, params: { num_leaves: 1 } })).toThrow(ParameterError);
    expect(() => new LinearBudgetTrainer({ config, params: { num_leaves: 1 } })).toThrow(
      "The 'num_leaves' parameter of LinearBudgetTrainer must be an integer between 2 and 131072. Got 1.",
    );
    expect(() => new LinearBudgetTrainer({ config, params: { learning_rate: 'fast' } })).toThrow(
      "The 'learning_rate' parameter of LinearBudgetTrainer must be a number > 0. Got \"fast\".",
    );
    expect(() => new LinearBudgetTrainer({ config, params: { num_leave: 31 } })).toThrow(/^LinearBudgetTrainer has no parameter 'num_leave'\. Did you mean 'num_leaves'\?/);
  });

  it('applies params and config-shaped overrides over the configuration', () => {
    const trainer = new LinearBudgetTrainer({ config, params: { num_leaves: 63 }, overrides: { tuning: { n_trials: 5 } } });
    expect(trainer.params.num_leaves).toBe(63);
    expect(trainer.params.learning_rate).toBe(0.3);
    expect(trainer.config.tuning.n_trials).toBe(5);
    expect(config.hyperparameters.lightgbm.num_leaves).toBe(31);
  });

  it('reports bad overrides as configuration problems naming the overrides', () => {
    expect(() => new LinearBudgetTrainer({ config, overrides: { hyperparameters: { lightgbm: { learning_rate: 0 } } } })).toThrow(ConfigError);
    expect(() => new LinearBudgetTrainer({ config, overrides: { hyperparameters: { lightgbm: { learning_rate: 0 } } } })).toThrow(
      'overrides: hyperparameters.lightgbm.learning_rate must be a number > 0, got 0',
    );
  });

  it('rejects a misspelled option', () => {
    expect(() => new LinearBudgetTrainer({ config, trackr: {} } as never)).toThrow(/^LinearBudgetTrainer has no option 'trackr'\. Did you mean 'tracker'\?/);
  });

  it('is a Trainer; the base class itself cannot be instantiated (checked by tsc)', () => {
    expect(new LinearBudgetTrainer({ config })).toBeInstanceOf(Trainer);
    // Never called: tsc fails the build if Trainer stops being abstract.
    const notAbstract = () =>
      // @ts-expect-error Cannot create an instance of an abstract class.
      new Trainer({ name: 'X', kind: 'budget', paramsSection: 'lightgbm', requiredFeatures: [] }, { config });
    expect(typeof notAbstract).toBe('function');
  });
});

describe('train', () => {
  it('fits, reports the Python metric names and timings, and learns the relationship', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    const result = await trainer.train(train, target(train), validation, target(validation));
    expect(Object.keys(result.metrics).sort()).toEqual(['mae', 'mape', 'r2', 'rmse']);
    expect(result.validationMetrics).toBe(result.metrics);
    // The data are linear with noise sd 1000 against a spread of ~45000: a linear model fits well.
    expect(result.metrics.r2).toBeGreaterThan(0.95);
    expect(result.metrics.rmse).toBeLessThan(5000);
    for (const t of Object.values(result.timings)) expect(t).toBeGreaterThanOrEqual(0);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.fitMs);
    expect(trainer.isFitted).toBe(true);
  });

  it('emits one progress event per iteration, to the callback and to listeners, and keeps the history', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    const viaCallback: TrainingProgress[] = [];
    const viaEvent: TrainingProgress[] = [];
    trainer.on('progress', (p) => viaEvent.push(p));
    const result = await trainer.train(train, target(train), validation, target(validation), { onProgress: (p) => viaCallback.push(p) });
    expect(viaCallback.length).toBeGreaterThan(10);
    expect(viaEvent).toEqual(viaCallback);
    expect(viaCallback.map((p) => p.iteration)).toEqual(viaCallback.map((_, i) => i + 1));
    expect(viaCallback.every((p) => p.totalIterations === 150)).toBe(true);
    expect(result.history.validation_loss).toHaveLength(viaCallback.length);
    expect(result.history.train_loss).toEqual(viaCallback.map((p) => p.metrics.train_loss));
    const losses = result.history.validation_loss!;
    expect(result.bestIteration).toBe(losses.indexOf(Math.min(...losses)) + 1);
  });

  it('stops between iterations on an AbortSignal and stays unfitted', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    const controller = new AbortController();
    const run = trainer.train(train, target(train), undefined, undefined, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 3) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(run).rejects.toThrow(AbortError);
    await expect(run).rejects.toThrow('LinearBudgetTrainer training was aborted after iteration 3.');
    expect(trainer.isFitted).toBe(false);
    await expect(trainer.train(train, target(train), undefined, undefined, { signal: AbortSignal.abort() })).rejects.toThrow(
      'LinearBudgetTrainer training was aborted before training started.',
    );
  });

  it('refuses a second train() while the first is running, and trains again afterwards', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    const first = trainer.train(train, target(train));
    await expectKdapError(() => trainer.train(train, target(train)), 'ERR_KDAP_USAGE');
    await expect(trainer.fit(train)).rejects.toThrow(
      'LinearBudgetTrainer is already training. Await the previous train()/fit() (or abort it) first, or use a second trainer.',
    );
    await first;
    await expect(trainer.train(train, target(train))).resolves.toHaveProperty('metrics');
  });

  it('checks its arguments', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    await expect(trainer.train(train, [1, 2, 3])).rejects.toThrow(
      new ParameterError('yTrain', "The 'yTrain' argument of LinearBudgetTrainer.train must hold one value per row of XTrain (300). Got 3."),
    );
    const withNaN = Array.from(target(train));
    withNaN[7] = Number.NaN;
    await expect(trainer.train(train, withNaN)).rejects.toThrow("The 'yTrain' argument of LinearBudgetTrainer.train must hold finite numbers. Got NaN at row 7.");
    await expect(trainer.train(train, target(train), validation)).rejects.toThrow('LinearBudgetTrainer.train needs XVal and yVal together. Got only XVal.');
    await expect(trainer.train(train, target(train), undefined, undefined, { signl: 1 } as never)).rejects.toThrow(/has no option 'signl'\. Did you mean 'signal'\?/);
  });

  it('refuses a training table that lacks a configured feature, naming it', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    const run = trainer.train(withoutColumns(train, ['cpm']), target(train));
    expect(await expectKdapError(() => run, 'ERR_KDAP_SCHEMA')).toMatchObject({ column: 'cpm' });
    await expect(run).rejects.toThrow(
      "The training table has no column 'cpm' (a numerical feature in the configuration). Add it, or remove it from features.numerical.",
    );
  });
});

describe('predictions the fit already holds (FitOutcome.predictions)', () => {
  /** Hands the base class the given predictions and counts the model's predict calls until the fit ends. */
  class KnownPredictionsTrainer extends LinearBudgetTrainer {
    predictCalls = 0;
    constructor(private readonly known: (data: TrainingData, predict: (X: FeatureMatrix) => Float64Array) => FitOutcome<LinearModel>['predictions']) {
      super({ config });
    }
    protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<LinearModel>> {
      const outcome = await super.fitModel(data, context);
      const predict = outcome.model.predict.bind(outcome.model);
      outcome.model.predict = (X) => {
        this.predictCalls++;
        return predict(X);
      };
      return { ...outcome, predictions: this.known(data, predict) };
    }
  }
  const plain = new LinearBudgetTrainer({ config });
  beforeAll(() => plain.train(train, target(train), validation, target(validation)));

  it('computes the metrics from them instead of predicting the rows again', async () => {
    const trainer = new KnownPredictionsTrainer((data, predict) => ({ train: predict(data.train.X), validation: predict(data.validation!.X) }));
    const result = await trainer.train(train, target(train), validation, target(validation));
    expect(trainer.predictCalls).toBe(0);
    expect(result.trainMetrics).toEqual(plain.result.trainMetrics);
    expect(result.validationMetrics).toEqual(plain.result.validationMetrics);
  });

  it('uses them as given (a shifted array shifts the metrics), and predicts a set left out', async () => {
    const trainer = new KnownPredictionsTrainer((data, predict) => ({ validation: predict(data.validation!.X).map((p) => p + 1000) }));
    const result = await trainer.train(train, target(train), validation, target(validation));
    expect(trainer.predictCalls).toBe(1);
    expect(result.trainMetrics).toEqual(plain.result.trainMetrics);
    expect(result.validationMetrics!.mae).not.toBeCloseTo(plain.result.validationMetrics!.mae!, 3);
  });

  it('takes metrics the fit computed from them (FitOutcome.predictionMetrics) as given, and computes a set left out', async () => {
    class KnownMetricsTrainer extends LinearBudgetTrainer {
      constructor(private readonly compute: (trainer: KnownMetricsTrainer, data: TrainingData, predict: (X: FeatureMatrix) => Float64Array) => Record<string, number>) {
        super({ config });
      }
      metricsOf(y: Float64Array | undefined, predicted: Float64Array): Record<string, number> {
        return this.metricsFor(y, predicted);
      }
      protected override async fitModel(data: TrainingData, context: FitContext): Promise<FitOutcome<LinearModel>> {
        const outcome = await super.fitModel(data, context);
        const predict = outcome.model.predict.bind(outcome.model);
        return { ...outcome, predictionMetrics: { train: this.compute(this, data, predict) } };
      }
    }
    const computed = new KnownMetricsTrainer((t, data, predict) => t.metricsOf(data.train.y, predict(data.train.X)));
    const result = await computed.train(train, target(train), validation, target(validation));
    expect(result.trainMetrics).toEqual(plain.result.trainMetrics);
    expect(result.validationMetrics).toEqual(plain.result.validationMetrics);
    const given = new KnownMetricsTrainer(() => ({ mae: 123 }));
    const taken = await given.train(train, target(train), validation, target(validation));
    expect(taken.trainMetrics).toEqual({ mae: 123 });
    expect(taken.validationMetrics).toEqual(plain.result.validationMetrics);
  });

  it('predicts a set whose array has another length than its rows', async () => {
    const trainer = new KnownPredictionsTrainer((data, predict) => ({ train: predict(data.train.X).subarray(1), validation: new Float64Array(0) }));
    const result = await trainer.train(train, target(train), validation, target(validation));
    expect(trainer.predictCalls).toBe(2);
    expect(result.trainMetrics).toEqual(plain.result.trainMetrics);
    expect(result.validationMetrics).toEqual(plain.result.validationMetrics);
  });
});

describe('fit, predict and evaluate', () => {
  let trainer: LinearBudgetTrainer;
  beforeAll(async () => {
    trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(train, { target: 'return', validation });
  });

  it('fit(table, { target }) is train() with the target column split off', async () => {
    const viaTrain = new LinearBudgetTrainer({ config });
    await viaTrain.train(train, target(train), validation, target(validation));
    expect(trainer.predict(validation)).toEqual(viaTrain.predict(validation));
  });

  it('defaults the target to features.target and names a missing target column', async () => {
    const other = new LinearBudgetTrainer({ config });
    await expect(other.fit(withoutColumns(train, ['return']))).rejects.toThrow(
      "LinearBudgetTrainer: the table has no target column 'return'. Its columns are: current_spend, historical_roi_mean, cpm, channel_id.",
    );
    await expect(other.fit(train, { target: 'retrun' })).rejects.toThrow(/no target column 'retrun'\. Did you mean 'return'\?/);
  });

  it('evaluate(table) gives the same metrics as the training result on the validation table', () => {
    expect(trainer.evaluate(validation)).toEqual(trainer.result.validationMetrics);
  });

  it('a required feature absent at predict time is a SchemaError naming it', () => {
    expect(expectKdapError(() => trainer.predict(withoutColumns(validation, ['current_spend'])), 'ERR_KDAP_SCHEMA')).toMatchObject({ column: 'current_spend' });
    expect(() => trainer.predict(withoutColumns(validation, ['channel_id']))).toThrow(
      "The required feature 'channel_id' is absent from the table. The model was fitted with it and cannot score without it.",
    );
  });

  it('an optional feature absent at predict time scores as missing values', () => {
    const absent = trainer.predict(withoutColumns(validation, ['cpm']));
    const allMissing = trainer.predict(withColumn(validation, 'cpm', { kind: 'numeric', values: new Float64Array(validation.rowCount).fill(Number.NaN) }));
    expect(absent).toEqual(allMissing);
    expect(absent).not.toEqual(trainer.predict(validation));
  });

  it('an unknown category scores as missing by default, and is an error under the error policy', async () => {
    const unseen = withColumn(validation, 'channel_id', { kind: 'categorical', codes: new Int32Array(validation.rowCount).fill(0), categories: ['tiktok'] });
    const missing = withColumn(validation, 'channel_id', { kind: 'categorical', codes: new Int32Array(validation.rowCount).fill(-1), categories: [] });
    expect(trainer.predict(unseen)).toEqual(trainer.predict(missing));

    const strict = new LinearBudgetTrainer({ config, featurePolicy: { unknownCategory: 'error' } });
    await strict.fit(train);
    expect(expectKdapError(() => strict.predict(unseen), 'ERR_KDAP_SCHEMA')).toMatchObject({ column: 'channel_id' });
    expect(() => strict.predict(unseen)).toThrow(
      "The feature 'channel_id' has the category 'tiktok' (row 0), which the model never saw in training. Known categories: display, search, social. Use the 'missing' unknown-category policy to score it as missing.",
    );
  });

  it('maps categories by name, not by code, so a table with another category order scores the same', () => {
    const column = categoriesOf(validation, 'channel_id');
    const reversed = [...column.categories].reverse();
    const recoded = Int32Array.from(column.codes, (c) => reversed.indexOf(column.categories[c]!));
    expect(trainer.predict(withColumn(validation, 'channel_id', { kind: 'categorical', codes: recoded, categories: reversed }))).toEqual(trainer.predict(validation));
  });

  it('a mistyped column is an error by default and is coerced under the coerce policy', async () => {
    const spend = numbersOf(validation, 'current_spend');
    const asText = withColumn(validation, 'current_spend', {
      kind: 'categorical',
      codes: Int32Array.from(spend, (_, i) => i),
      categories: Array.from(spend, (v) => String(v)),
    });
    expect(() => trainer.predict(asText)).toThrow(
      "The feature 'current_spend' must be a numeric column, but the scoring table has a categorical column. Fix the column's type (e.g. a schema override when reading the file), or use the 'coerce' mistyped-value policy.",
    );
    const lenient = new LinearBudgetTrainer({ config, featurePolicy: { mistyped: 'coerce' } });
    await lenient.fit(train);
    expect(lenient.predict(asText)).toEqual(lenient.predict(validation));
    const garbled = withColumn(validation, 'current_spend', { kind: 'categorical', codes: new Int32Array(validation.rowCount).fill(0), categories: ['n/a'] });
    const nan = withColumn(validation, 'current_spend', { kind: 'numeric', values: new Float64Array(validation.rowCount).fill(Number.NaN) });
    expect(lenient.predict(garbled)).toEqual(lenient.predict(nan));
  });

  it('says what to call when used before fitting', () => {
    const fresh = new LinearBudgetTrainer({ config });
    expectKdapError(() => fresh.predict(validation), 'ERR_KDAP_NOT_FITTED');
    expect(() => fresh.predict(validation)).toThrow('LinearBudgetTrainer.predict() needs a fitted model. Call train(XTrain, yTrain) or fit(table, { target }) first.');
    expect(() => fresh.evaluate(validation)).toThrow('LinearBudgetTrainer.evaluate() needs a fitted model.');
  });
});

describe('logToMlflow', () => {
  it('explains that tracking is not configured when no tracker was given and no default tracker is installed', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(train);
    // Where @kdap/mlflow is installed it is the default (MLflow's ./mlflow.db; the contract suite
    // covers that): here it offers none, as for a service that installed @kdap/core alone.
    jest.doMock('@kdap/mlflow', () => ({}));
    const run = trainer.logToMlflow({ runName: 'budget-v1' });
    try {
      await expectKdapError(() => run, 'ERR_KDAP_TRACKING');
    } finally {
      jest.dontMock('@kdap/mlflow');
    }
    await expect(run).rejects.toThrow(
      "LinearBudgetTrainer.logToMlflow() has no tracker, so nothing was logged (the fitted model is kept). Pass one with the 'tracker' option (an object with logRun(run) returning the run id), or set mlflow.tracking_uri, then call logToMlflow() again.",
    );
  });

  it('delegates to the tracker and returns its run id', async () => {
    const runs: TrackedRun[] = [];
    const trainer = new LinearBudgetTrainer({ config, tracker: { logRun: async (run) => (runs.push(run), 'run-123') } });
    await trainer.fit(train, { validation });
    await expect(trainer.logToMlflow({ runName: 'budget-v1' })).resolves.toBe('run-123');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      runName: 'budget-v1',
      experimentName: 'kdap-ml',
      params: { num_leaves: 31, learning_rate: 0.3, n_estimators: 150, objective: 'regression' },
      metrics: trainer.result.metrics,
      tags: { 'kdap.model': 'budget', 'kdap.trainer': 'LinearBudgetTrainer', 'kdap.environment': 'dev' },
    });
    expect(runs[0]!.history.validation_loss).toEqual(trainer.result.history.validation_loss);
    await expect(trainer.logToMlflow({ runName: '' })).rejects.toThrow("The 'runName' option of LinearBudgetTrainer.logToMlflow must be a non-empty string. Got \"\".");
  });
});

describe('a classification trainer', () => {
  const pConfig = applyOverrides('propensity', propensityDefaults, {
    features: { numerical: ['recency', 'frequency'], categorical: ['preferred_channel'] },
    hyperparameters: { xgboost: { learning_rate: 0.5, n_estimators: 60 } },
  });
  const r = new SeededRandom(7);
  const n = 400;
  const recency = r.array(n, (g) => 365 * g.next());
  const frequency = r.array(n, (g) => g.integer(20));
  const channel = r.array(n, (g) => g.integer(2)).map((i) => ['email', 'web'][i]!);
  const converted = recency.map((d, i) => (1 / (1 + Math.exp((d - 180) / 40 - 0.1 * frequency[i]!)) > r.next() ? 1 : 0));
  const table = tableOf({ recency, frequency, preferred_channel: channel, converted });

  it('reports the classification metrics with the configured threshold', async () => {
    const trainer = new LinearPropensityTrainer({ config: pConfig });
    const result = await trainer.fit(table);
    expect(Object.keys(result.metrics).sort()).toEqual(['auc_pr', 'auc_roc', 'brier', 'f1', 'log_loss', 'precision', 'recall', 'threshold']);
    expect(result.metrics.threshold).toBe(0.5);
    expect(result.metrics.auc_roc).toBeGreaterThan(0.8);
    for (const p of trainer.predict(table)) expect(p >= 0 && p <= 1).toBe(true);
  });

  it('refuses labels that are not 0/1', async () => {
    const trainer = new LinearPropensityTrainer({ config: pConfig });
    await expect(trainer.train(table, converted.map((c) => c * 2))).rejects.toThrow(
      "The 'yTrain' argument of LinearPropensityTrainer.train must hold 0/1 labels. Got 2 at row",
    );
  });
});

describe('an unsupervised anomaly trainer', () => {
  const aConfig = applyOverrides('anomaly', anomalyDetectorDefaults, { features: { numerical: ['value'], categorical: [] } });
  // 20 points: 18 at 10, one spike at 100 and one drop at -80; mean 10, sd sqrt(2 * 90^2 / 20) = 28.46.
  // |z| of the spike and drop = 90 / 28.46 = 3.16 > 3, of the rest 0.
  const values = [...new Array<number>(18).fill(10), 100, -80];
  const table = tableOf({ value: values });

  it('trains without labels and reports the detected anomaly rate only', async () => {
    expect(anomalyDetectorDefaults.features.target).toBeNull();
    const trainer = new ZScoreAnomalyTrainer({ config: aConfig });
    const result = await trainer.train(table, undefined);
    expect(result.metrics).toEqual({ detected_anomaly_rate: 0.1 });
    expect(Array.from(trainer.predict(table))).toEqual([...new Array<number>(18).fill(0), 1, 1]);
  });

  it('adds precision, recall and F1 when labels are given', async () => {
    const trainer = new ZScoreAnomalyTrainer({ config: aConfig });
    // Labels mark the spike and one normal point: tp 1, fp 1, fn 1.
    const labels = [1, ...new Array<number>(17).fill(0), 1, 0];
    const result = await trainer.train(table, labels);
    expect(result.metrics).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, detected_anomaly_rate: 0.1 });
  });
});

describe('lifetime', () => {
  it('dispose() frees the fitted model, is idempotent, and every later call throws DisposedError', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(train);
    const model = trainer.model;
    trainer.dispose();
    trainer.dispose();
    expect(trainer.disposed).toBe(true);
    expect(model.disposed).toBe(true);
    expectKdapError(() => model.predict({ rows: 0, cols: 0, values: new Float64Array(0) } as never), 'ERR_KDAP_DISPOSED', 'LinearModel has been disposed');
    expectKdapError(() => trainer.predict(validation), 'ERR_KDAP_DISPOSED', 'LinearBudgetTrainer has been disposed');
    expectKdapError(() => trainer.model, 'ERR_KDAP_DISPOSED');
    await expectKdapError(() => trainer.fit(train), 'ERR_KDAP_DISPOSED');
    await expectKdapError(() => trainer.save('/nonexistent'), 'ERR_KDAP_DISPOSED');
  });

  it('a refit disposes the model it replaces and keeps the new one', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(train);
    const first = trainer.model;
    await trainer.fit(train);
    expect(first.disposed).toBe(true);
    expect(trainer.model).not.toBe(first);
    expect(trainer.model.disposed).toBe(false);
    expect(trainer.predict(validation)).toHaveLength(validation.rowCount);
    trainer.dispose();
  });

  it('a training aborted after fitting frees the model it made and keeps the previous one', async () => {
    const trainer = new LinearBudgetTrainer({ config });
    await trainer.fit(train);
    const kept = trainer.model;
    const controller = new AbortController();
    let made: { disposed: boolean } | undefined;
    const spy = trainer as unknown as { fitModel: (...a: unknown[]) => Promise<{ model: { disposed: boolean } }> };
    const fitModel = spy.fitModel.bind(trainer);
    spy.fitModel = async (...a: unknown[]) => {
      const outcome = await fitModel(...a);
      made = outcome.model;
      controller.abort();
      return outcome;
    };
    await expectKdapError(() => trainer.fit(train, { signal: controller.signal }), 'ERR_KDAP_ABORTED');
    expect(made?.disposed).toBe(true);
    expect(trainer.model).toBe(kept);
    expect(kept.disposed).toBe(false);
  });

  it('works with a using declaration', async () => {
    let model: { disposed: boolean } | undefined;
    {
      using trainer = new LinearBudgetTrainer({ config });
      await trainer.fit(train);
      model = trainer.model;
      expect(model.disposed).toBe(false);
    }
    expect(model.disposed).toBe(true);
  });
});
