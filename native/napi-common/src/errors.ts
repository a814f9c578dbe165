/** Which native library an error came from. */
export type NativeLibrary = 'LightGBM' | 'XGBoost' | 'native';

export interface NativeErrorOptions {
  library: NativeLibrary;
  /** The C function's return code (LightGBM and XGBoost return -1 on failure). */
  code: number;
  /** The C function that failed, e.g. `LGBM_BoosterCreate`. */
  function?: string;
  cause?: unknown;
}

/**
 * A failure reported by a native library. The message is the library's own (read with
 * `LGBM_GetLastError` / `XGBGetLastError` on the thread where the call failed); the stack is the
 * JS call that led to it, including for asynchronous calls.
 */
export class NativeError extends Error {
  override readonly name = 'NativeError';
  readonly library: NativeLibrary;
  readonly code: number;
  readonly function: string | undefined;

  constructor(message: string, options: NativeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.library = options.library;
    this.code = options.code;
    this.function = options.function || undefined;
    // Start the stack at the caller of the failing binding function, not at this constructor.
    Error.captureStackTrace?.(this, NativeError);
  }
}

/** Use of a handle-owning object after `dispose()`. */
export class DisposedError extends Error {
  override readonly name = 'DisposedError';
  readonly code = 'ERR_KDAP_DISPOSED';
  constructor(what: string) {
    super(`${what} has been disposed`);
  }
}

/** A parameter or argument that fails validation before anything reaches native code. */
export class ParameterError extends TypeError {
  override readonly name = 'ParameterError';
  readonly code = 'ERR_KDAP_PARAMETER';
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** Rejection of an operation stopped by an `AbortSignal`. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Re-anchors an error thrown by an async native call at the JS call site: the native side creates
 * the error after the JS frames that started the call are gone, so the stack captured when the
 * call began is appended.
 */
export function withCallSite<T>(promise: Promise<T>, callSite: Error): Promise<T> {
  return promise.catch((e: unknown) => {
    if (e instanceof Error && callSite.stack) {
      const frames = callSite.stack.split('\n').slice(1).join('\n');
      e.stack = `${e.name}: ${e.message}\n${frames}`;
    }
    throw e;
  });
}
