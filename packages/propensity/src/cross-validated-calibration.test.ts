import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableRows, type FeatureTable } from '@kdap/core';
import { dateColumn, syntheticCustomers, type Table } from '@kdap/preprocessing';
import { expectKdapError, runPythonJson, SeededRandom } from '@kdap/test-support';
import { contiguousFolds, stratifiedFolds } from './folds';
import type { IsotonicCalibrator } from './isotonic';
import { PropensityScorer } from './scorer';
import { propensitySplits } from './splits';
import { PropensityTrainer } from './trainer';

const REFERENCE = join(__dirname, 'testing', 'calibrated_cv_reference.py');

describe('calibration folds (scikit-learn StratifiedKFold / KFold, shuffle=False)', () => {
  it('deals the same folds as scikit-learn over random, imbalanced labels (either class first)', () => {
    const rng = new SeededRandom(17);
    const cases = Array.from({ length: 12 }, (_, trial) => {
      const n = 20 + rng.integer(400);
      const k = 2 + (trial % 6);
      const share = 0.05 + 0.9 * rng.next();
      const y: number[] = rng.array(n, (r) => (r.next() < share ? 1 : 0));
      y[0] = trial % 2;
      // Every class has at least k rows.
      for (let c = 0; c < k; c++) {
        y[1 + c] = 0;
        y[1 + k + c] = 1;
      }
      return { y, k, order: null };
    });
    const reference = runPythonJson<{ folds: number[][] }>(REFERENCE, { mode: 'folds', cases });
    cases.forEach(({ y, k }, i) => expect(Array.from(stratifiedFolds(y, k, 'test'))).toEqual(reference.folds[i]));
  });

  it('cuts rows taken in a given order into contiguous folds as KFold does (first n % k folds one longer)', () => {
    const rng = new SeededRandom(18);
    const cases = ([[10, 3], [101, 5], [7, 7], [250, 4]] as const).map(([n, k]) => ({ y: new Array<number>(n).fill(0), k, order: Array.from(rng.permutation(n)) }));
    const reference = runPythonJson<{ folds: number[][] }>(REFERENCE, { mode: 'folds', cases });
    cases.forEach(({ order, k }, i) => expect(Array.from(contiguousFolds(order, k, 'test'))).toEqual(reference.folds[i]));
  });

  it('refuses more folds than rows of a class, naming the key and the count', () => {
    const err = expectKdapError(() => stratifiedFolds([0, 1, 0, 0, 1, 0], 3, 'PropensityTrainer'), 'ERR_KDAP_PARAMETER');
    expect(err.message).toBe(
      'PropensityTrainer: calibration.cv_folds is 3, but the training rows hold only 2 with target 1, so a fold would have none. Use at most 2 folds, or a held-out split (cv_folds: null).',
    );
  });

  it('is a config key: null or an integer >= 2', () => {
    expect(new PropensityTrainer().config.calibration.cv_folds).toBeNull();
    expect(() => new PropensityTrainer({ overrides: { calibration: { cv_folds: 1 } } })).toThrow('overrides: calibration.cv_folds must be an integer >= 2, got 1');
  });
});

interface Reference {
  x: number[];
  y: number[];
  raw_test: number[];
  calibrated_test: number[];
}

/** Our cross-validated fit next to scikit-learn's CalibratedClassifierCV on the same training rows. */
async function compareWithScikitLearn(table: Table, dated: boolean): Promise<{ trainer: PropensityTrainer; reference: Reference }> {
  const trainer = new PropensityTrainer({ params: { n_estimators: 60, max_depth: 4, learning_rate: 0.1 }, overrides: { calibration: { cv_folds: 4 } } });
  await (dated ? trainer.fit(table, { target: 'converted' }) : trainer.fit(table));
  const config = trainer.config;
  const y = Float64Array.from(table.numeric('converted').values);
  const dates = dated ? (table.column('signup_date') as { values: Float64Array }).values : undefined;
  const splits = propensitySplits(y, { test: config.data.test_size, calibration: 0, validation: config.data.validation_size }, config.data.random_state, dates);
  const schema = trainer.featureSchema;
  const part = (rows: Int32Array) => {
    const X = schema.encode(tableRows(table as FeatureTable, rows));
    return { X: Array.from(X.values, (v) => (Number.isNaN(v) ? null : v)), rows: X.rows, cols: X.cols, y: Array.from(rows, (i) => y[i]!) };
  };
  // Oldest first, ties by row: the order the folds follow with a date column.
  const order = dates && Array.from(splits.train.keys()).sort((a, b) => dates[splits.train[a]!]! - dates[splits.train[b]!]! || a - b);
  const state = trainer.model.state;
  const reference = runPythonJson<Reference>(REFERENCE, {
    mode: 'calibrate',
    params: state.params,
    rounds: state.rounds,
    feature_names: schema.featureNames,
    feature_types: state.featureTypes,
    k: 4,
    order: order ?? null,
    train: part(splits.train),
    test: part(splits.test),
  });
  const testX = schema.encode(tableRows(table as FeatureTable, splits.test));
  expect(Array.from(trainer.model.rawScores(testX))).toEqual(reference.raw_test);
  const calibrator = (trainer.model.calibrator as IsotonicCalibrator).toJSON();
  expect(calibrator.x).toHaveLength(reference.x.length);
  calibrator.x.forEach((v, i) => expect(Math.abs(v - reference.x[i]!)).toBeLessThanOrEqual(1e-12));
  calibrator.y.forEach((v, i) => expect(Math.abs(v - reference.y[i]!)).toBeLessThanOrEqual(1e-12));
  trainer.model.predict(testX).forEach((p, i) => expect(Math.abs(p - reference.calibrated_test[i]!)).toBeLessThanOrEqual(1e-12));
  expect(state.calibrationFolds).toBe(4);
  expect(state.splits.calibration).toBe(0);
  return { trainer, reference };
}

describe('cross-validated calibration (calibration.cv_folds) vs scikit-learn CalibratedClassifierCV(ensemble=False)', () => {
  const { table } = syntheticCustomers({ samples: 3000, seed: 4242 });

  it('fits the same isotonic calibrator on the same out-of-fold scores, and predicts the same (stratified folds)', async () => {
    const { trainer } = await compareWithScikitLearn(table, false);
    // No calibration holdout: the training rows are all the rows but the metric and early-stopping ones.
    expect(trainer.model.state.splits.train).toBe(3000 - 600 - 240);
    trainer.dispose();
  }, 600_000);

  it('with a date column the folds are periods of the training rows (KFold over them, oldest first)', async () => {
    const days = Float64Array.from({ length: table.rowCount }, (_, i) => Date.UTC(2025, 0, 1) + ((i * 7919) % 1500) * 86400000);
    const { trainer } = await compareWithScikitLearn(table.withColumn('signup_date', dateColumn(days)), true);
    expect(trainer.model.state.splits.order).toBe('time');
    trainer.dispose();
  }, 600_000);

  it('saves one booster and one calibrator, and a scorer loaded from the bundle scores as the trainer did', async () => {
    const trainer = new PropensityTrainer({ params: { n_estimators: 20, max_depth: 3 }, overrides: { calibration: { cv_folds: 3, method: 'sigmoid' } } });
    await trainer.fit(table);
    expect(trainer.model.calibrator.method).toBe('sigmoid');
    expect(trainer.model.state.calibrationFolds).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'propensity-cv-'));
    try {
      await trainer.save(join(dir, 'bundle'));
      using loaded = await PropensityScorer.load(join(dir, 'bundle'));
      expect(loaded.state.calibrationFolds).toBe(3);
      expect(loaded.predict(table)).toEqual(trainer.predict(table));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      trainer.dispose();
    }
  }, 600_000);
});
