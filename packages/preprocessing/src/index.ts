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
export { Table, type ToMatrixOptions, type FromRecordsOptions, type TableSchema, type SchemaField } from './table/Table';
export type { DenseMatrix, MatrixLayout, MatrixDtype } from './table/matrix';
export type { DataRecord, RecordValue } from './table/records';
export { SeededRandom } from './random/SeededRandom';
export { readTable } from './io/readTable';
export { vectorCopyPath, type VectorCopyPath } from './io/duckdbVectors';
export type { ReadTableOptions } from './io/readOptions';
export { writeTable, type WriteTableOptions } from './io/writeTable';
export type { TableFormat } from './io/format';
export type { Transform, TransformJSON } from './transforms/Transform';
export { Imputer, type ImputerOptions, type ImputeStrategy } from './transforms/Imputer';
export {
  StandardScaler,
  RobustScaler,
  MinMaxScaler,
  type StandardScalerOptions,
  type RobustScalerOptions,
  type MinMaxScalerOptions,
} from './transforms/scalers';
export { OrdinalEncoder, type OrdinalEncoderOptions, type UnknownCategoryPolicy } from './transforms/OrdinalEncoder';
export { OneHotEncoder, OTHER_CATEGORY, type OneHotEncoderOptions } from './transforms/OneHotEncoder';
export { Log1p } from './transforms/Log1p';
export { Clipper, type ClipperOptions } from './transforms/Clipper';
export { Pipeline, transformFromJSON } from './transforms/Pipeline';
export { timeSeriesFeatures, timeSeriesFeatureNames, type TimeSeriesFeatureOptions } from './timeseries/timeSeriesFeatures';
export type { TrainTestSplit, Fold } from './splits/splitOptions';
export {
  trainTestSplit,
  stratifiedSplit,
  groupSplit,
  type RandomSplitOptions,
  type StratifiedSplitOptions,
  type GroupSplitOptions,
} from './splits/randomSplits';
export { timeSplit, type TimeSplitOptions } from './splits/timeSplit';
export { kFold, timeSeriesFolds, type KFoldOptions, type TimeSeriesFoldOptions } from './splits/folds';
export type { HillParameters } from './synthetic/hill';
export {
  syntheticMarketingSpend,
  type SyntheticMarketingSpend,
  type SyntheticMarketingSpendOptions,
  type ChannelResponseTruth,
} from './synthetic/marketingSpend';
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
} from './synthetic/metricSeries';
