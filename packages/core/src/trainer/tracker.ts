import type { BundleManifest } from '../bundle/manifest';

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
  /** `mlflow.tracking_uri` of the configuration (MLFLOW_TRACKING_URI overrides it there). */
  trackingUri?: string;
  /**
   * Writes the fitted model's bundle to `dir` (a new or empty directory). A tracker saves it
   * locally before sending anything, so an outage never loses the model.
   */
  saveBundle?: (dir: string) => Promise<BundleManifest>;
  /** The training report (metrics per split, best iteration, timings), logged as an artifact. */
  report?: unknown;
}

/**
 * The seam to MLflow: `logToMlflow()` delegates here. `@kdap/mlflow` implements it; tests and
 * users may inject their own.
 */
export interface Tracker {
  /** Records the run and resolves to its run id. */
  logRun(run: TrackedRun): Promise<string>;
}

/**
 * The package that provides the default tracker when it is installed. Core never imports it
 * statically: `@kdap/mlflow` depends on core (it implements this seam), so the dependency points
 * one way and core only looks the package up by name at the moment a run is logged.
 */
export const DEFAULT_TRACKER_PACKAGE = '@kdap/mlflow';

/** What the default tracker package exports for this lookup. */
interface TrackerProvider {
  /** A tracker for the environment (and the configuration's tracking URI), or undefined when none is configured. */
  defaultTracker(options: { trackingUri?: string }): Tracker | undefined;
}

/**
 * The tracker `logToMlflow()` uses when none was injected: the default of `@kdap/mlflow` if it is
 * installed, else `undefined`.
 */
export async function defaultTracker(options: { trackingUri?: string } = {}): Promise<Tracker | undefined> {
  const provider = await loadOptional(DEFAULT_TRACKER_PACKAGE);
  if (provider === undefined || typeof (provider as Partial<TrackerProvider>).defaultTracker !== 'function') return undefined;
  return (provider as TrackerProvider).defaultTracker(options);
}

async function loadOptional(name: string): Promise<unknown> {
  try {
    // CommonJS builds (and jest) resolve through require; an ESM build has no usable require and says so.
    return require(name) as unknown;
  } catch (e) {
    if (isNotFound(e, name)) return undefined;
    if (!/dynamic require|require is not defined/i.test((e as Error)?.message ?? '')) throw e;
  }
  try {
    return (await import(name)) as unknown;
  } catch (e) {
    if (isNotFound(e, name)) return undefined;
    throw e;
  }
}

function isNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') && (e.message ?? '').includes(name);
}
