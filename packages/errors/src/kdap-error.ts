import type { KdapErrorCode } from './codes';

/**
 * Base of every error KDAP ML throws on purpose. `code` is stable and machine-readable;
 * `message` says what was wrong, where (parameter, file, line, column) and what to do.
 * Anything thrown that is not a KdapError is a bug.
 */
export abstract class KdapError extends Error {
  abstract override readonly name: string;
  abstract readonly code: KdapErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The fields a log line or an HTTP body carries: name, code, message and the concept's own fields. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined && key !== 'cause' && key !== 'stack') out[key] = value;
    }
    return out;
  }
}

/** Whether `error` is a KdapError, optionally of one code. Works across copies of this package. */
export function isKdapError(error: unknown, code?: KdapErrorCode): error is KdapError {
  if (error instanceof KdapError) return code === undefined || error.code === code;
  // A second copy of the package (two installed versions) still carries our codes.
  const c = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof c === 'string' && c.startsWith('ERR_KDAP_') && (code === undefined || c === code);
}
