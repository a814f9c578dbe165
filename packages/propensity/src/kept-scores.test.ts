import { tableRows, type FeatureTable } from '@kdap/core';
import { syntheticCustomers } from '@kdap/preprocessing';
import { Booster } from '@kdap/xgboost-node';
import { ScoreDistribution } from './distribution';
import { propensitySplits } from './splits';
import { PropensityTrainer } from './trainer';

const { table } = syntheticCustomers({ samples: 5000, seed: 11 });

/** The rows of each split, as the trainer drew them. */
function splitsOf(trainer: PropensityTrainer) {
  const c = trainer.config;
  const y = Float64Array.from(table.numeric('converted').values);
  return propensitySplits(y, { test: c.data.test_size, calibration: c.calibration.holdout_fraction, validation: c.data.validation_size }, c.data.random_state);
}

describe("PropensityTrainer: the training and early-stopping rows' scores from the training loop", () => {
  it.each([
    // Early stopping stops well before the last round: the kept scores are those of an earlier round.
    { name: 'early stopping at an earlier round', params: { n_estimators: 400, learning_rate: 0.3, max_depth: 5 } },
    // Early stopping never fires: the best round is near the end.
    { name: 'few rounds', params: { n_estimators: 12, max_depth: 3 } },
  ])('give the same percentile population and training/validation metrics as predicting those rows ($name)', async ({ params }) => {
    const predict = jest.spyOn(Booster.prototype, 'predict');
    const predictSync = jest.spyOn(Booster.prototype, 'predictSync');
    using trainer = new PropensityTrainer({ params });
    let predictedRows: number[];
    try {
      await trainer.fit(table);
    } finally {
      predictedRows = [...predict.mock.calls, ...predictSync.mock.calls].map((call) => (call[1] as { rows: number }).rows);
      predict.mockRestore();
      predictSync.mockRestore();
    }
    const splits = splitsOf(trainer);
    // Neither the training nor the early-stopping rows were predicted: their scores came from the loop.
    expect(predictedRows.sort()).toEqual([splits.calibration.length, splits.test.length].sort());
    if (params.n_estimators === 400) expect(trainer.model.state.rounds).toBeLessThan(350);

    // Predicting them now with the saved model gives the very same numbers.
    const model = trainer.model;
    const labelled = (rows: Int32Array) => tableRows(table as FeatureTable, rows);
    const trainScores = model.predict(trainer.featureSchema.encode(labelled(splits.train)));
    const expected = ScoreDistribution.fromSorted(Float64Array.from(trainScores).sort());
    expect(model.distribution.toJSON()).toEqual(expected.toJSON());
    expect(trainer.result.trainMetrics).toEqual(trainer.evaluate(labelled(splits.train)));
    expect(trainer.result.validationMetrics).toEqual(trainer.evaluate(labelled(splits.validation)));
  }, 120_000);
});
