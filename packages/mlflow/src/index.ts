/**
 * @kdap/mlflow: a typed MLflow 3 client and the Tracker behind `trainer.logToMlflow()`.
 * `MlflowTracker` logs a trained model's run (params, metrics and their history, tags, bundle,
 * configuration, report, MLflow 3 logged model) through a `TrackingBackend`: `MlflowClient`, the
 * REST client of a tracking server, or `SqliteTrackingStore`, MLflow's own SQLite store
 * (./mlflow.db + ./mlruns, the default without a tracking URI) written directly.
 */
export { MlflowClient, keyValues } from './client';
export type { LoggedModelInfo, LoggedModelOptions, MlflowClientOptions, RunInfo, RunRecord, RunStatus } from './client';
export { MlflowTracker } from './mlflow-tracker';
export type { MlflowTrackerOptions } from './mlflow-tracker';
export { defaultTracker, defaultTrackingUri } from './default-tracker';
export { chunkLogBatch, LOG_BATCH_LIMITS, VALUE_LIMITS, metricValue } from './log-batch';
export type { KeyValue, LogBatchBody, MetricEntry } from './log-batch';
export { DEFAULT_RETRY_POLICY, retryPolicy } from './retry';
export type { RetryPolicy } from './retry';
export { experimentNameFromEnv, trackingSettingsFromEnv, TRACKING_ENV } from './settings';
export { SqliteTrackingStore } from './sqlite/sqlite-store';
export type { SqliteTrackingStoreOptions } from './sqlite/sqlite-store';
export { DEFAULT_ARTIFACT_ROOT, DEFAULT_SQLITE_URI } from './sqlite/sqlite-uri';
export { MLFLOW_SCHEMA_MLFLOW_VERSION, MLFLOW_SCHEMA_REVISION } from './sqlite/mlflow-schema';
export { trackingBackend } from './tracking-backend';
export type { TrackingBackend } from './tracking-backend';
export type { TrackingSettings } from './settings';
export { MLFLOW_PACKAGE_VERSION } from './version';
