/**
 * Layer 1: the XGBoost C API, one JS function per C function (plus `Async` variants that run off
 * the JS thread, and `boosterTrainAsync`, the training loop in native code). Each function validates its arguments in C++ before any C call: wrong types,
 * wrong handle kinds and lengths that do not match rows * cols throw ParameterError, disposed
 * handles DisposedError (both @kdap/errors); library failures throw NativeError with XGBoost's own message
 * (`XGBGetLastError`, read on the thread where the call failed).
 *
 * Prefer the classes in `dmatrix.ts` / `booster.ts`; this layer is exported for completeness.
 * Bound against XGBoost 3.2 (the pinned build in build/Release/libxgboost.so).
 */
import path from 'node:path';
import { AddonLoadError } from '@kdap/errors';
import {
  type AddonDescription, type AddonErrorClasses, describeAddon, type Handle, loadKdapAddon, type NativeTrainRun, openMPRuntimeHint, sourceBuildCommand,
} from '@kdap/napi-common';

export type DMatrixHandle = Handle<'DMatrix'>;
export type BoosterHandle = Handle<'Booster'>;
export type DenseMatrix = Float32Array | Float64Array;

/**
 * A categorical column: its category names and one code per row indexing them (-1 = missing),
 * like a pandas Categorical or an arrow dictionary array. XGBoost keeps the names, so a model
 * trained on it re-codes later data by name.
 */
export interface CategoricalColumn {
  categories: readonly string[];
  codes: Int32Array;
}

/** One column of columnar input: numeric values (NaN = missing) or a categorical column. */
export type Column = Float32Array | Float64Array | CategoricalColumn;

/** The `type` field of XGBoost's prediction config. */
export const PredictType = {
  Value: 0,
  Margin: 1,
  Contributions: 2,
  ApproxContributions: 3,
  Interactions: 4,
  ApproxInteractions: 5,
  Leaf: 6,
} as const;

export type MetaField = 'label' | 'weight' | 'base_margin';
export type StrFeatureField = 'feature_name' | 'feature_type';
export type ImportanceType = 'weight' | 'gain' | 'cover' | 'total_gain' | 'total_cover';

/** An array XGBoost returned with its shape (row-major). */
export interface ShapedResult {
  shape: number[];
  values: Float32Array;
}

export interface XGBoostBinding {
  /** Stores the @kdap/errors classes the addon builds its errors from, in this environment. */
  init(classes: AddonErrorClasses): void;
  /** Debug counter for leak tests: library objects of each kind created and not yet freed (process-wide). */
  liveHandles(): { DMatrix: number; Booster: number };
  /** Debug counter: copies of models made for the small-batch fast path (up to 64 rows, on the caller's thread). */
  smallBatchCopies(): number;
  /** Evaluation sets whose AUC Booster.train's loop computed itself rather than XGBoost (a debug counter for tests). */
  nativeAucEvaluations(): number;
  /** Debug counter: bytes of the large async input copies kept for reuse (napi-common's InputBufferPool, at most 64 MiB). */
  idleInputBytes(): number;
  /**
   * `int XGBRegisterLogCallback(void (*callback)(const char*));` Routes XGBoost's log lines to
   * `logger` (process-wide: the latest call wins), or drops them (null). Never stderr.
   */
  setLogger(logger: ((line: string) => void) | null): void;
  /** `void XGBoostVersion(int* major, int* minor, int* patch);` */
  version(): { major: number; minor: number; patch: number };
  /** `int XGBuildInfo(char const **out);` A JSON document of build flags. */
  buildInfo(): string;
  /** `int XGBSetGlobalConfig(char const *config);` e.g. `{"verbosity": 0}`. */
  setGlobalConfig(config: string): void;
  /** `int XGBGetGlobalConfig(char const **out_config);` */
  getGlobalConfig(): string;

  /**
   * `int XGDMatrixCreateFromDense(char const *data, char const *config, DMatrixHandle *out);`
   * `data` is row-major nrow x ncol (passed as an `__array_interface__`); XGBoost copies it.
   * `nthread` -1 uses all cores.
   */
  dmatrixCreateFromDense(data: DenseMatrix, nrow: number, ncol: number, missing: number, nthread: number): DMatrixHandle;
  /** The same on the libuv pool (the input is copied first, so it may be reused at once). */
  dmatrixCreateFromDenseAsync(data: DenseMatrix, nrow: number, ncol: number, missing: number, nthread: number): Promise<DMatrixHandle>;
  /**
   * `int XGDMatrixCreateFromColumnar(char const *data, char const *config, DMatrixHandle *out);`
   * One entry per column, `nrow` values (or codes) each; category names must be unique and codes
   * in [-1, categories.length). XGBoost copies everything. Set the categorical columns' feature type
   * to 'c' (the DMatrix class does).
   */
  dmatrixCreateFromColumns(columns: Column[], nrow: number, missing: number, nthread: number): DMatrixHandle;
  /** The same on the libuv pool (the input is copied first). */
  dmatrixCreateFromColumnsAsync(columns: Column[], nrow: number, missing: number, nthread: number): Promise<DMatrixHandle>;
  /**
   * `int XGDMatrixSetInfoFromInterface(DMatrixHandle handle, char const* field, char const* c_interface_str);`
   * label/base_margin: rows * k values (k > 1 for multi-output), weight: one per row.
   */
  dmatrixSetInfoFromInterface(dmatrix: DMatrixHandle, field: MetaField, data: DenseMatrix): void;
  /** `int XGDMatrixGetFloatInfo(const DMatrixHandle handle, const char *field, bst_ulong *out_len, const float **out_dptr);` */
  dmatrixGetFloatInfo(dmatrix: DMatrixHandle, field: MetaField): Float32Array;
  /**
   * `int XGDMatrixSetStrFeatureInfo(DMatrixHandle handle, const char *field, const char **features,
   *  const bst_ulong size);` One entry per column; types are q, i, int, float or c.
   */
  dmatrixSetStrFeatureInfo(dmatrix: DMatrixHandle, field: StrFeatureField, features: string[]): void;
  /** `int XGDMatrixGetStrFeatureInfo(DMatrixHandle handle, const char *field, bst_ulong *size, const char ***out_features);` */
  dmatrixGetStrFeatureInfo(dmatrix: DMatrixHandle, field: StrFeatureField): string[];
  /** `int XGDMatrixNumRow(DMatrixHandle handle, bst_ulong *out);` */
  dmatrixNumRow(dmatrix: DMatrixHandle): number;
  /** `int XGDMatrixNumCol(DMatrixHandle handle, bst_ulong *out);` */
  dmatrixNumCol(dmatrix: DMatrixHandle): number;
  /** `int XGDMatrixFree(DMatrixHandle handle);` Deferred while a worker uses it; returns whether the handle was live. */
  dmatrixFree(dmatrix: DMatrixHandle): boolean;

  /** `int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);` dmats are cached, not owned. */
  boosterCreate(dmats: DMatrixHandle[]): BoosterHandle;
  /** `int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value);` */
  boosterSetParam(booster: BoosterHandle, name: string, value: string): void;
  /** `int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain);` */
  boosterUpdateOneIter(booster: BoosterHandle, iter: number, dtrain: DMatrixHandle): void;
  /** The same on the libuv pool. */
  boosterUpdateOneIterAsync(booster: BoosterHandle, iter: number, dtrain: DMatrixHandle): Promise<void>;
  /**
   * `int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[],
   *  const char *evnames[], bst_ulong len, const char **out_result);`
   * Returns e.g. "[3]\ttrain-logloss:0.158\tvalid-logloss:0.2".
   */
  boosterEvalOneIter(booster: BoosterHandle, iter: number, dmats: DMatrixHandle[], evnames: string[]): string;
  /** The same on the libuv pool. */
  boosterEvalOneIterAsync(booster: BoosterHandle, iter: number, dmats: DMatrixHandle[], evnames: string[]): Promise<string>;
  /**
   * Not one C function: the round loop of Python's `xgboost.train`, run on the XGBoost thread
   * without a trip to JS between rounds. For `iter` in [0, rounds): `XGBoosterUpdateOneIter(handle,
   * iter, dtrain)`, then, when `dmats` is not empty, `XGBoosterEvalOneIter(handle, iter, dmats,
   * evnames, ...)`. With `onRound`, the next round waits for `onRound(iter, evalText)` on the JS
   * thread (which may call the binding), and a truthy answer or a throw ends training after that
   * round (a throw rejects `done` with it). `stop()` ends training before the next round. `done`
   * resolves with the number of rounds trained. With `bestPredictions` (not null), after each round
   * that improves the last score of the text (larger is better when 1, smaller when 0, by the
   * metric's name as Python's EarlyStopping when -1; the first round always), the margins
   * XGBoost caches for `dtrain` and each of `dmats` are copied (`XGBoosterPredictFromDMatrix`,
   * type 1, whole model: a cache hit); `takeBestPredictions(iter)` then returns round `iter`'s
   * copy transformed by XGBoost as `predict` (type 0) transforms them (one Float32Array per
   * matrix, `dtrain` first; a `dmats` entry that is `dtrain` is empty) or undefined, and releases
   * every copy. With `earlyStoppingRounds` (not null), the loop ends itself after the round where
   * that last score (its direction `earlyStoppingMaximize`, coded as `bestPredictions`) has not
   * improved for that many rounds (Python's EarlyStopping, min_delta 0), and `onRound` no longer
   * holds up the next round: it sees each round while the next one trains (a truthy answer or a
   * throw then ends training after the round running).
   */
  boosterTrainAsync(booster: BoosterHandle, dtrain: DMatrixHandle, rounds: number, dmats: DMatrixHandle[], evnames: string[],
    onRound: ((iter: number, evalText: string) => unknown) | null, bestPredictions?: -1 | 0 | 1 | null,
    earlyStoppingRounds?: number | null, earlyStoppingMaximize?: -1 | 0 | 1): NativeTrainRun<Float32Array>;
  /** `int XGBoosterBoostedRounds(BoosterHandle handle, int* out);` */
  boosterBoostedRounds(booster: BoosterHandle): number;
  /** `int XGBoosterGetNumFeature(BoosterHandle handle, bst_ulong *out);` */
  boosterGetNumFeature(booster: BoosterHandle): number;
  /**
   * `int XGBoosterPredictFromDense(BoosterHandle handle, char const *values, char const *config,
   *  DMatrixHandle m, bst_ulong const **out_shape, bst_ulong *out_dim, const float **out_result);`
   * In-place prediction, thread-safe. `type` 0 value or 1 margin; iterations [begin, end), end 0 = all.
   */
  boosterPredictFromDense(booster: BoosterHandle, data: DenseMatrix, nrow: number, ncol: number, type: 0 | 1,
    iterationBegin: number, iterationEnd: number, missing: number): ShapedResult;
  /** The same on the libuv pool (the input is copied first). */
  boosterPredictFromDenseAsync(booster: BoosterHandle, data: DenseMatrix, nrow: number, ncol: number, type: 0 | 1,
    iterationBegin: number, iterationEnd: number, missing: number): Promise<ShapedResult>;
  /**
   * `int XGBoosterPredictFromColumnar(BoosterHandle handle, char const *values, char const *config,
   *  DMatrixHandle m, bst_ulong const **out_shape, bst_ulong *out_dim, const float **out_result);`
   * In-place prediction on columns; categorical columns are re-coded by name against the
   * categories stored in the model (unseen names: as XGBoost decides, the same as in Python).
   */
  boosterPredictFromColumns(booster: BoosterHandle, columns: Column[], nrow: number, type: 0 | 1,
    iterationBegin: number, iterationEnd: number, missing: number): ShapedResult;
  /** The same on the libuv pool (the input is copied first). */
  boosterPredictFromColumnsAsync(booster: BoosterHandle, columns: Column[], nrow: number, type: 0 | 1,
    iterationBegin: number, iterationEnd: number, missing: number): Promise<ShapedResult>;
  /**
   * `int XGBoosterGetCategoriesExportToArrow(BoosterHandle handle, char const *config,
   *  CategoriesHandle *out, char const **export_out);` (then `XGBCategoriesFree`). The category
   * names the model stores, per feature (null for numeric ones); [] when it stores none.
   */
  boosterGetCategories(booster: BoosterHandle): Array<string[] | null>;
  /**
   * `int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, char const *config,
   *  bst_ulong const **out_shape, bst_ulong *out_dim, float const **out_result);`
   * `type`: see {@link PredictType} (contributions need this entry point).
   */
  boosterPredictFromDMatrix(booster: BoosterHandle, dmatrix: DMatrixHandle, type: number,
    iterationBegin: number, iterationEnd: number): ShapedResult;
  /** The same on the libuv pool. */
  boosterPredictFromDMatrixAsync(booster: BoosterHandle, dmatrix: DMatrixHandle, type: number,
    iterationBegin: number, iterationEnd: number): Promise<ShapedResult>;
  /** `int XGBoosterSaveModelToBuffer(BoosterHandle handle, char const *config, bst_ulong *out_len, char const **out_dptr);` */
  boosterSaveModelToBuffer(booster: BoosterHandle, format: 'json' | 'ubj'): Uint8Array;
  /** `int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, bst_ulong len);` JSON or UBJSON. */
  boosterLoadModelFromBuffer(booster: BoosterHandle, buf: Uint8Array): void;
  /**
   * `int XGBoosterFeatureScore(BoosterHandle handle, const char *config, bst_ulong *out_n_features,
   *  char const ***out_features, bst_ulong *out_dim, bst_ulong const **out_shape, float const **out_scores);`
   */
  boosterFeatureScore(booster: BoosterHandle, importanceType: ImportanceType): ShapedResult & { features: string[] };
  /** `int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, BoosterHandle *out);` end 0 = all. */
  boosterSlice(booster: BoosterHandle, beginLayer: number, endLayer: number, step: number): BoosterHandle;
  /** `int XGBoosterSetAttr(BoosterHandle handle, const char* key, const char* value);` null deletes. */
  boosterSetAttr(booster: BoosterHandle, key: string, value: string | null): void;
  /** `int XGBoosterGetAttr(BoosterHandle handle, const char* key, const char** out, int *success);` */
  boosterGetAttr(booster: BoosterHandle, key: string): string | null;
  /** `int XGBoosterSetStrFeatureInfo(BoosterHandle handle, const char *field, const char **features, const bst_ulong size);` */
  boosterSetStrFeatureInfo(booster: BoosterHandle, field: StrFeatureField, features: string[]): void;
  /** `int XGBoosterGetStrFeatureInfo(BoosterHandle handle, const char *field, bst_ulong *len, const char ***out_features);` */
  boosterGetStrFeatureInfo(booster: BoosterHandle, field: StrFeatureField): string[];
  /** `int XGBoosterFree(BoosterHandle handle);` Deferred while a worker uses it; returns whether the handle was live. */
  boosterFree(booster: BoosterHandle): boolean;
}

export { AddonLoadError };

/** This package's addon, for load errors (platform, file looked for, source build command). */
export function addonDescription(): AddonDescription {
  return describeAddon(path.resolve(__dirname, '..'), {
    what: 'The XGBoost addon',
    needs: 'cmake, a C++17 compiler and OpenMP (XGBoost itself is built from its pinned source release, or taken from XGBOOST_ROOT)',
    aptPackages: ['build-essential', 'cmake', 'libgomp1'],
  });
}

const BUILD_HINT =
  `Build it with '${sourceBuildCommand(addonDescription())}' (needs cmake, a C++17 compiler and OpenMP: ` +
  "'apt-get install build-essential cmake libgomp1' on Debian/Ubuntu; XGBoost itself is built from its pinned " +
  'source release and cached, or taken from XGBOOST_ROOT, a prefix with include/xgboost/c_api.h and lib/libxgboost.so).';

/** The message for a failed load of `file`: what is missing and the command that fixes it. */
export function explainLoadError(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/libxgboost/.test(message)) {
    return (
      `Could not load ${file}: the XGBoost shared library next to it is missing (${message}). Rebuild the addon ` +
      "with 'npm run build --workspace native/xgboost-node', which puts libxgboost.so next to the .node file."
    );
  }
  if (/libgomp/.test(message)) {
    return `Could not load ${file}: the OpenMP runtime is missing (${message}). Install it with 'apt-get install libgomp1'.`;
  }
  return `Could not load ${file}: ${message}. ${BUILD_HINT}`;
}

/** A fix for the load failures the generic advice does not cover (a library the addon links). */
function loadHint(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (/libxgboost/.test(message)) return 'The XGBoost shared library (libxgboost.so) must be next to the .node file: the platform package and the source build both put it there.';
  return openMPRuntimeHint(error);
}

let cached: XGBoostBinding | undefined;

/** The loaded addon (loaded on first use, once per thread/environment). */
export function binding(): XGBoostBinding {
  cached ??= loadKdapAddon<XGBoostBinding>(addonDescription(), { openMP: true, hint: loadHint });
  return cached;
}
