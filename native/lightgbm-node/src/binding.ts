/**
 * Layer 1: the LightGBM C API, one JS function per C function (plus `Async` variants that run on
 * the libuv pool). Each function validates its arguments in C++ before any C call: wrong types,
 * wrong handle kinds and lengths that do not match rows * cols throw ParameterError, disposed
 * handles DisposedError (both @kdap/errors); library failures throw NativeError with LightGBM's
 * own message.
 *
 * Prefer the classes in `dataset.ts` / `booster.ts`; this layer is exported for completeness.
 */
import path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import { type AddonDescription, type AddonErrorClasses, describeAddon, type Handle, loadKdapAddon, type NativeTrainRun, openMPRuntimeHint } from '@kdap/napi-common';

export type DatasetHandle = Handle<'Dataset'>;
export type BoosterHandle = Handle<'Booster'>;
export type FastConfigHandle = Handle<'FastConfig'>;
export type DenseMatrix = Float32Array | Float64Array;

/** `C_API_PREDICT_*` */
export const PredictType = { Normal: 0, RawScore: 1, LeafIndex: 2, Contrib: 3 } as const;
/** `C_API_DTYPE_*` */
export const DType = { Float32: 0, Float64: 1 } as const;
/** `C_API_FEATURE_IMPORTANCE_*` */
export const ImportanceType = { Split: 0, Gain: 1 } as const;

/** `boosterTrainAsync`'s run; with `watch`, also `takeCheckpoint` (see there). */
export interface LightGBMTrainRun extends NativeTrainRun<Float64Array> {
  takeCheckpoint?(iter: number): { iteration: number; sets: Float64Array[] } | undefined;
}

export interface LightGBMBinding {
  /** Stores the @kdap/errors classes the addon builds its errors from, in this environment. */
  init(classes: AddonErrorClasses): void;
  /** Debug counter for leak tests: library objects of each kind created and not yet freed (process-wide). */
  liveHandles(): { Dataset: number; Booster: number; FastConfig: number };
  /** Routes LightGBM's log lines (`LGBM_RegisterLogCallback`) to `logger`, or drops them (null). */
  setLogger(logger: ((line: string) => void) | null): void;

  /** `int LGBM_DumpParamAliases(int64_t buffer_len, int64_t* out_len, char* out_str);` */
  dumpParamAliases(): string;

  /**
   * `int LGBM_DatasetCreateFromMat(const void* data, int data_type, int32_t nrow, int32_t ncol,
   *  int is_row_major, const char* parameters, const DatasetHandle reference, DatasetHandle* out);`
   */
  datasetCreateFromMat(data: DenseMatrix, nrow: number, ncol: number, isRowMajor: boolean,
    parameters: string, reference: DatasetHandle | null): DatasetHandle;
  /** The same on the libuv pool (the input is copied first, so it may be reused at once). */
  datasetCreateFromMatAsync(data: DenseMatrix, nrow: number, ncol: number, isRowMajor: boolean,
    parameters: string, reference: DatasetHandle | null): Promise<DatasetHandle>;
  /**
   * `int LGBM_DatasetSetField(DatasetHandle handle, const char* field_name, const void* field_data,
   *  int num_element, int type);` label/weight: Float32Array, init_score: Float64Array, group: Int32Array.
   */
  datasetSetField(dataset: DatasetHandle, fieldName: 'label' | 'weight' | 'init_score' | 'group',
    fieldData: Float32Array | Float64Array | Int32Array): void;
  /** `int LGBM_DatasetGetField(DatasetHandle handle, const char* field_name, int* out_len, const void** out_ptr, int* out_type);` */
  datasetGetField(dataset: DatasetHandle, fieldName: 'label' | 'weight' | 'init_score' | 'group'):
    Float32Array | Float64Array | Int32Array | null;
  /** `int LGBM_DatasetGetNumData(DatasetHandle handle, int* out);` */
  datasetGetNumData(dataset: DatasetHandle): number;
  /** `int LGBM_DatasetGetNumFeature(DatasetHandle handle, int* out);` */
  datasetGetNumFeature(dataset: DatasetHandle): number;
  /** `int LGBM_DatasetSetFeatureNames(DatasetHandle handle, const char** feature_names, int num_feature_names);` */
  datasetSetFeatureNames(dataset: DatasetHandle, featureNames: string[]): void;
  /**
   * `int LGBM_DatasetGetFeatureNames(DatasetHandle handle, const int len, int* num_feature_names,
   *  const size_t buffer_len, size_t* out_buffer_len, char** feature_names);`
   */
  datasetGetFeatureNames(dataset: DatasetHandle): string[];
  /** `int LGBM_DatasetFree(DatasetHandle handle);` Deferred while a booster uses it; returns whether the handle was live. */
  datasetFree(dataset: DatasetHandle): boolean;

  /** `int LGBM_BoosterCreate(const DatasetHandle train_data, const char* parameters, BoosterHandle* out);` */
  boosterCreate(trainData: DatasetHandle, parameters: string): BoosterHandle;
  /** `int LGBM_BoosterAddValidData(BoosterHandle handle, const DatasetHandle valid_data);` */
  boosterAddValidData(booster: BoosterHandle, validData: DatasetHandle): void;
  /** `int LGBM_BoosterUpdateOneIter(BoosterHandle handle, int* produced_empty_tree);` Returns produced_empty_tree. */
  boosterUpdateOneIter(booster: BoosterHandle): boolean;
  /** The same on the libuv pool. */
  boosterUpdateOneIterAsync(booster: BoosterHandle): Promise<boolean>;
  /**
   * Not a C function: `count` x LGBM_BoosterUpdateOneIter, each followed by LGBM_BoosterGetEval for
   * every index in `evalIdx`, in one call on the libuv pool. Resolves to count x evalIdx.length x
   * metrics values (iteration-major).
   */
  boosterUpdateBatchAsync(booster: BoosterHandle, count: number, evalIdx: Int32Array): Promise<Float64Array>;
  /**
   * Not a C function: the training loop in native code (napi-common's TrainLoop, as the XGBoost
   * binding's): `rounds` x (LGBM_BoosterUpdateOneIter, then LGBM_BoosterGetEval for every index in
   * `evalIdx`) on the executor thread. `answers`: 0 JS hears nothing per round (`onRound` may be
   * null); 1 `onRound(iter, values)` after each round while the next one trains; 2 the next round
   * waits for `onRound`'s answer (early stopping). `values` holds evalIdx.length x metrics values;
   * `onRound` returning true stops training, a throw rejects `done` with it. `stop()` ends training
   * before the next round; `done` resolves with the number of rounds trained. With `watch` (one
   * direction per value: 1 larger is better, -1 smaller is better, 0 not watched), after each round
   * that improves a watched value by more than `minDelta` (the first round always), LightGBM's
   * scores (as `boosterGetPredict`) of data index 0 up to the last in `evalIdx` are copied on the
   * executor; `takeBestPredictions(iter)` returns round `iter`'s copy (one Float64Array per data
   * index) or undefined, and releases every copy. With `checkpointEvery` k > 1 an improving round
   * is copied only when the last copy is k or more rounds old; `takeCheckpoint(iter)` then gives
   * the copy that best round `iter` refers to with the 0-based round it was taken at (iter - k < it <= iter).
   */
  boosterTrainAsync(booster: BoosterHandle, rounds: number, evalIdx: Int32Array, answers: 0 | 1 | 2,
    onRound: ((iter: number, values: Float64Array) => unknown) | null, watch?: Int8Array | null, minDelta?: number,
    checkpointEvery?: number): LightGBMTrainRun;
  /** `int LGBM_BoosterRollbackOneIter(BoosterHandle handle);` */
  boosterRollbackOneIter(booster: BoosterHandle): void;
  /** `int LGBM_BoosterGetCurrentIteration(BoosterHandle handle, int* out_iteration);` */
  boosterGetCurrentIteration(booster: BoosterHandle): number;
  /** `int LGBM_BoosterGetEvalCounts(BoosterHandle handle, int* out_len);` */
  boosterGetEvalCounts(booster: BoosterHandle): number;
  /**
   * `int LGBM_BoosterGetEvalNames(BoosterHandle handle, const int len, int* out_len,
   *  const size_t buffer_len, size_t* out_buffer_len, char** out_strs);`
   */
  boosterGetEvalNames(booster: BoosterHandle): string[];
  /** `int LGBM_BoosterGetEval(BoosterHandle handle, int data_idx, int* out_len, double* out_results);` data_idx 0 = training data. */
  boosterGetEval(booster: BoosterHandle, dataIdx: number): Float64Array;
  /** `int LGBM_BoosterGetNumFeature(BoosterHandle handle, int* out_len);` */
  boosterGetNumFeature(booster: BoosterHandle): number;
  /**
   * `int LGBM_BoosterGetNumPredict(BoosterHandle handle, int data_idx, int64_t* out_len);` and
   * `int LGBM_BoosterGetPredict(BoosterHandle handle, int data_idx, int64_t* out_len, double* out_result);`:
   * the scores LightGBM holds for a data set it trains on (0 training, i the i-th validation set
   * added), converted by the objective as `predict` converts them, class-major (class j of row i at j * rows + i).
   */
  boosterGetPredict(booster: BoosterHandle, dataIdx: number): Float64Array;
  /**
   * `int LGBM_BoosterGetLeafValue(BoosterHandle handle, int tree_idx, int leaf_idx, double* out_val);`
   * for each of `leafIdxs` of tree `treeIdx`: the leaf outputs the booster adds (in memory, no text round trip).
   */
  boosterGetLeafValues(booster: BoosterHandle, treeIdx: number, leafIdxs: Int32Array): Float64Array;
  /** `int LGBM_BoosterGetNumClasses(BoosterHandle handle, int* out_len);` */
  boosterGetNumClasses(booster: BoosterHandle): number;
  /** `int LGBM_BoosterNumModelPerIteration(BoosterHandle handle, int* out_tree_per_iteration);` */
  boosterNumModelPerIteration(booster: BoosterHandle): number;
  /**
   * `int LGBM_BoosterGetFeatureNames(BoosterHandle handle, const int len, int* out_len,
   *  const size_t buffer_len, size_t* out_buffer_len, char** out_strs);`
   */
  boosterGetFeatureNames(booster: BoosterHandle): string[];
  /**
   * `int LGBM_BoosterPredictForMat(BoosterHandle handle, const void* data, int data_type, int32_t nrow,
   *  int32_t ncol, int is_row_major, int predict_type, int start_iteration, int num_iteration,
   *  const char* parameter, int64_t* out_len, double* out_result);` (sized by LGBM_BoosterCalcNumPredict)
   */
  boosterPredictForMat(booster: BoosterHandle, data: DenseMatrix, nrow: number, ncol: number,
    isRowMajor: boolean, predictType: number, startIteration: number, numIteration: number,
    parameter: string): Float64Array;
  /** The same on the libuv pool (the input is copied first). */
  boosterPredictForMatAsync(booster: BoosterHandle, data: DenseMatrix, nrow: number, ncol: number,
    isRowMajor: boolean, predictType: number, startIteration: number, numIteration: number,
    parameter: string): Promise<Float64Array>;
  /**
   * `int LGBM_BoosterPredictForMatSingleRowFastInit(BoosterHandle handle, const int predict_type,
   *  const int start_iteration, const int num_iteration, const int data_type, const int32_t ncol,
   *  const char* parameter, FastConfigHandle* out_fastConfig);`
   */
  boosterPredictForMatSingleRowFastInit(booster: BoosterHandle, predictType: number,
    startIteration: number, numIteration: number, dataType: number, ncol: number,
    parameter: string): FastConfigHandle;
  /**
   * `int LGBM_BoosterPredictForMatSingleRowFast(FastConfigHandle fastConfig_handle, const void* data,
   *  int64_t* out_len, double* out_result);` Writes into `out`; returns out_len.
   */
  boosterPredictForMatSingleRowFast(fastConfig: FastConfigHandle, row: DenseMatrix, out: Float64Array): number;
  /** `int LGBM_FastConfigFree(FastConfigHandle fastConfig);` */
  fastConfigFree(fastConfig: FastConfigHandle): boolean;
  /** `int LGBM_BoosterFeatureImportance(BoosterHandle handle, int num_iteration, int importance_type, double* out_results);` */
  boosterFeatureImportance(booster: BoosterHandle, numIteration: number, importanceType: number): Float64Array;
  /**
   * `int LGBM_BoosterSaveModelToString(BoosterHandle handle, int start_iteration, int num_iteration,
   *  int feature_importance_type, int64_t buffer_len, int64_t* out_len, char* out_str);`
   */
  boosterSaveModelToString(booster: BoosterHandle, startIteration: number, numIteration: number,
    featureImportanceType: number): string;
  /** `int LGBM_BoosterLoadModelFromString(const char* model_str, int* out_num_iterations, BoosterHandle* out);` */
  boosterLoadModelFromString(modelStr: string): { booster: BoosterHandle; numIterations: number };
  /** `int LGBM_BoosterGetLoadedParam(BoosterHandle handle, int64_t buffer_len, int64_t* out_len, char* out_str);` */
  boosterGetLoadedParam(booster: BoosterHandle): string;
  /** `int LGBM_BoosterFree(BoosterHandle handle);` Deferred while a worker or fast config uses it. */
  boosterFree(booster: BoosterHandle): boolean;

  /** `int LGBM_NetworkInit(const char* machines, int local_listen_port, int listen_time_out, int num_machines);` */
  networkInit(machines: string, localListenPort: number, listenTimeOut: number, numMachines: number): void;
  /** `int LGBM_NetworkFree();` */
  networkFree(): void;
}

export { AddonLoadError };

/** This package's addon, for load errors (platform, file looked for, source build command). */
export function addonDescription(): AddonDescription {
  return describeAddon(path.resolve(__dirname, '..'), {
    what: 'The LightGBM addon',
    needs: 'cmake >= 3.18, a C++17 compiler, the OpenMP runtime and python3 with pip (to fetch the pinned LightGBM source)',
    aptPackages: ['build-essential', 'cmake', 'python3-pip', 'libgomp1'],
  });
}

let cached: LightGBMBinding | undefined;

/** The loaded addon (loaded on first use, once per thread/environment). */
export function binding(): LightGBMBinding {
  cached ??= loadKdapAddon<LightGBMBinding>(addonDescription(), { openMP: true, hint: openMPRuntimeHint });
  return cached;
}
