import { isKdapError, type KdapError, type KdapErrorCode } from '@kdap/errors';

/**
 * Asserts that `fn` throws (or its promise rejects with) a KdapError of `code`, optionally with a
 * message matching `message`, and returns it for further checks. Bad-input tests of every package
 * use this, so a plain Error or a wrong code fails the test with what was thrown instead.
 */
export function expectKdapError<E extends KdapError = KdapError>(fn: () => unknown, code: KdapErrorCode, message?: string | RegExp): E;
export function expectKdapError<E extends KdapError = KdapError>(fn: () => Promise<unknown>, code: KdapErrorCode, message?: string | RegExp): Promise<E>;
export function expectKdapError<E extends KdapError = KdapError>(fn: () => unknown, code: KdapErrorCode, message?: string | RegExp): E | Promise<E> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return check<E>(error, code, message);
  }
  if (result instanceof Promise) {
    return result.then(
      () => {
        throw new Error(`expected a rejection with ${code}, but the promise resolved`);
      },
      (error: unknown) => check<E>(error, code, message),
    );
  }
  throw new Error(`expected a throw with ${code}, but the call returned ${String(result)}`);
}

function check<E extends KdapError>(error: unknown, code: KdapErrorCode, message: string | RegExp | undefined): E {
  if (!isKdapError(error)) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`expected a KdapError with code ${code}, got ${what}`);
  }
  if (error.code !== code) throw new Error(`expected code ${code}, got ${error.code} (${error.name}: ${error.message})`);
  if (typeof message === 'string' && !error.message.includes(message)) {
    throw new Error(`expected the message of ${code} to contain ${JSON.stringify(message)}, got ${JSON.stringify(error.message)}`);
  }
  if (message instanceof RegExp && !message.test(error.message)) {
    throw new Error(`expected the message of ${code} to match ${String(message)}, got ${JSON.stringify(error.message)}`);
  }
  return error as E;
}
