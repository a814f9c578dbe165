import type { LoggedModelInfo, RunInfo, RunStatus } from './client';
import type { KeyValue, MetricEntry } from './log-batch';

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
  createLoggedModel(options: {
    experimentId: string;
    name: string;
    sourceRunId?: string;
    modelType?: string;
    params?: Readonly<Record<string, string>>;
    tags?: Readonly<Record<string, string>>;
  }): Promise<LoggedModelInfo>;
  finalizeLoggedModel(modelId: string, status: 'READY' | 'UPLOAD_FAILED'): Promise<LoggedModelInfo>;
  logOutputs(runId: string, models: readonly { modelId: string; step?: number }[]): Promise<void>;
  /** Releases what the backend holds open (a database handle); it reopens on the next call. */
  close?(): void;
}

