/**
 * @kdap/lightgbm-node: LightGBM for Node.js.
 *
 * Layer 2 (use this): `Dataset`, `Booster`, `setLogger`, parameter helpers.
 * Layer 1 (1:1 with the C API): `binding()`.
 */
export { Booster } from './booster';
export type { BestPredictions, EvalHistory, EvalResult, IterationInfo, PredictOptions, PredictRowOptions, PredictionType, TrainOptions } from './booster';
export { Dataset } from './dataset';
export type { DatasetOptions, Layout } from './dataset';
export { canonicalParam, parameterAliases, paramsToString } from './params';
export type { ParamValue, Params } from './params';
export { liveHandles, setLogger, lightgbmVersion, networkInit, networkFree } from './library';
export { AddonLoadError, DType, ImportanceType, PredictType, binding } from './binding';
export type { BoosterHandle, DatasetHandle, DenseMatrix, FastConfigHandle, LightGBMBinding } from './binding';
export { AbortError, DisposedError, NativeError, ParameterError } from '@kdap/errors';
