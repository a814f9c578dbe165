export { ADDON_ERROR_CLASSES, captureCallSite, withCallSite } from './errors';
export type { AddonErrorClasses, CallSite } from './errors';
export { NativeResource } from './handle';
export type { Handle } from './handle';
export { checkMatrix } from './validate';
export type { DenseData, MatrixOptions } from './validate';
export { EarlyStopping } from './early-stopping';
export { awaitTrainLoop } from './train-loop';
export type { NativeTrainRun } from './train-loop';
export type { EarlyStop, EarlyStoppingOptions, RoundScore } from './early-stopping';
export { defaultThreadCount, loadWithOpenMPDefaults, otherRunnableTasks, ownRunnableThreads, SINGLE_THREAD_ROWS } from './openmp';
export {
  addonLocations, describeAddon, loadAddon, loadKdapAddon, missingAddonMessage, openMPRuntimeHint, PLAIN_ADDON_BUILD, sourceBuildCommand,
  unloadableAddonMessage,
} from './addon-loading';
export type { AddonDescription, AddonLoadOptions, AddonLocation, KdapAddon, LoadFailure, SourceBuildNeeds } from './addon-loading';
export { addonPlatform, nativePackageConfig, PLATFORM_SUFFIX_FORM, platformFields, platformPackageName, platformPackageSuffix, PREBUILT_PLATFORM } from './platform';
export type { NativePackageConfig } from './platform';
