export type { FeatureMatrix } from './feature-matrix';
export { DEFAULT_FEATURE_POLICY, FeatureSchema } from './feature-schema';
export type { CaptureOptions, FeaturePolicy, FeatureSchemaJSON, FeatureSpec } from './feature-schema';
export type { FeatureColumn, FeatureTable } from './feature-table';
export { tableRows } from './table-rows';
export type { RowSource } from './table-rows';
