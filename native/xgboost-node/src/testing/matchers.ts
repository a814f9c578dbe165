/** Asymmetric matchers for the typed errors this package throws (name, code and exact message). */

/** A ParameterError from layer-2 validation. */
export function paramError(parameter: string, message: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name: 'ParameterError', code: 'ERR_KDAP_PARAMETER', parameter, message });
}

/** The TypeError/RangeError the addon throws (made in Node's realm, so matched by shape). */
export function argError(name: 'TypeError' | 'RangeError', message: string): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name, message, code: name === 'TypeError' ? 'ERR_INVALID_ARG_TYPE' : 'ERR_OUT_OF_RANGE' });
}
