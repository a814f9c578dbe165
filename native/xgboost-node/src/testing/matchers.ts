/** Asymmetric matchers for the typed errors this package throws (name, code and exact message). */

/** A ParameterError from layer-2 validation. */
export function paramError(parameter: string, message: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name: 'ParameterError', code: 'ERR_KDAP_PARAMETER', parameter, message });
}

/** The ParameterError the addon's C++ argument checks throw (built from the @kdap/errors class). */
export function argError(message: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name: 'ParameterError', message, code: 'ERR_KDAP_PARAMETER' });
}

/** The DisposedError the addon throws for a disposed handle of kind `what`. */
export function disposedError(what: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name: 'DisposedError', what, code: 'ERR_KDAP_DISPOSED' });
}
