import { ParameterError } from '@kdap/errors';
import { syntheticMetricSeries } from '@kdap/preprocessing';
import { savedTuningSummary } from '@kdap/test-support';
import { TPESampler } from '@kdap/tuning';
import { AnomalyDetectorTrainer } from './trainer';

const { table } = syntheticMetricSeries({ days: 120, channels: ['search', 'social'], metrics: ['spend', 'clicks'], seed: 8 });

describe('AnomalyDetectorTrainer.tune', () => {
  it('scores each candidate detector by F1 on the latest dates, refits with the best settings and saves the study summary', async () => {
    const trainer = new AnomalyDetectorTrainer({
      overrides: {
        tuning: {
          search_space: {
            n_estimators: { type: 'int', low: 50, high: 150, step: 50 },
            max_samples: { type: 'int', low: 32, high: 256, log: true },
            n_neighbors: { type: 'int', low: 5, high: 30 },
            contamination: { type: 'float', low: 0.01, high: 0.1 },
          },
        },
      } as never,
    });
    const result = await trainer.tune(table, { target: 'is_anomaly', nTrials: 6, sampler: new TPESampler({ seed: 2, nStartupTrials: 3 }) });
    const { study, summary, trainer: best } = result;
    expect(study.direction).toBe('maximize');
    expect(summary.n_complete).toBe(6);
    const values = study.trials.map((t) => t.value!);
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
    // The settings matter: the trials do not all score the same.
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(result.bestValue).toBe(Math.max(...values));
    // Each search dimension landed where it belongs in the refitted detector's configuration.
    const p = result.bestParams;
    expect(best.config.hyperparameters.isolation_forest.n_estimators).toBe(p.n_estimators);
    expect(best.config.hyperparameters.isolation_forest.max_samples).toBe(p.max_samples);
    expect(best.config.hyperparameters.lof.n_neighbors).toBe(p.n_neighbors);
    expect(best.config.detection.contamination).toBe(p.contamination);
    // Refitted on the same split: its validation F1 is the best trial's.
    expect(best.result.validationMetrics!.f1).toBeCloseTo(result.bestValue, 12);
    try {
      expect(await savedTuningSummary(best)).toEqual(JSON.parse(JSON.stringify(summary)));
    } finally {
      best.dispose();
      trainer.dispose();
    }
  }, 300_000);

  it('needs labels, and names the label column that is missing', async () => {
    const trainer = new AnomalyDetectorTrainer();
    await expect(trainer.tune(table, { nTrials: 1 })).rejects.toThrow(ParameterError);
    await expect(trainer.tune(table, { nTrials: 1 })).rejects.toThrow(/scores detectors by f1 against labels: pass target/);
    await expect(trainer.tune(table, { nTrials: 1, target: 'is_anomly' })).rejects.toThrow(/'is_anomly' .* is not in the table/);
    trainer.dispose();
  });
});
