import { KdapError } from './kdap-error';

/**
 * An invariant of our own code broke (a native scan returned rows it was not sized for, a handle
 * attached twice): a bug to report, never the caller's input. Anything else thrown that is not a
 * KdapError is reported with this code too.
 */
export class InternalError extends KdapError {
  override readonly name = 'InternalError';
  readonly code = 'ERR_KDAP_INTERNAL';

  constructor(message: string, options?: { cause?: unknown }) {
    super(`${message} This is a bug in KDAP ML; please report it with the steps that led here.`, options);
  }
}
