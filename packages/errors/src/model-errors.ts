import { KdapError } from './kdap-error';

/**
 * A model bundle that cannot be written or read: tampered, unsigned where a key is required,
 * truncated, of another model kind or format version. `file` names the file at fault (or the
 * bundle directory itself).
 */
export class BundleError extends KdapError {
  override readonly name = 'BundleError';
  readonly code = 'ERR_KDAP_BUNDLE';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.file = file;
  }
}

/** One problem found in a configuration source. */
export interface ConfigProblem {
  /** The file (or other source, e.g. "environment variable KDAP_ENV") the value came from. */
  readonly source: string;
  /** Dotted key path inside that source, e.g. `hyperparameters.xgboost.max_depth`. */
  readonly keyPath: string;
  /** The whole sentence, e.g. "config/propensity.yaml: hyperparameters.xgboost.max_depth must be an integer >= 1. Got 'six'." */
  readonly message: string;
}

/**
 * A configuration that cannot be used. Every problem is listed (one line each) so a user fixes a
 * file in one pass instead of one error per run.
 */
export class ConfigError extends KdapError {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_KDAP_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => p.message);
    super(lines.length === 1 ? lines[0]! : `The configuration has ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Experiment tracking (MLflow) failed or is not set up. The message says what was not logged
 * and how to log it later; a tracking failure never loses a trained model.
 */
export class TrackingError extends KdapError {
  override readonly name = 'TrackingError';
  readonly code = 'ERR_KDAP_TRACKING';
}

/**
 * A cloud deployment step failed or cannot start: credentials missing or expired, the service
 * refused a request, a long-running operation ended Failed. `operation` names the step (e.g.
 * `createEndpoint`), `status` the HTTP status and `serviceCode` the service's own error code when
 * the service answered. The message never carries a key or token.
 */
export class DeploymentError extends KdapError {
  override readonly name = 'DeploymentError';
  readonly code = 'ERR_KDAP_DEPLOYMENT';
  readonly operation: string;
  readonly status: number | undefined;
  readonly serviceCode: string | undefined;

  constructor(operation: string, message: string, options?: { status?: number; serviceCode?: string; cause?: unknown }) {
    super(message, options);
    this.operation = operation;
    this.status = options?.status;
    this.serviceCode = options?.serviceCode;
  }
}
