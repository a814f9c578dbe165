import { join } from 'node:path';
import { tableRows, type FeatureTable } from '@kdap/core';
import { runPythonJson } from '@kdap/test-support';
import { syntheticCustomers } from '@kdap/preprocessing';
import { propensitySplits } from './splits';
import { PropensityTrainer } from './trainer';

interface Reference {
  xgboost: string;
  best_iteration: number;
  raw_test: number[];
  calibrated_test: number[];
  auc_roc: number;
  brier: number;
  brier_uncalibrated: number;
}

describe('parity with the Python pipeline (xgboost.train + IsotonicRegression, same split)', () => {
  it('predicts identically, with the same AUC, and calibration does not worsen Brier', async () => {
    const { table } = syntheticCustomers({ samples: 8000, seed: 2026 });
    using trainer = new PropensityTrainer({ params: { n_estimators: 150, max_depth: 4, learning_rate: 0.1 } });
    await trainer.fit(table);
    const config = trainer.config;
    const y = Float64Array.from(table.numeric('converted').values);
    const splits = propensitySplits(
      y,
      { test: config.data.test_size, calibration: config.calibration.holdout_fraction, validation: config.data.validation_size },
      config.data.random_state,
    );
    const schema = trainer.featureSchema;
    const part = (rows: Int32Array) => {
      const X = schema.encode(tableRows(table as FeatureTable, rows));
      return { X: Array.from(X.values), rows: X.rows, cols: X.cols, y: Array.from(rows, (i) => y[i]!) };
    };
    const state = trainer.model.state;
    const reference = runPythonJson<Reference>(join(__dirname, 'testing', 'propensity_reference.py'), {
      params: state.params,
      num_boost_round: state.numBoostRound,
      early_stopping_rounds: config.training.early_stopping_rounds,
      feature_names: schema.featureNames,
      feature_types: state.featureTypes,
      train: part(splits.train),
      validation: part(splits.validation),
      calibration: part(splits.calibration),
      test: part(splits.test),
    });
    expect(reference.best_iteration).toBe(state.rounds);
    const testX = schema.encode(tableRows(table as FeatureTable, splits.test));
    const raw = trainer.model.rawScores(testX);
    let maxDiff = 0;
    raw.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - reference.raw_test[i]!))));
    expect(maxDiff).toBe(0);
    const metrics = trainer.result.metrics;
    expect(Math.abs(metrics.auc_roc! - reference.auc_roc)).toBeLessThanOrEqual(0.005);
    expect(metrics.brier!).toBeLessThanOrEqual(metrics.brier_uncalibrated!);
    expect(reference.brier).toBeLessThanOrEqual(reference.brier_uncalibrated);
    console.log(`propensity parity: max |raw TS - Python| = ${maxDiff}; AUC TS ${metrics.auc_roc} / Python ${reference.auc_roc}; Brier calibrated ${metrics.brier} vs uncalibrated ${metrics.brier_uncalibrated}; xgboost ${reference.xgboost}`);
  }, 600_000);
});
