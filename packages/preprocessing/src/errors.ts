/**
 * The data layer's errors are the kernel's (@kdap/errors); this module only keeps the names the
 * readers, transforms and splits import. Every message names what was wrong, where (file, line,
 * column when known) and what to do.
 */
export { DataError, InternalError, NotFittedError, ParameterError, SchemaError, describe as describeValue } from '@kdap/errors';
export type { DataLocation } from '@kdap/errors';
