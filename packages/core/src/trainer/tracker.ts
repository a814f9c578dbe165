import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DataError, describe, ParameterError } from '@kdap/errors';
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
  /**
   * Local files to log as artifacts, artifact path -> absolute file path (e.g. the CLI's HTML
   * training report: `{ 'report.html': '/out/budget_optimizer.report.html' }`).
   */
  files?: Readonly<Record<string, string>>;
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

/**
 * Checks `logToMlflow`'s `artifacts` option (artifact path -> local file) before anything is
 * logged: relative artifact paths inside the run, existing regular files. Returns absolute paths.
 */
export function artifactFiles(owner: string, artifacts: unknown): Record<string, string> | undefined {
  if (artifacts === undefined) return undefined;
  if (artifacts === null || typeof artifacts !== 'object' || Array.isArray(artifacts)) {
    throw new ParameterError('artifacts', `The 'artifacts' option of ${owner} must map artifact paths to local files, e.g. { 'report.html': './out/report.html' }. Got ${describe(artifacts)}.`);
  }
  const files: Record<string, string> = {};
  for (const [name, file] of Object.entries(artifacts)) {
    if (name === '' || isAbsolute(name) || name.split(/[\\/]/).some((part) => part === '..' || part === '')) {
      throw new ParameterError('artifacts', `The artifact path '${name}' in the 'artifacts' option of ${owner} must be relative to the run, without '..' or empty segments (e.g. 'report.html' or 'reports/train.html').`);
    }
    if (typeof file !== 'string' || file === '') {
      throw new ParameterError('artifacts', `The 'artifacts' option of ${owner} maps '${name}' to ${describe(file)}; give the path of a local file.`);
    }
    const path = resolve(file);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new DataError(`The file '${file}' given for the artifact '${name}' does not exist. Check the path (relative paths start at ${process.cwd()}).`, { file });
    }
    if (!isFile) throw new DataError(`'${file}' given for the artifact '${name}' is not a regular file; log a directory's files one by one.`, { file });
    files[name] = path;
  }
  return files;
}
