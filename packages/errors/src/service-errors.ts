import { KdapError } from './kdap-error';

/** A scoring request without valid credentials. The message never repeats the key. */
export class UnauthorizedError extends KdapError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'ERR_KDAP_UNAUTHORIZED';
}

/** A request for a model the server or registry does not hold. */
export class ModelNotFoundError extends KdapError {
  override readonly name = 'ModelNotFoundError';
  readonly code = 'ERR_KDAP_MODEL_NOT_FOUND';
  readonly model: string;

  constructor(model: string, message: string) {
    super(message);
    this.model = model;
  }
}

/** A request body above the configured limit. */
export class PayloadTooLargeError extends KdapError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'ERR_KDAP_PAYLOAD_TOO_LARGE';
  /** The limit, in bytes. */
  readonly limit: number;

  constructor(limit: number, message: string) {
    super(message);
    this.limit = limit;
  }
}

/** A service that cannot answer yet (models still loading) or any more (shutting down). */
export class NotReadyError extends KdapError {
  override readonly name = 'NotReadyError';
  readonly code = 'ERR_KDAP_NOT_READY';
}
