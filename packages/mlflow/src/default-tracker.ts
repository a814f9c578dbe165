import type { Tracker } from '@kdap/core';
import { MlflowTracker } from './mlflow-tracker';
import { trackingSettingsFromEnv } from './settings';
import { DEFAULT_SQLITE_URI, isSqliteUri, sqlitePathFromUri, sqliteUriOf } from './sqlite/sqlite-uri';

/**
 * The tracker `trainer.logToMlflow()` finds when none was injected (core looks this package up by
 * name): `MLFLOW_TRACKING_URI` (a server or a sqlite:/// database), else an http(s) or sqlite:///
 * `mlflow.tracking_uri` from the configuration, else MLflow's own default: `./mlflow.db` with
 * artifacts in `./mlruns`, which `mlflow ui` opens when started in the same directory. (A
 * configuration's file-store directory such as the Python module's `./mlruns` also gets the
 * default: MLflow 3.13+ refuses the file store.)
 */
export function defaultTracker(options: { trackingUri?: string } = {}): Tracker | undefined {
  // From the environment, the client also reads MLflow's credential variables.
  if (trackingSettingsFromEnv() !== undefined) return new MlflowTracker();
  return new MlflowTracker({ trackingUri: defaultTrackingUri(options.trackingUri) });
}

/**
 * Where {@link defaultTracker} logs for a configuration's `mlflow.tracking_uri`: 'http://...' or
 * an absolute 'sqlite:////.../mlflow.db' (the working directory's by default).
 */
export function defaultTrackingUri(configured?: string | null): string {
  const env = trackingSettingsFromEnv();
  if (env !== undefined) return env.trackingUri;
  const uri = configured?.trim();
  if (uri !== undefined && /^https?:\/\//i.test(uri)) return uri;
  if (uri !== undefined && isSqliteUri(uri)) return sqliteUriOf(sqlitePathFromUri(uri, "The configuration's mlflow.tracking_uri"));
  return sqliteUriOf(sqlitePathFromUri(DEFAULT_SQLITE_URI, 'The default tracking URI'));
}
