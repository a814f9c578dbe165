import { runPythonJson } from '@kdap/test-support';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

interface PythonResult {
  main: { validation: number[]; best_iteration: number };
  lower: { validation: number[]; best_iteration: number };
  upper: { validation: number[]; best_iteration: number };
  metrics: Record<string, number>;
}

const rowsOf = (X: { rows: number; cols: number; values: Float64Array }) =>
  Array.from({ length: X.rows }, (_, i) => Array.from(X.values.subarray(i * X.cols, (i + 1) * X.cols), (v) => (Number.isNaN(v) ? null : v)));

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-12));
  return worst;
}

describe('parity with Python LightGBM (.venv-ref) on the same data and parameters', () => {
  it('gives the same predictions (1e-9 relative), best iterations and validation metrics', async () => {
    const data = syntheticSplit(3000, 23);
    const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 150, learning_rate: 0.1 } } }) });
    const result = await trainer.fit(data.train, { validation: data.validation });
    const model = trainer.model;
    const schema = trainer.featureSchema;
    const Xval = trainer.featureMatrix(data.validation);
    const python = runPythonJson<PythonResult>('budget_parity.py', {
      train: { X: rowsOf(trainer.featureMatrix(data.train)), y: Array.from(data.train.numeric('return').values) },
      validation: { X: rowsOf(Xval), y: Array.from(data.validation.numeric('return').values) },
      feature_names: schema.featureNames,
      categorical: schema.features.flatMap((f, i) => (f.kind === 'categorical' ? [i] : [])),
      models: { main: model.state.training.main, lower: model.state.training.lower, upper: model.state.training.upper },
      num_boost_round: model.state.training.numBoostRound,
      early_stopping_rounds: model.state.training.earlyStoppingRounds,
    } as unknown);

    const options = { rows: Xval.rows, cols: Xval.cols };
    const diffs = {
      main: maxRelativeDifference(model.main.predictSync(Xval.values, options), python.main.validation),
      lower: maxRelativeDifference(model.lower.predictSync(Xval.values, options), python.lower.validation),
      upper: maxRelativeDifference(model.upper.predictSync(Xval.values, options), python.upper.validation),
    };
    console.log(`parity max relative difference: ${JSON.stringify(diffs)}; best iterations TS ${result.bestIteration} / Python ${python.main.best_iteration}`);
    expect(diffs.main).toBeLessThanOrEqual(1e-9);
    expect(diffs.lower).toBeLessThanOrEqual(1e-9);
    expect(diffs.upper).toBeLessThanOrEqual(1e-9);
    expect(result.bestIteration).toBe(python.main.best_iteration);
    expect(model.lower.bestIteration).toBe(python.lower.best_iteration);
    for (const name of ['rmse', 'mae', 'mape', 'r2']) {
      expect(Math.abs(result.metrics[name]! - python.metrics[name]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(python.metrics[name]!)));
    }
  }, 60_000);
});
