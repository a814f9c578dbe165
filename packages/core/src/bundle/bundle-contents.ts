import type { ModelKind } from '../config/model-kind';
import type { FeatureSchemaJSON } from '../schema/feature-schema';
import type { MlflowFlavor } from './mlmodel';

/** Bytes of a file to write: text (UTF-8), bytes, or chunks for models too large to hold twice. */
export type FileContent = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Everything `saveBundle` writes. */
export interface BundleContents {
  kind: ModelKind;
  featureSchema: FeatureSchemaJSON;
  /** The target column the model predicts (null for unsupervised anomaly detection). */
  target: string | null;
  /** The hyperparameters used. */
  params: Readonly<Record<string, unknown>>;
  /** Final metrics (Python names); NaN is stored as null. */
  metrics: Readonly<Record<string, number>>;
  /** The full configuration used. */
  config: unknown;
  /** The trainer's `columns` option (role -> the user's column name); scoring takes these names. */
  columns?: Readonly<Record<string, string | readonly string[]>>;
  /** Native model files in the library's own format, written verbatim at the bundle root. */
  modelFiles: Readonly<Record<string, FileContent>>;
  /** JSON state (calibration, fitted transforms), written as `state/<name>`. */
  state?: Readonly<Record<string, unknown>>;
  /** Native library versions, e.g. { lightgbm: '4.7.0' }; @kdap/core's is added. */
  versions?: Readonly<Record<string, string>>;
  mlflow: MlflowFlavor;
}
