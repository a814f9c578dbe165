import { anomalyDetectorDefaults, FeatureSchema } from '@kdap/core';
import { runPythonJson } from '@kdap/test-support';
import { syntheticMetricSeries } from '@kdap/preprocessing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnomalyModel } from './anomaly-model';

// Issue 18: on labelled synthetic metric series, the ensemble's F1 is no worse than the same
// pipeline with scikit-learn's IsolationForest + LOF by more than 0.02.
it('ensemble F1 on synthetic series is within 0.02 of the same pipeline with scikit-learn detectors', () => {
  const { table } = syntheticMetricSeries({ days: 365, channels: 4, seed: 11 });
  const config = anomalyDetectorDefaults;
  const view = {
    rowCount: table.rowCount,
    columnNames: table.columnNames,
    column: (name: string) => (name === 'date' ? { kind: 'numeric' as const, values: table.date('date').values } : table.column(name)),
  };
  const schema = FeatureSchema.capture(view as never, { numerical: ['value', 'date'], categorical: ['channel_id', 'metric'], required: ['value', 'date', 'channel_id', 'metric'], owner: 'test' } as never);
  const { model, flags, features, rowOf } = AnomalyModel.fit(schema.encode(view as never), schema.features, config, 14);
  model.dispose();
  const labels = table.numeric('is_anomaly').values;
  const dir = mkdtempSync(join(tmpdir(), 'kdap-ensemble-'));
  try {
    writeFileSync(join(dir, 'features.f64'), features.values);
    writeFileSync(join(dir, 'labels.u8'), Uint8Array.from(rowOf, (r) => labels[r]!));
    writeFileSync(join(dir, 'ts_flags.u8'), Uint8Array.from(rowOf, (r) => flags[r]!));
    const report = runPythonJson<Record<string, number>>('anomaly_ensemble_parity.py', {
      dir,
      rows: features.rows,
      cols: features.cols,
      contamination: config.detection.contamination,
      weights: config.detection.ensemble_weights,
      n_estimators: config.hyperparameters.isolation_forest.n_estimators,
      random_state: config.hyperparameters.isolation_forest.random_state,
      n_neighbors: config.hyperparameters.lof.n_neighbors,
    });
    console.log(`ensemble parity on synthetic series: ${JSON.stringify(report)}`);
    expect(report.f1_ts!).toBeGreaterThanOrEqual(report.f1_sklearn! - 0.02);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
