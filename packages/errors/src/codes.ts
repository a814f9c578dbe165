/**
 * Every stable, machine-readable error code of KDAP ML. A code never changes meaning once
 * released; consumers (the CLI, the scoring server, application code) switch on it.
 */
export const ERROR_CODES = [
  'ERR_KDAP_PARAMETER',
  'ERR_KDAP_USAGE',
  'ERR_KDAP_CONFIG',
  'ERR_KDAP_DATA',
  'ERR_KDAP_INSUFFICIENT_DATA',
  'ERR_KDAP_SCHEMA',
  'ERR_KDAP_NOT_FITTED',
  'ERR_KDAP_DISPOSED',
  'ERR_KDAP_ABORTED',
  'ERR_KDAP_NATIVE',
  'ERR_KDAP_BUNDLE',
  'ERR_KDAP_TRACKING',
  'ERR_KDAP_DEPLOYMENT',
  'ERR_KDAP_UNAUTHORIZED',
  'ERR_KDAP_MODEL_NOT_FOUND',
  'ERR_KDAP_PAYLOAD_TOO_LARGE',
  'ERR_KDAP_NOT_READY',
  'ERR_KDAP_ADDON_LOAD',
  'ERR_KDAP_INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type KdapErrorCode = (typeof ERROR_CODES)[number];

/** The code given to anything that is not a KdapError: a bug, or a failure we did not foresee. */
export const INTERNAL_ERROR_CODE = 'ERR_KDAP_INTERNAL';
