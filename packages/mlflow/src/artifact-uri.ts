import { TrackingError } from '@kdap/errors';

/** The route of MLflow's artifact proxy (`mlflow server --serve-artifacts`, the default since 2.0). */
export const ARTIFACTS_ROUTE = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * The HTTP URL under which a run's or logged model's artifacts are uploaded through the proxy,
 * from the `artifact_uri` the server handed out ('mlflow-artifacts:/1/<run>/artifacts' or an
 * http(s) URL of the proxy route).
 *
 * @throws TrackingError when the server stores artifacts somewhere only it can reach (s3://, a
 *   local path): this client uploads through the proxy only.
 */
export function artifactBaseUrl(trackingUri: string, artifactUri: string): string {
  if (artifactUri.startsWith('mlflow-artifacts:')) {
    // 'mlflow-artifacts:/path' uses the tracking server; 'mlflow-artifacts://host:port/path' names one.
    const rest = artifactUri.slice('mlflow-artifacts:'.length);
    let base = trackingUri;
    let path = rest;
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
      path = slash < 0 ? '' : rest.slice(slash);
      if (host !== '') base = `${new URL(trackingUri).protocol}//${host}`;
    }
    return `${base}${ARTIFACTS_ROUTE}${encodePath(path)}`;
  }
  if (/^https?:\/\//.test(artifactUri) && new URL(artifactUri).pathname.includes(ARTIFACTS_ROUTE)) return artifactUri.replace(/\/+$/, '');
  throw new TrackingError(
    `The MLflow server keeps artifacts at '${artifactUri}', which this client cannot write to: it uploads through the server's artifact proxy. ` +
      `Start the server with --serve-artifacts (the default) and an --artifacts-destination, or create the experiment with an 'mlflow-artifacts:/' location.`,
  );
}

/** '/1/abc/artifacts' with each segment percent-encoded, no trailing slash. */
export function encodePath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  return segments.length === 0 ? '' : `/${segments.map(encodeURIComponent).join('/')}`;
}
