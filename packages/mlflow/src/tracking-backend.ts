import { MlflowClient, type LoggedModelInfo, type LoggedModelOptions, type RunInfo, type RunStatus } from './client';
import type { KeyValue, MetricEntry } from './log-batch';
import type { RetryPolicy } from './retry';
import { trackingSettingsFromEnv } from './settings';
import { SqliteTrackingStore } from './sqlite/sqlite-store';
import { isSqliteUri } from './sqlite/sqlite-uri';

/**
 * What MlflowTracker logs through: a tracking server (MlflowClient, REST) or MLflow's SQLite
 * store written directly (SqliteTrackingStore, the embedded default). Both leave the same rows
 * and artifacts for MLflow to read.
 */
export interface TrackingBackend {
  /** Where runs go: 'http://host:5000' or 'sqlite:////abs/mlflow.db'. */
  readonly trackingUri: string;
  getOrCreateExperiment(name: string): Promise<string>;
  createRun(options: { experimentId: string; runName?: string; tags?: Readonly<Record<string, string>>; startTime?: number }): Promise<RunInfo>;
  logBatch(runId: string, batch: { metrics?: readonly MetricEntry[]; params?: readonly KeyValue[]; tags?: readonly KeyValue[] }): Promise<number>;
  updateRun(runId: string, status: RunStatus, endTime?: number): Promise<RunInfo>;
  uploadArtifact(artifactUri: string, path: string, content: Uint8Array | string): Promise<void>;
  uploadDirectory(artifactUri: string, localDir: string, destination?: string): Promise<string[]>;
  createLoggedModel(options: LoggedModelOptions): Promise<LoggedModelInfo>;
  finalizeLoggedModel(modelId: string, status: 'READY' | 'UPLOAD_FAILED'): Promise<LoggedModelInfo>;
  logOutputs(runId: string, models: readonly { modelId: string; step?: number }[]): Promise<void>;
  /** Releases what the backend holds open (a database handle); it reopens on the next call. */
  close?(): void;
}

/**
 * The backend for a tracking URI: `sqlite:///...` -> MLflow's SQLite store written directly,
 * http(s) -> the REST client. Without a URI: `MLFLOW_TRACKING_URI`, else MLflow's own default,
 * `sqlite:///mlflow.db` with artifacts in `./mlruns` (the working directory), which `mlflow ui`
 * opens when started there.
 */
export function trackingBackend(trackingUri?: string, retry?: Partial<RetryPolicy>): TrackingBackend {
  const uri = trackingUri ?? trackingSettingsFromEnv()?.trackingUri;
  if (uri === undefined) return new SqliteTrackingStore();
  if (isSqliteUri(uri)) return new SqliteTrackingStore({ trackingUri: uri });
  // From the environment, the client also reads MLflow's credentials variables.
  return new MlflowClient({ trackingUri: trackingUri, retry });
}
