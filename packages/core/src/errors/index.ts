export { AbortError, ParameterError } from '@kdap/napi-common';
export { BundleError } from './bundle-error';
export { ConfigError } from './config-error';
export type { ConfigProblem } from './config-error';
export { FeatureError } from './feature-error';
export { MetricError } from './metric-error';
export { NotFittedError } from './not-fitted-error';
export { TrackingNotConfiguredError } from './tracking-error';
export { TrainingInProgressError } from './training-in-progress-error';
