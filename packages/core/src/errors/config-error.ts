/** One problem found in a configuration source. */
export interface ConfigProblem {
  /** The file (or other source, e.g. "environment variable KDAP_ENV") the value came from. */
  readonly source: string;
  /** Dotted key path inside that source, e.g. `hyperparameters.xgboost.max_depth`. */
  readonly keyPath: string;
  /** The whole sentence, e.g. "config/propensity.yaml: hyperparameters.xgboost.max_depth must be an integer >= 1, got 'six'". */
  readonly message: string;
}

/**
 * A configuration that cannot be used. Every problem is listed (one line each) so a user fixes a
 * file in one pass instead of one error per run.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_KDAP_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => p.message);
    super(lines.length === 1 ? lines[0]! : `The configuration has ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.problems = problems;
  }
}
