import { ParameterError } from '@kdap/errors';
import { isSqliteUri, sqlitePathFromUri, sqliteUriOf } from './sqlite/sqlite-uri';

/** Where and as whom to log: MLflow's own environment variables, read once. */
export interface TrackingSettings {
  /**
   * Base URL of the tracking server, e.g. 'http://127.0.0.1:5000' (no trailing slash), or a
   * SQLite database MLflow opens, made absolute: 'sqlite:////abs/mlflow.db'.
   */
  trackingUri: string;
  /** The experiment runs go to when the caller names none (`MLFLOW_EXPERIMENT_NAME`). */
  experimentName: string | undefined;
  /** The Authorization header value, if any (Bearer token or Basic credentials). */
  authorization: string | undefined;
}

/** The environment variables MLflow's Python client reads for the same settings. */
export const TRACKING_ENV = ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD', 'MLFLOW_EXPERIMENT_NAME'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Tracking settings from MLflow's environment variables, or `undefined` when
 * `MLFLOW_TRACKING_URI` is unset (the caller then uses the local default, ./mlflow.db).
 *
 * @throws ParameterError for a URI that is neither http(s) nor sqlite:///, or a username without a password.
 */
export function trackingSettingsFromEnv(env: Env = process.env): TrackingSettings | undefined {
  const uri = nonEmpty(env.MLFLOW_TRACKING_URI);
  if (uri === undefined) return undefined;
  if (isSqliteUri(uri)) return { trackingUri: sqliteUriOf(sqlitePathFromUri(uri, 'MLFLOW_TRACKING_URI')), experimentName: experimentNameFromEnv(env), authorization: undefined };
  return {
    trackingUri: checkTrackingUri(uri, 'MLFLOW_TRACKING_URI'),
    experimentName: experimentNameFromEnv(env),
    authorization: authorizationFrom(env),
  };
}

/** `MLFLOW_EXPERIMENT_NAME`, which MLflow honors with or without a tracking URI. */
export function experimentNameFromEnv(env: Env = process.env): string | undefined {
  return nonEmpty(env.MLFLOW_EXPERIMENT_NAME);
}

/** What MLflow 3.13+ says about its old file store, for URIs that name one. */
const FILE_STORE_HINT =
  ' That is MLflow\'s old file store, which MLflow 3.13+ refuses by default; unset MLFLOW_TRACKING_URI to log to the local default (./mlflow.db and ./mlruns), or use sqlite:///mlflow.db.';

/** A tracking server URL without its trailing slash; only http and https reach a server (MlflowClient speaks REST). */
export function checkTrackingUri(uri: string, source: string): string {
  if (isSqliteUri(uri)) {
    throw new ParameterError(source, `${source} must be an http(s) URL of an MLflow tracking server: MlflowClient speaks REST. '${uri}' is a SQLite database; MlflowTracker (and SqliteTrackingStore) write it directly.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    const hint = /^[./~]/.test(uri) ? FILE_STORE_HINT : '';
    throw new ParameterError(source, `${source} must be an http(s) URL of an MLflow tracking server, e.g. http://127.0.0.1:5000, or a sqlite:/// database. Got '${uri}'.${hint}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const hint = parsed.protocol === 'file:' ? FILE_STORE_HINT : '';
    throw new ParameterError(source, `${source} must be an http(s) URL of an MLflow tracking server or a sqlite:/// database. Got '${uri}' (scheme '${parsed.protocol.slice(0, -1)}').${hint}`);
  }
  return uri.replace(/\/+$/, '');
}

function authorizationFrom(env: Env): string | undefined {
  const token = nonEmpty(env.MLFLOW_TRACKING_TOKEN);
  if (token !== undefined) return `Bearer ${token}`;
  const user = nonEmpty(env.MLFLOW_TRACKING_USERNAME);
  const password = nonEmpty(env.MLFLOW_TRACKING_PASSWORD);
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    const missing = user === undefined ? 'MLFLOW_TRACKING_USERNAME' : 'MLFLOW_TRACKING_PASSWORD';
    throw new ParameterError(missing, `MLflow basic authentication needs MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD together; ${missing} is not set.`);
  }
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
