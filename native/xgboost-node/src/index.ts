/**
 * @kdap/xgboost-node: XGBoost for TypeScript. Layer 2 (`DMatrix`, `Booster`) is the API to use;
 * layer 1 (`binding()`) mirrors the C API one function at a time.
 */
export { DMatrix } from './dmatrix';
export type { ColumnsOptions, DMatrixOptions, FeatureType } from './dmatrix';
export { Booster, parseEvalString } from './booster';
export type { BestPredictions, EvalResult, EvalsResult, IterationInfo, ModelFormat, PredictColumnsOptions, PredictOptions, TrainOptions } from './booster';
export type { ParamValue, Params } from './params';
export { getGlobalConfig, liveHandles, setLogger, setVerbosity, xgboostBuildInfo, xgboostVersion } from './library';
export { AddonLoadError, PredictType, binding } from './binding';
export type { BoosterHandle, CategoricalColumn, Column, DMatrixHandle, DenseMatrix, ImportanceType, ShapedResult, XGBoostBinding } from './binding';
export { AbortError, DisposedError, NativeError, ParameterError } from '@kdap/errors';
