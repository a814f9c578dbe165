import { DisposedError, NativeError, ParameterError } from '@kdap/errors';

/**
 * Re-anchors an error thrown by an async native call at the JS call site: the native side creates
 * the error after the JS frames that started the call are gone, so the stack captured when the
 * call began (`captureCallSite()`) is appended.
 */
export function withCallSite<T>(promise: Promise<T>, callSite: CallSite): Promise<T> {
  return promise.catch((e: unknown) => {
    if (e instanceof Error && callSite.stack) {
      const frames = callSite.stack.split('\n').slice(1).join('\n');
      e.stack = `${e.name}: ${e.message}\n${frames}`;
    }
    throw e;
  });
}

/** The JS stack at a call, kept to re-anchor an asynchronous native error (see withCallSite). */
export interface CallSite {
  readonly stack?: string | undefined;
}

/** Captures the current JS stack without creating an Error (nothing here is ever thrown). */
export function captureCallSite(): CallSite {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, captureCallSite);
  return site;
}

/** The @kdap/errors classes an addon's init() stores, so C++ builds KdapErrors (never TypeErrors). */
export const ADDON_ERROR_CLASSES = { NativeError, ParameterError, DisposedError } as const;
export type AddonErrorClasses = typeof ADDON_ERROR_CLASSES;
