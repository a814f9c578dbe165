export { AbortError, DisposedError, NativeError, ParameterError, withCallSite } from './errors';
export type { NativeErrorOptions, NativeLibrary } from './errors';
export { NativeResource } from './handle';
export type { Handle } from './handle';
export { checkInt, checkKnownOptions, checkMatrix, closest, describe } from './validate';
export type { DenseData } from './validate';
export { defaultThreadCount, loadWithOpenMPDefaults, otherRunnableTasks, SINGLE_THREAD_ROWS } from './openmp';
