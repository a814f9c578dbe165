/**
 * What `call` throws, as plain fields. Errors an addon makes come from Node's realm, not jest's, so
 * tests match them by name, code and message (`toEqual`) rather than with `instanceof`.
 */
export function thrown(call: () => unknown): { name: string; code: string; message: string } {
  try {
    call();
  } catch (error) {
    const { name, code, message } = error as { name: string; code: string; message: string };
    return { name, code, message };
  }
  throw new Error('expected the call to throw');
}
