/**
 * @kdap/neighbors-node: exact k-nearest-neighbour search in native code (k-d tree, vectorized
 * leaf scans, threads), for @kdap/anomaly's LocalOutlierFactor.
 */
export { AddonLoadError, binding, BUILD_HINT } from './binding';
export type { NeighborsBinding } from './binding';
export { NeighborIndex, resolveJobs } from './neighbor-index';
export type { KNeighborsOptions } from './neighbor-index';
