import { KdapError } from './kdap-error';

/** A model, trainer or transform used before it was fitted. */
export class NotFittedError extends KdapError {
  override readonly name = 'NotFittedError';
  readonly code = 'ERR_KDAP_NOT_FITTED';

  /**
   * @param owner the class, e.g. `BudgetOptimizerTrainer`
   * @param method the method that needs a fitted model, e.g. `predict`
   * @param fitCall what to call first, e.g. `fit(table, { target })`
   */
  constructor(owner: string, method: string, fitCall = 'fit()') {
    super(`${owner}.${method}() needs a fitted model. Call ${fitCall} first.`);
  }
}

/** Use of an object after `dispose()` (a booster, a fitted model, a trainer, a server's model). */
export class DisposedError extends KdapError {
  override readonly name = 'DisposedError';
  readonly code = 'ERR_KDAP_DISPOSED';
  /** What was disposed, e.g. `Booster`. */
  readonly what: string;

  constructor(what: string) {
    super(`${what} has been disposed. Create or load a new one; a disposed object cannot be used again.`);
    this.what = what;
  }
}

/** An operation stopped by an `AbortSignal` (or Ctrl-C in the CLI). Nothing partial was kept. */
export class AbortError extends KdapError {
  override readonly name = 'AbortError';
  readonly code = 'ERR_KDAP_ABORTED';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}
