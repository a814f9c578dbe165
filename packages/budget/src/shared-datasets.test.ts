import { Booster, Dataset } from '@kdap/lightgbm-node';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

// The trainer bins the training and validation rows once for its three models. Each model must be
// the one LightGBM trains from a Dataset of its own (as lightgbm.train with a new Dataset per model).
describe('the three models share one training and one validation Dataset', () => {
  it('gives the models that a Dataset per model gives, text for text', async () => {
    const data = syntheticSplit(2400, 17);
    const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 120 } } }) });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      await trainer.fit(data.train, { validation: data.validation });
    } finally {
      warn.mockRestore();
    }
    const model = trainer.model;
    const names = trainer.featureSchema.featureNames;
    const categorical = trainer.featureSchema.features.flatMap((f, i) => (f.kind === 'categorical' ? [i] : []));
    const X = trainer.featureMatrix(data.train);
    const V = trainer.featureMatrix(data.validation);
    const { training } = model.state;
    for (const which of ['main', 'lower', 'upper'] as const) {
      const trainSet = new Dataset(X.values, { rows: X.rows, cols: X.cols, label: data.train.numeric('return').values, featureNames: names, categoricalFeatures: categorical });
      const validSet = new Dataset(V.values, { rows: V.rows, cols: V.cols, label: data.validation.numeric('return').values, featureNames: names, categoricalFeatures: categorical, reference: trainSet });
      const own = await Booster.train(training[which], trainSet, {
        numBoostRound: training.numBoostRound,
        validSets: [validSet],
        validNames: ['validation'],
        earlyStoppingRounds: training.earlyStoppingRounds ?? undefined,
      });
      try {
        expect(model[which].bestIteration).toBe(own.bestIteration);
        expect(model.modelString(which)).toBe(own.toModelString());
      } finally {
        own.dispose();
        trainSet.dispose();
        validSet.dispose();
      }
    }
    // The quantile models are not the return model: the comparison above is not vacuous.
    expect(model.modelString('lower')).not.toBe(model.modelString('main'));
    trainer.dispose();
  }, 60_000);
});
