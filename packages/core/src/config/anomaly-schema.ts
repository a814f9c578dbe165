import { z } from 'zod';
import { boolean, increasingIntegers, integer, names, number, oneOf, section, text } from './expect';
import { globalSections } from './global-schema';
import { modelSection, tabularFeatures, tuningSection } from './model-sections';

const contaminationExpected = { error: "'auto' or a number > 0 and <= 0.5" };
const contamination = z.union([z.literal('auto'), z.number().gt(0, contaminationExpected).max(0.5, contaminationExpected)], contaminationExpected);

/** scikit-learn IsolationForest parameters. */
export const isolationForestHyperparameters = section({
  n_estimators: integer(1),
  /** 'auto' is min(256, rows). */
  max_samples: z.union([z.literal('auto'), z.number().int().min(1, { error: "'auto' or an integer >= 1" })], { error: "'auto' or an integer >= 1" }),
  max_features: number(0, 1, true),
  bootstrap: boolean(),
  random_state: integer(0),
});

/** scikit-learn LocalOutlierFactor parameters (always novelty mode: it scores new data). */
export const lofHyperparameters = section({
  n_neighbors: integer(1),
  leaf_size: integer(1),
  metric: oneOf(['minkowski', 'euclidean', 'manhattan']),
  p: number(1),
});

/** Anomaly Detector (Isolation Forest + Local Outlier Factor over time-series features). */
export const anomalyDetectorSchema = section({
  ...globalSections,
  model: modelSection('anomaly_detector', 'anomaly_detection', 'ensemble'),
  features: tabularFeatures({
    /** The metric value whose anomalies are detected. */
    value_column: text(),
    date_column: text(),
    /** Columns that identify one time series (e.g. a channel's CTR). */
    entity_columns: names(),
    /** Lags in days. */
    lags: increasingIntegers(1),
    /** Rolling mean/std windows in days. */
    rolling_windows: increasingIntegers(2),
    /** Optional label column (1 = anomaly) for precision/recall; unsupervised training ignores it. */
    target: text().nullable(),
  }),
  hyperparameters: section({ isolation_forest: isolationForestHyperparameters, lof: lofHyperparameters }),
  tuning: tuningSection(['f1', 'precision', 'recall'], {
    algorithm: 'isolation_forest/lof',
    // contamination lives in detection: tuning it moves both detectors' thresholds.
    names: [...Object.keys(isolationForestHyperparameters.shape), ...Object.keys(lofHyperparameters.shape), 'contamination'],
  }),
  detection: section({
    /** Expected fraction of anomalies; sets each detector's offset as in scikit-learn. */
    contamination,
    /** Weights of the two detectors' normalised scores; must sum to 1. */
    ensemble_weights: section({ isolation_forest: number(0, 1), lof: number(0, 1) }).refine(
      (w) => Math.abs(w.isolation_forest + w.lof - 1) < 1e-9,
      { error: 'weights that sum to 1' },
    ),
    /** |z-score| above which a deviation is typed as a spike or drop. */
    z_score_threshold: number(0, undefined, true),
  }),
});

export type AnomalyDetectorConfig = z.infer<typeof anomalyDetectorSchema>;
