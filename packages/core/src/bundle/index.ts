export type { BundleContents, FileContent } from './bundle-contents';
export { loadBundle } from './load-bundle';
export type { LoadBundleOptions, LoadedBundle } from './load-bundle';
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from './manifest';
export type { BundleFileEntry, BundleManifest } from './manifest';
export type { MlflowFlavor } from './mlmodel';
export { saveBundle } from './save-bundle';
