export { ADDON_ERROR_CLASSES, captureCallSite, withCallSite } from './errors';
export type { AddonErrorClasses, CallSite } from './errors';
export { NativeResource } from './handle';
export type { Handle } from './handle';
export { checkMatrix } from './validate';
export type { DenseData } from './validate';
export { defaultThreadCount, loadWithOpenMPDefaults, otherRunnableTasks, SINGLE_THREAD_ROWS } from './openmp';
export { addonPlatform, missingAddonMessage, PREBUILT_PLATFORM, sourceBuildCommand, unloadableAddonMessage } from './addon-loading';
export type { AddonDescription } from './addon-loading';
