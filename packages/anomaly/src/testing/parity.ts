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
    /** Median over our forests (one per seed); auc_ts_seeds has each. */
    auc_ts: number;
    auc_ts_seeds: number[];
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
    // A forest is random: ours is fitted with the same seeds as scikit-learn's, and medians over
    // seeds are compared with medians over seeds (one seed against five would compare noise).
    const ifOffsets: number[] = [];
    for (const seed of seeds) {
      using forest = new IsolationForest({ contamination, seed }).fit(data);
      writeFileSync(join(dir, `if_scores_${seed}.f64`), forest.scoreSamples(data));
      writeFileSync(join(dir, `if_predict_${seed}.i8`), forest.predict(data));
      ifOffsets.push(forest.offset);
    }
    const ifMs = (performance.now() - started) / seeds.length;
    started = performance.now();
    using lof = new LocalOutlierFactor({ contamination }).fit({ values: data.values.subarray(0, lofTrainRows * cols), rows: lofTrainRows, cols });
    writeFileSync(join(dir, 'lof_scores.f64'), lof.scoreSamples(data));
    writeFileSync(join(dir, 'lof_predict.i8'), lof.predict(data));
    const lofMs = performance.now() - started;
    writeFileSync(join(dir, 'ts.json'), JSON.stringify({ if_offsets: ifOffsets, lof_offset: lof.offset }));
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
