/**
 * @kdap/preprocessing: the KDAP data layer. Table, readers/writers, fitted transforms,
 * time-series features, splits and seeded synthetic data with ground truth.
 */
export { ParameterError, DataError, SchemaError, NotFittedError, type DataLocation } from './errors';
export {
  MISSING_CODE,
  numericColumn,
  categoricalColumn,
  dateColumn,
  encodeCategorical,
  type Column,
  type ColumnKind,
  type NumericColumn,
  type CategoricalColumn,
  type DateColumn,
} from './table/column';
export { Table, type ToMatrixOptions, type FromRecordsOptions, type TableSchema, type SchemaField } from './table/table';
export type { DenseMatrix, MatrixLayout, MatrixDtype } from './table/matrix';
export type { DataRecord, RecordValue } from './table/records';
export { SeededRandom } from './random/seeded-random';
export { readTable } from './io/read-table';
export { vectorCopyPath, type VectorCopyPath } from './io/duckdb-vectors';
export type { ReadTableOptions } from './io/read-options';
export { writeTable, type WriteTableOptions } from './io/write-table';
export type { TableFormat } from './io/format';
export type { Transform, TransformJSON } from './transforms/transform';
export { Imputer, type ImputerOptions, type ImputeStrategy } from './transforms/imputer';
export {
  StandardScaler,
  RobustScaler,
  MinMaxScaler,
  type StandardScalerOptions,
  type RobustScalerOptions,
  type MinMaxScalerOptions,
} from './transforms/scalers';
export { OrdinalEncoder, type OrdinalEncoderOptions, type UnknownCategoryPolicy } from './transforms/ordinal-encoder';
export { OneHotEncoder, OTHER_CATEGORY, type OneHotEncoderOptions } from './transforms/one-hot-encoder';
export { Log1p } from './transforms/log1p';
export { Clipper, type ClipperOptions } from './transforms/clipper';
export { Pipeline, transformFromJSON } from './transforms/pipeline';
export { SeriesFeatureRows, timeSeriesFeatures, timeSeriesFeatureNames, type SeriesFeatureRowsOptions, type TimeSeriesFeatureOptions } from './timeseries/time-series-features';
export type { TrainTestSplit, Fold } from './splits/split-options';
export {
  trainTestSplit,
  stratifiedSplit,
  groupSplit,
  type RandomSplitOptions,
  type StratifiedSplitOptions,
  type GroupSplitOptions,
} from './splits/random-splits';
export { timeSplit, type TimeSplitOptions } from './splits/time-split';
export { kFold, timeSeriesFolds, type KFoldOptions, type TimeSeriesFoldOptions } from './splits/folds';
export type { HillParameters } from './synthetic/hill';
export {
  syntheticMarketingSpend,
  type SyntheticMarketingSpend,
  type SyntheticMarketingSpendOptions,
  type ChannelResponseTruth,
} from './synthetic/marketing-spend';
export {
  syntheticCustomers,
  CONVERSION_MODEL_FEATURES,
  type SyntheticCustomersOptions,
  type ConversionModelTruth,
  type CustomerFeatures,
} from './synthetic/customers';
export {
  syntheticMetricSeries,
  ANOMALY_TYPES,
  type AnomalyType,
  type InjectedAnomaly,
  type SyntheticMetricSeriesOptions,
} from './synthetic/metric-series';
