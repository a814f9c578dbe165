import { KdapError } from './kdap-error';

/** Which native library an error came from. */
export type NativeLibrary = 'LightGBM' | 'XGBoost' | 'DuckDB' | 'native';

export interface NativeErrorOptions {
  library: NativeLibrary;
  /** The C function's return code (LightGBM and XGBoost return -1 on failure). */
  returnCode: number;
  /** The C function that failed, e.g. `LGBM_BoosterCreate`. */
  function?: string | undefined;
  cause?: unknown;
}

/**
 * A failure reported by a native library. The message is the library's own (read with
 * `LGBM_GetLastError` / `XGBGetLastError` on the thread where the call failed); the stack is the
 * JS call that led to it, including for asynchronous calls.
 */
export class NativeError extends KdapError {
  override readonly name = 'NativeError';
  readonly code = 'ERR_KDAP_NATIVE';
  readonly library: NativeLibrary;
  readonly returnCode: number;
  readonly function: string | undefined;

  constructor(message: string, options: NativeErrorOptions) {
    super(message, options);
    this.library = options.library;
    this.returnCode = options.returnCode;
    this.function = options.function || undefined;
    // Start the stack at the caller of the failing binding function, not at this constructor.
    Error.captureStackTrace?.(this, NativeError);
  }
}

/**
 * A compiled addon (LightGBM, XGBoost, DuckDB vectors) that is not built or cannot be loaded or
 * attached. The message lists what was tried and the concrete fixes (build command, packages).
 */
export class AddonLoadError extends KdapError {
  override readonly name = 'AddonLoadError';
  readonly code = 'ERR_KDAP_ADDON_LOAD';
}
