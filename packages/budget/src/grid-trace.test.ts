import { GridTracer } from './grid-trace';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

// The walk must give every grid point exactly what LightGBM's own prediction gives.
describe('GridTracer', () => {
  const data = syntheticSplit(2400, 31);
  const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 120 } } }) });
  beforeAll(async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await trainer.fit(data.train, { validation: data.validation });
    warn.mockRestore();
  }, 60_000);
  afterAll(() => trainer.dispose());

  it('traces bit-identical predictions of the return and quantile models, missing values and zero spend included', () => {
    const X = trainer.featureMatrix(data.validation.slice(0, 40));
    const names = trainer.featureSchema.featureNames;
    const spend = names.indexOf('current_spend');
    const effective = names.indexOf('effective_spend');
    const grid = Float64Array.from({ length: 50 }, (_, i) => i * 120); // starts at 0: LightGBM's zero handling
    const steady = Float64Array.from(grid, (s) => s / (1 - 0.3));
    for (const booster of [trainer.model.main, trainer.model.lower, trainer.model.upper]) {
      const tracer = GridTracer.fromModelString(booster.toModelString())!;
      expect(tracer).toBeDefined();
      for (let r = 0; r < X.rows; r++) {
        const row = X.values.slice(r * X.cols, (r + 1) * X.cols);
        if (r % 3 === 0) row[names.indexOf('cpm')] = Number.NaN; // a missing context value
        if (r % 7 === 0) row[names.indexOf('channel_id')] = Number.NaN; // a missing channel
        const matrix = new Float64Array(50 * X.cols);
        for (let i = 0; i < 50; i++) {
          matrix.set(row, i * X.cols);
          matrix[i * X.cols + spend] = grid[i]!;
          matrix[i * X.cols + effective] = steady[i]!;
        }
        const expected = booster.predictSync(matrix, { rows: 50, cols: X.cols, params: { num_threads: 1 } });
        const traced = new Float64Array(50);
        tracer.trace(row, [spend, effective], [grid, steady], traced);
        expect(Array.from(traced)).toEqual(Array.from(expected));
      }
    }
  });

  it('stays exact when the traced columns change between calls (one tracer, spend alone then spend and effective spend)', () => {
    const X = trainer.featureMatrix(data.validation.slice(0, 6));
    const names = trainer.featureSchema.featureNames;
    const spend = names.indexOf('current_spend');
    const effective = names.indexOf('effective_spend');
    const grid = Float64Array.from({ length: 30 }, (_, i) => 50 + i * 200);
    const steady = Float64Array.from(grid, (s) => s / (1 - 0.5));
    const booster = trainer.model.main;
    const tracer = GridTracer.fromModelString(booster.toModelString())!;
    for (let r = 0; r < X.rows; r++) {
      const row = X.values.slice(r * X.cols, (r + 1) * X.cols);
      const both = r % 2 === 1;
      const matrix = new Float64Array(30 * X.cols);
      for (let i = 0; i < 30; i++) {
        matrix.set(row, i * X.cols);
        matrix[i * X.cols + spend] = grid[i]!;
        if (both) matrix[i * X.cols + effective] = steady[i]!;
      }
      const expected = booster.predictSync(matrix, { rows: 30, cols: X.cols, params: { num_threads: 1 } });
      const traced = new Float64Array(30);
      tracer.trace(row, both ? [spend, effective] : [spend], both ? [grid, steady] : [grid], traced);
      expect(Array.from(traced)).toEqual(Array.from(expected));
    }
  });

  it('declines models whose output is not the raw sum of the trees', () => {
    const text = trainer.model.main.toModelString();
    expect(GridTracer.fromModelString(text.replace(/\nobjective=[^\n]*/, '\nobjective=binary sigmoid:1'))).toBeUndefined();
    expect(GridTracer.fromModelString(text.replace('\nnum_tree_per_iteration=1\n', '\nnum_tree_per_iteration=3\n'))).toBeUndefined();
  });
});
