import { regressionMetrics } from '@kdap/core';
import { Booster } from '@kdap/lightgbm-node';
import { BudgetResponseModel } from './response-model';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

// The return model's metrics come from LightGBM's own scores at the best iteration, copied in the
// training loop, not from predicting the training and validation rows again: the numbers must be
// the ones predicting gives, bit for bit.
describe("the return model's metrics from the scores LightGBM kept while training", () => {
  const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      return await run();
    } finally {
      warn.mockRestore();
    }
  };
  const data = syntheticSplit(2400, 31);

  it('are the metrics of predicting the rows at the best iteration, and nothing is predicted for them', async () => {
    const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 300 } } }) });
    const predict = jest.spyOn(BudgetResponseModel.prototype, 'predict');
    let result;
    try {
      result = await quietly(() => trainer.fit(data.train, { validation: data.validation }));
      expect(predict).not.toHaveBeenCalled();
    } finally {
      predict.mockRestore();
    }
    const model = trainer.model;
    // Early stopping ended training after its best round: the copy came from a round before the last.
    expect(model.main.bestIteration).toBeGreaterThan(0);
    expect(model.main.bestIteration).toBeLessThan(300);
    expect(model.main.bestPredictions?.iteration).toBe(model.main.bestIteration);
    // The trainer keeps its matrices in the Datasets, so LightGBM's scores were copied at a
    // checkpoint and the trees after it added from their leaf values (the same bits, below).
    const { copiedAt, iteration } = model.main.bestPredictions!;
    expect(copiedAt).toBeLessThan(iteration);
    const X = trainer.featureMatrix(data.train);
    const V = trainer.featureMatrix(data.validation);
    expect(model.main.bestPredictions!.training).toEqual(model.predict(X));
    expect(model.main.bestPredictions!.valid[0]).toEqual(model.predict(V));
    expect(result.trainMetrics).toEqual(regressionMetrics(data.train.numeric('return').values, model.predict(X)));
    expect(result.validationMetrics).toEqual(regressionMetrics(data.validation.numeric('return').values, model.predict(V)));
    expect(result.metricsSet).toBe('validation');
    // Only the return model keeps a copy (the interval models' metrics are not reported).
    expect(model.lower.bestPredictions).toBeUndefined();
    expect(model.upper.bestPredictions).toBeUndefined();
    trainer.dispose();
  }, 60_000);

  it('are predicted as before when LightGBM kept none, with the same numbers', async () => {
    const fit = async (keeps: boolean) => {
      const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 60 } } }) });
      const kept = keeps ? undefined : jest.spyOn(Booster.prototype, 'bestPredictions', 'get').mockReturnValue(undefined);
      const predict = jest.spyOn(BudgetResponseModel.prototype, 'predict');
      try {
        const result = await quietly(() => trainer.fit(data.train, { validation: data.validation }));
        return { result, predictions: predict.mock.calls.length };
      } finally {
        predict.mockRestore();
        kept?.mockRestore();
        trainer.dispose();
      }
    };
    const [copied, predicted] = [await fit(true), await fit(false)];
    expect([copied.predictions, predicted.predictions]).toEqual([0, 2]);
    expect(predicted.result.trainMetrics).toEqual(copied.result.trainMetrics);
    expect(predicted.result.validationMetrics).toEqual(copied.result.validationMetrics);
  }, 60_000);
});
