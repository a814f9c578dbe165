import { savedTuningSummary } from '@kdap/test-support';
import { MedianPruner, TPESampler } from '@kdap/tuning';
import { BudgetOptimizerTrainer } from './trainer';
import { syntheticSplit, testConfig } from './testing/fixtures';

describe('BudgetOptimizerTrainer.tune', () => {
  it('prunes bad trials mid-boosting, retrains on the best params and saves the study summary in the bundle', async () => {
    const { train, validation } = syntheticSplit(3_000, 11);
    const trainer = new BudgetOptimizerTrainer({ config: testConfig({ hyperparameters: { lightgbm: { n_estimators: 150 } }, training: { early_stopping_rounds: 20, n_jobs: 1 } }) });
    const iterationsOf = new Map<number, number>();
    const result = await trainer.tune(train, {
      validation,
      nTrials: 10,
      sampler: new TPESampler({ seed: 5, nStartupTrials: 4 }),
      pruner: new MedianPruner({ nStartupTrials: 3 }),
      onTrial: (t) => iterationsOf.set(t.number, t.intermediateValues.size),
    });
    const { summary, study, trainer: best } = result;
    expect(summary.n_trials).toBe(10);
    expect(summary.n_complete + summary.n_pruned).toBe(10);
    const pruned = study.trials.filter((t) => t.state === 'PRUNED');
    expect(pruned.length).toBeGreaterThan(0);
    // A pruned trial stopped boosting: fewer rounds than the 150 (or early stopping) a complete one ran.
    const completeRounds = study.trials.filter((t) => t.state === 'COMPLETE').map((t) => iterationsOf.get(t.number)!);
    for (const t of pruned) expect(iterationsOf.get(t.number)!).toBeLessThan(Math.max(...completeRounds));
    // The best params are retrained: same hyperparameters, same validation rmse as the best trial.
    for (const [name, value] of Object.entries(result.bestParams)) expect(best.params[name]).toBe(value);
    expect(best.result.validationMetrics!.rmse).toBeCloseTo(result.bestValue, 9);
    const saved = (await savedTuningSummary(best)) as typeof summary;
    expect(saved).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(saved.best_value).toBe(result.bestValue);
  }, 300_000);
});
