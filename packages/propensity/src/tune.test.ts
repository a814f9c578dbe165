import { loadConfig } from '@kdap/core';
import { syntheticCustomers } from '@kdap/preprocessing';
import { savedTuningSummary } from '@kdap/test-support';
import { MedianPruner, TPESampler } from '@kdap/tuning';
import { PropensityTrainer } from './trainer';
import { perRoundMetricName } from './tune';

const { table } = syntheticCustomers({ samples: 4000, seed: 23 });

function trainer(searchSpace?: Record<string, unknown>): PropensityTrainer {
  const base = loadConfig('propensity');
  return new PropensityTrainer({
    config: base,
    overrides: {
      hyperparameters: { xgboost: { n_estimators: 120 } },
      training: { early_stopping_rounds: 15, n_jobs: 1 },
      ...(searchSpace ? { tuning: { search_space: searchSpace } } : {}),
    } as never,
  });
}

describe('PropensityTrainer.tune', () => {
  it('prunes trials between boosting rounds on the validation AUC, retrains on the best params and saves the study summary', async () => {
    // Learning rates down to 1e-4 make some trials hopeless from the first rounds: the median pruner stops them.
    const t = trainer({
      max_depth: { type: 'int', low: 2, high: 6 },
      learning_rate: { type: 'float', low: 1e-4, high: 0.3, log: true },
      subsample: { type: 'float', low: 0.5, high: 1 },
    });
    const rounds = new Map<number, number>();
    const result = await t.tune(table, {
      nTrials: 10,
      sampler: new TPESampler({ seed: 3, nStartupTrials: 4 }),
      pruner: new MedianPruner({ nStartupTrials: 2, nWarmupSteps: 3 }),
      onTrial: (trial) => rounds.set(trial.number, trial.intermediateValues.size),
    });
    const { study, summary, trainer: best } = result;
    expect(study.direction).toBe('maximize');
    expect(summary.n_trials).toBe(10);
    expect(summary.n_complete + summary.n_pruned).toBe(10);
    const pruned = study.trials.filter((x) => x.state === 'PRUNED');
    const complete = study.trials.filter((x) => x.state === 'COMPLETE');
    expect(pruned.length).toBeGreaterThan(0);
    // Intermediate values are the per-round validation AUC; a pruned trial stopped boosting before the complete ones ended.
    for (const trial of study.trials) for (const v of trial.intermediateValues.values()) expect(v).toBeGreaterThan(0.3);
    const longest = Math.max(...complete.map((x) => rounds.get(x.number)!));
    for (const x of pruned) expect(rounds.get(x.number)!).toBeLessThan(longest);
    // The best value is the best complete trial's validation AUC, and the retrained model reproduces it.
    expect(result.bestValue).toBe(Math.max(...complete.map((x) => x.value!)));
    for (const [name, value] of Object.entries(result.bestParams)) expect(best.params[name]).toBe(value);
    expect(best.result.validationMetrics!.auc_roc).toBeCloseTo(result.bestValue, 12);
    try {
      expect(await savedTuningSummary(best)).toEqual(JSON.parse(JSON.stringify(summary)));
    } finally {
      best.dispose();
      t.dispose();
    }
  }, 300_000);

  it('prunes on the per-round metric only when it measures the tuning metric', () => {
    expect(perRoundMetricName('auc_roc', 'auc')).toBe('validation_auc');
    expect(perRoundMetricName('log_loss', 'logloss')).toBe('validation_logloss');
    // Maximizing AUC while XGBoost reports log loss per round: comparing rounds would prune the wrong trials.
    expect(perRoundMetricName('auc_roc', 'logloss')).toBeUndefined();
  });
});
