import { runPythonJson } from '@kdap/test-support';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsolationForest } from '../isolation-forest';
import { LocalOutlierFactor } from '../local-outlier-factor';
import { outlierData, type OutlierScenario } from './outlier-data';

/** What benchmarks/python/anomaly_parity.py reports. */
export interface ParityReport {
  sklearn_version: string;
  isolation_forest: {
    auc_ts: number;
    auc_sklearn: number[];
    spearman_ts_vs_sklearn_median: number;
    spearman_sklearn_between_seeds_median: number;
    offset_ts: number;
    offset_sklearn: number[];
    predict_agreement: number[];
    predict_agreement_sklearn_between_seeds_median: number;
  };
  lof: {
    auc_ts: number;
    auc_sklearn: number;
    spearman: number;
    max_abs_score_difference: number;
    offset_ts: number;
    offset_sklearn: number;
    predict_agreement: number;
  };
}

export interface ParityOptions {
  scenario: OutlierScenario;
  rows: number;
  cols: number;
  /** Rows (the first ones) LocalOutlierFactor is fitted on; it scores all rows. */
  lofTrainRows: number;
  /** scikit-learn seeds; their pairwise agreement is the noise floor ours is held to. */
  seeds: readonly number[];
  dataSeed: number;
}

/**
 * Fits our IsolationForest and LocalOutlierFactor on an outlierData set with the scenario's
 * contamination (0.01 far, 0.05 moderate), then lets scikit-learn fit and compare on the same bytes.
 */
export function runParity(options: ParityOptions): ParityReport & { timings: { ifMs: number; lofMs: number } } {
  const { scenario, rows, cols, lofTrainRows, seeds, dataSeed } = options;
  const contamination = scenario === 'far' ? 0.01 : 0.05;
  const data = outlierData(scenario, rows, cols, dataSeed);
  const dir = mkdtempSync(join(tmpdir(), 'kdap-anomaly-parity-'));
  try {
    writeFileSync(join(dir, 'X.f64'), data.values);
    writeFileSync(join(dir, 'labels.u8'), data.labels);
    let started = performance.now();
    using forest = new IsolationForest({ contamination, seed: 0 }).fit(data);
    writeFileSync(join(dir, 'if_scores.f64'), forest.scoreSamples(data));
    writeFileSync(join(dir, 'if_predict.i8'), forest.predict(data));
    const ifMs = performance.now() - started;
    started = performance.now();
    using lof = new LocalOutlierFactor({ contamination }).fit({ values: data.values.subarray(0, lofTrainRows * cols), rows: lofTrainRows, cols });
    writeFileSync(join(dir, 'lof_scores.f64'), lof.scoreSamples(data));
    writeFileSync(join(dir, 'lof_predict.i8'), lof.predict(data));
    const lofMs = performance.now() - started;
    writeFileSync(join(dir, 'ts.json'), JSON.stringify({ if_offset: forest.offset, lof_offset: lof.offset }));
    const report = runPythonJson<ParityReport>('anomaly_parity.py', {
      dir,
      rows,
      cols,
      lof_train_rows: lofTrainRows,
      contamination,
      seeds,
      n_estimators: 100,
      n_neighbors: 20,
    });
    return { ...report, timings: { ifMs, lofMs } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
