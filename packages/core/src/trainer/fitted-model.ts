import type { MlflowFlavor } from '../bundle/mlmodel';
import type { FeatureMatrix } from '../schema/feature-matrix';

/**
 * A fitted model as the Trainer base sees it. `predict` returns, per row: the predicted value
 * (regression), the probability of the positive class (classification) or 1/0 anomaly flags
 * (anomaly detection).
 */
export interface FittedModel extends Disposable {
  predict(X: FeatureMatrix): Float64Array;
  /**
   * Frees what the model holds (native boosters, large arrays). Idempotent, backs
   * `[Symbol.dispose]`; afterwards `predict` throws DisposedError. The trainer that fitted a model
   * disposes it when it is replaced (refit) or when the trainer itself is disposed.
   */
  dispose(): void;
}

/** What a trainer's `fitModel` returns. */
export interface FitOutcome<M extends FittedModel> {
  model: M;
  /** 1-based; defaults to the number of iterations reported. */
  bestIteration?: number;
  /**
   * The headline metrics (`TrainResult.metrics`, the bundle's and MLflow's), when the trainer
   * computes them on rows of its own choosing, e.g. a held-out set no fitting step has seen.
   */
  metrics?: Readonly<Record<string, number>>;
  /**
   * What `model.predict` gives for the training and the validation matrix, when the fit already
   * holds it (e.g. LightGBM's best-round scores, copied in its training loop): the base class
   * computes the metrics from these instead of predicting those rows again. Each must equal
   * `model.predict` of its matrix; a set left out, or of another length than its rows, is predicted.
   */
  predictions?: { train?: Float64Array; validation?: Float64Array };
  /**
   * The base class's metrics of `predictions.train` / `.validation` (`metricsFor`), when the fit
   * computed them already, e.g. while its thread waited for a prediction of other rows; used as
   * given. A set left out is computed as usual.
   */
  predictionMetrics?: { train?: Readonly<Record<string, number>>; validation?: Readonly<Record<string, number>> };
}

/** A model's files for a bundle (see `saveBundle`). */
export interface ModelArtifacts {
  /** Native model files in the library's own format, written verbatim (e.g. { 'model.txt': text }). */
  modelFiles: Readonly<Record<string, string | Uint8Array>>;
  /** JSON state: calibration, fitted transforms (e.g. { 'calibration.json': {...} }). */
  state?: Readonly<Record<string, unknown>>;
  /** Library versions, e.g. { lightgbm: '4.7.0' }. */
  versions?: Readonly<Record<string, string>>;
  /** The MLflow flavor that loads the native model file. */
  mlflow: MlflowFlavor;
}
