import { ParameterError } from '@kdap/errors';

/** Where and as whom to log: MLflow's own environment variables, read once. */
export interface TrackingSettings {
  /** Base URL of the tracking server, e.g. 'http://127.0.0.1:5000' (no trailing slash). */
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
 * `MLFLOW_TRACKING_URI` is unset (the caller then uses the local default).
 *
 * @throws ParameterError for a URI that is not http(s), or a username without a password.
 */
export function trackingSettingsFromEnv(env: Env = process.env): TrackingSettings | undefined {
  const uri = nonEmpty(env.MLFLOW_TRACKING_URI);
  if (uri === undefined) return undefined;
  return {
    trackingUri: checkTrackingUri(uri, 'MLFLOW_TRACKING_URI'),
    experimentName: nonEmpty(env.MLFLOW_EXPERIMENT_NAME),
    authorization: authorizationFrom(env),
  };
}

/** A tracking server URL without its trailing slash; only http and https reach a server. */
export function checkTrackingUri(uri: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new ParameterError(source, `${source} must be an http(s) URL of an MLflow tracking server, e.g. http://127.0.0.1:5000. Got '${uri}'.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const hint = parsed.protocol === 'sqlite:' || parsed.protocol === 'file:' ? ' Unset it to log to the local default (./mlflow.db and ./mlruns).' : '';
    throw new ParameterError(source, `${source} must be an http(s) URL of an MLflow tracking server. Got '${uri}' (scheme '${parsed.protocol.slice(0, -1)}').${hint}`);
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
