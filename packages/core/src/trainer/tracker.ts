/** What a trainer hands to experiment tracking for one run. */
export interface TrackedRun {
  runName: string;
  experimentName: string;
  /** Hyperparameters as MLflow params (flat name -> value). */
  params: Readonly<Record<string, string | number | boolean>>;
  /** Final metrics, the Python module's names (rmse, auc_roc, ...). */
  metrics: Readonly<Record<string, number>>;
  /** Per-iteration metrics, logged as MLflow metric history (step = iteration). */
  history: Readonly<Record<string, readonly number[]>>;
  /** The full configuration used, logged as an artifact. */
  config: unknown;
  tags: Readonly<Record<string, string>>;
}

/**
 * The seam to MLflow: `logToMlflow()` delegates here. The MLflow client (REST or local file
 * store) implements it in its own issue; tests and users may inject their own.
 */
export interface Tracker {
  /** Records the run and resolves to its run id. */
  logRun(run: TrackedRun): Promise<string>;
}
