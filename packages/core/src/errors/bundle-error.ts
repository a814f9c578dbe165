/**
 * A model bundle that cannot be written or read: tampered, truncated, of another model kind or
 * format version. `file` names the file at fault (or the bundle directory itself).
 */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly code = 'ERR_KDAP_BUNDLE';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.file = file;
  }
}
