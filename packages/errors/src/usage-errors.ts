import { KdapError } from './kdap-error';

/**
 * A parameter, option or argument that is not allowed, found before any work starts. Message shape:
 * "The 'num_leaves' parameter of BudgetOptimizerTrainer must be an integer >= 2. Got 1."
 */
export class ParameterError extends KdapError {
  override readonly name = 'ParameterError';
  readonly code = 'ERR_KDAP_PARAMETER';
  /** The offending parameter, option or argument. */
  readonly parameter: string;

  constructor(parameter: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.parameter = parameter;
  }
}

/** An API called in a state that does not allow it (e.g. train() while training). */
export class UsageError extends KdapError {
  override readonly name = 'UsageError';
  readonly code = 'ERR_KDAP_USAGE';
}
