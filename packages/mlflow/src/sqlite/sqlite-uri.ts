import { isAbsolute, resolve } from 'node:path';
import { ParameterError } from '@kdap/errors';

/** MLflow's default tracking URI since 3.7 when MLFLOW_TRACKING_URI is unset: ./mlflow.db. */
export const DEFAULT_SQLITE_URI = 'sqlite:///mlflow.db';

/** MLflow's default artifact root for a local store (`./mlruns`, resolved against the working directory). */
export const DEFAULT_ARTIFACT_ROOT = './mlruns';

/** True for the URIs the embedded store writes: 'sqlite:///...'. */
export function isSqliteUri(uri: string): boolean {
  return /^sqlite:/i.test(uri.trim());
}

/**
 * The database file a 'sqlite:///' URI names, as SQLAlchemy reads it: 'sqlite:///mlflow.db' is
 * relative to `cwd`, 'sqlite:////abs/mlflow.db' is absolute; percent-escapes are decoded.
 *
 * @throws ParameterError for an in-memory database ('sqlite://', ':memory:') or query options.
 */
export function sqlitePathFromUri(uri: string, source: string, cwd: string = process.cwd()): string {
  const trimmed = uri.trim();
  const match = /^sqlite:\/\/\/(.+)$/i.exec(trimmed);
  if (match === null || match[1]!.startsWith(':memory:')) {
    throw new ParameterError(source, `${source} must name a SQLite database file, e.g. sqlite:///mlflow.db (relative to the working directory) or sqlite:////abs/path/mlflow.db. Got '${uri}'; an in-memory database would lose the runs.`);
  }
  if (match[1]!.includes('?')) {
    throw new ParameterError(source, `${source} takes no query options for SQLite (the store sets MLflow's own busy timeout). Got '${uri}'; remove the query string (the '?' and what follows).`);
  }
  const path = decodeURIComponent(match[1]!);
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** The absolute form MLflow itself reports for a database file: 'sqlite:////abs/mlflow.db'. */
export function sqliteUriOf(path: string): string {
  return `sqlite:///${path}`;
}
