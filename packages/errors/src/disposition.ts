import { INTERNAL_ERROR_CODE, type KdapErrorCode } from './codes';
import { isKdapError } from './kdap-error';

/** How a front end reports an error: the CLI's exit code and the scoring server's HTTP status. */
export interface ErrorDisposition {
  /** 1 runtime failure, 2 usage (the command or its input as given cannot work), 130 interrupted. */
  readonly exitCode: 1 | 2 | 130;
  /** The HTTP status of a scoring server response. */
  readonly httpStatus: number;
}

/**
 * The one table from error code to CLI exit code and HTTP status (0 is success and has no row).
 * Client mistakes are 400 (the body names the field); a model that cannot answer right now is 503.
 */
export const ERROR_DISPOSITIONS: Readonly<Record<KdapErrorCode | typeof INTERNAL_ERROR_CODE, ErrorDisposition>> = {
  ERR_KDAP_PARAMETER: { exitCode: 2, httpStatus: 400 },
  ERR_KDAP_USAGE: { exitCode: 2, httpStatus: 400 },
  ERR_KDAP_CONFIG: { exitCode: 2, httpStatus: 500 },
  ERR_KDAP_DATA: { exitCode: 1, httpStatus: 400 },
  ERR_KDAP_INSUFFICIENT_DATA: { exitCode: 1, httpStatus: 400 },
  ERR_KDAP_SCHEMA: { exitCode: 1, httpStatus: 400 },
  ERR_KDAP_NOT_FITTED: { exitCode: 1, httpStatus: 503 },
  ERR_KDAP_DISPOSED: { exitCode: 1, httpStatus: 503 },
  ERR_KDAP_ABORTED: { exitCode: 130, httpStatus: 503 },
  ERR_KDAP_NATIVE: { exitCode: 1, httpStatus: 500 },
  ERR_KDAP_BUNDLE: { exitCode: 1, httpStatus: 500 },
  ERR_KDAP_TRACKING: { exitCode: 1, httpStatus: 502 },
  ERR_KDAP_DEPLOYMENT: { exitCode: 1, httpStatus: 502 },
  ERR_KDAP_UNAUTHORIZED: { exitCode: 1, httpStatus: 401 },
  ERR_KDAP_MODEL_NOT_FOUND: { exitCode: 1, httpStatus: 404 },
  ERR_KDAP_PAYLOAD_TOO_LARGE: { exitCode: 1, httpStatus: 413 },
  ERR_KDAP_NOT_READY: { exitCode: 1, httpStatus: 503 },
  ERR_KDAP_ADDON_LOAD: { exitCode: 1, httpStatus: 500 },
  ERR_KDAP_INTERNAL: { exitCode: 1, httpStatus: 500 },
};

/** The code, exit code and HTTP status for anything thrown; non-KDAP errors are internal (1 / 500). */
export function dispositionOf(error: unknown): ErrorDisposition & { readonly code: KdapErrorCode | typeof INTERNAL_ERROR_CODE } {
  const code = isKdapError(error) && error.code in ERROR_DISPOSITIONS ? error.code : INTERNAL_ERROR_CODE;
  return { code, ...ERROR_DISPOSITIONS[code] };
}
