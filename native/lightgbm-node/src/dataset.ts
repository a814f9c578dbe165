import { checkKnownOptions, describe, ParameterError, UsageError } from '@kdap/errors';
import { captureCallSite, checkMatrix, type MatrixOptions, NativeResource, withCallSite } from '@kdap/napi-common';
import { binding, type DatasetHandle, type DenseMatrix } from './binding';
import { paramsToString, type Params } from './params';

/** Layout of a dense matrix: 'row' (row-major, C order) or 'column' (column-major, Fortran order). */
export type Layout = 'row' | 'column';

export interface DatasetOptions extends MatrixOptions {
  /** Initial score per row (rows * classes for multiclass). */
  initScore?: ArrayLike<number>;
  /** Columns to treat as categorical, by index or name (values must be non-negative integers). */
  categoricalFeatures?: readonly (number | string)[];
  /** Dataset parameters (max_bin, min_data_in_bin, ...). */
  params?: Params;
  /** Training dataset whose bins a validation set must share. */
  reference?: Dataset;
  /** Memory layout of `data`; default 'row'. */
  layout?: Layout;
  /**
   * Release the input matrix once the data is binned (default true, as LightGBM's Python package's
   * `free_raw_data`). With false the Dataset keeps a reference to `data` (no copy: do not change
   * it while the Dataset lives), which lets `Booster.train`'s `keepBestPredictions` copy LightGBM's
   * scores only at sparse checkpoints and add the later trees' leaf values to them.
   */
  freeRawData?: boolean;
}

const KNOWN_OPTIONS = ['rows', 'cols', 'label', 'weight', 'initScore', 'featureNames', 'categoricalFeatures', 'params', 'reference', 'layout', 'freeRawData'] as const;

/** The input matrix a Dataset kept (`freeRawData: false`). */
export interface RawData {
  data: DenseMatrix;
  rows: number;
  cols: number;
  rowMajor: boolean;
}

interface Prepared {
  data: DenseMatrix;
  rows: number;
  cols: number;
  rowMajor: boolean;
  params: Params;
}

function toFloat32(owner: string, name: string, values: ArrayLike<number>, rows: number, finite: boolean): Float32Array {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ParameterError(name, `The '${name}' option of ${owner} must be an array or typed array of numbers. Got ${describe(values)}.`);
  }
  if (values.length !== rows) {
    throw new ParameterError(name, `The '${name}' option of ${owner} must have one value per row (${rows}). Got ${values.length}.`);
  }
  const out = values instanceof Float32Array ? values : Float32Array.from(values);
  if (finite) {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        throw new ParameterError(name, `The '${name}' option of ${owner} must hold finite numbers. Got ${describe(values[i])} at row ${i}.`);
      }
    }
  }
  return out;
}

/**
 * A LightGBM Dataset: the binned training (or validation) matrix plus label, weights and feature
 * metadata. Like LightGBM's Python package, binning is lazy: it happens in `Booster.train` with the
 * training parameters merged in (so `min_data_in_leaf`, `max_bin`, seeds ... agree between
 * binning and training), or explicitly with `construct()` / `await constructAsync()`. The input
 * matrix is held until then and released after. Call `dispose()` when done; a Booster trained on
 * it keeps the native data alive as long as it needs it.
 */
export class Dataset extends NativeResource<DatasetHandle> {
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[] | undefined;
  /** The reference (training) dataset of a validation set. */
  readonly reference: Dataset | undefined;
  #pending: Prepared | null;
  #raw: RawData | null;
  #options: DatasetOptions;
  #constructing: Promise<void> | null = null;

  constructor(data: DenseMatrix, options: DatasetOptions) {
    const prepared = prepare(data, options);
    super('Dataset', (h) => binding().datasetFree(h));
    this.rows = options.rows;
    this.cols = options.cols;
    this.featureNames = options.featureNames ? [...options.featureNames] : undefined;
    this.reference = options.reference;
    this.#pending = prepared;
    this.#raw = options.freeRawData === false ? { data: prepared.data, rows: prepared.rows, cols: prepared.cols, rowMajor: prepared.rowMajor } : null;
    this.#options = options;
    // Fail now on bad label/weight rather than at training time.
    checkFields(options);
  }

  /** Whether the native dataset exists (binning done). */
  get constructed(): boolean {
    return this.hasHandle;
  }

  /** Bins the data on the JS thread, with `params` (training parameters) merged over the dataset's own. */
  construct(params: Params = {}): this {
    this.assertLive();
    if (this.hasHandle) return this;
    if (this.#constructing) throw new UsageError('Dataset is being constructed asynchronously; await it first');
    const ref = this.reference?.construct(params);
    const p = this.#pending!;
    const handle = binding().datasetCreateFromMat(p.data, p.rows, p.cols, p.rowMajor, mergedParams(p, params), ref?.nativeHandle ?? null);
    this.adopt(handle);
    return this;
  }

  /** Bins the data off the JS thread (the input is copied first). */
  async constructAsync(params: Params = {}): Promise<this> {
    this.assertLive();
    if (this.hasHandle) return this;
    this.#constructing ??= (async () => {
      const ref = await this.reference?.constructAsync(params);
      const p = this.#pending!;
      const handle = await withCallSite(
        binding().datasetCreateFromMatAsync(p.data, p.rows, p.cols, p.rowMajor, mergedParams(p, params), ref?.nativeHandle ?? null),
        captureCallSite(),
      );
      this.adopt(handle);
    })().finally(() => {
      this.#constructing = null;
    });
    await this.#constructing;
    return this;
  }

  private adopt(handle: DatasetHandle): void {
    this.attachHandle(handle);
    try {
      setFields(handle, this.#options);
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.#pending = null; // release the input matrix, as LightGBM's free_raw_data does
  }

  /** @internal The input matrix when kept (`freeRawData: false`), else null; null once disposed. */
  get rawData(): RawData | null {
    return this.disposed ? null : this.#raw;
  }

  /** @internal The native handle (constructs first if needed). */
  get nativeHandle(): DatasetHandle {
    return this.handle;
  }

  /** Number of rows LightGBM holds (constructs the dataset if needed). */
  numData(): number {
    return binding().datasetGetNumData(this.construct().handle);
  }

  /** Number of features LightGBM holds (constructs the dataset if needed). */
  numFeature(): number {
    return binding().datasetGetNumFeature(this.construct().handle);
  }

  /** The label as LightGBM stores it (float32), or null when none was set. */
  getLabel(): Float32Array | null {
    return binding().datasetGetField(this.construct().handle, 'label') as Float32Array | null;
  }

  /** Whether a label was given. */
  get hasLabel(): boolean {
    return this.#options.label !== undefined;
  }
}

function mergedParams(p: Prepared, params: Params): string {
  return paramsToString('Dataset', { ...params, ...p.params });
}

function checkFields(options: DatasetOptions): void {
  if (options.label !== undefined) toFloat32('Dataset', 'label', options.label, options.rows, true);
  if (options.weight !== undefined) {
    const w = toFloat32('Dataset', 'weight', options.weight, options.rows, true);
    if (w.some((x) => x < 0)) throw new ParameterError('weight', "The 'weight' option of Dataset must hold non-negative numbers.");
  }
  if (options.initScore !== undefined) {
    const n = options.initScore.length;
    if (n === 0 || n % options.rows !== 0) {
      throw new ParameterError('initScore', `The 'initScore' option of Dataset must hold rows * classes values (a multiple of ${options.rows}). Got ${n}.`);
    }
  }
}

function setFields(handle: DatasetHandle, options: DatasetOptions): void {
  const b = binding();
  if (options.label !== undefined) b.datasetSetField(handle, 'label', toFloat32('Dataset', 'label', options.label, options.rows, true));
  if (options.weight !== undefined) {
    const w = toFloat32('Dataset', 'weight', options.weight, options.rows, true);
    if (w.some((x) => x < 0)) throw new ParameterError('weight', "The 'weight' option of Dataset must hold non-negative numbers.");
    b.datasetSetField(handle, 'weight', w);
  }
  if (options.initScore !== undefined) b.datasetSetField(handle, 'init_score', Float64Array.from(options.initScore));
  if (options.featureNames !== undefined) b.datasetSetFeatureNames(handle, [...options.featureNames]);
}

function prepare(data: DenseMatrix, options: DatasetOptions): Prepared {
  if (options === null || typeof options !== 'object') {
    throw new ParameterError('options', `Dataset needs an options object with at least { rows, cols }. Got ${describe(options)}.`);
  }
  checkKnownOptions('Dataset', options, KNOWN_OPTIONS);
  checkMatrix('Dataset', data, options.rows, options.cols);
  if (options.freeRawData !== undefined && typeof options.freeRawData !== 'boolean') {
    throw new ParameterError('freeRawData', `The 'freeRawData' option of Dataset must be a boolean. Got ${describe(options.freeRawData)}.`);
  }
  const layout = options.layout ?? 'row';
  if (layout !== 'row' && layout !== 'column') {
    throw new ParameterError('layout', `The 'layout' option of Dataset must be 'row' or 'column'. Got ${describe(layout)}.`);
  }
  if (options.featureNames !== undefined) {
    if (!Array.isArray(options.featureNames) || options.featureNames.length !== options.cols || options.featureNames.some((n) => typeof n !== 'string' || n.length === 0)) {
      throw new ParameterError('featureNames', `The 'featureNames' option of Dataset must be ${options.cols} non-empty strings (one per column). Got ${describe(options.featureNames)}.`);
    }
    if (new Set(options.featureNames).size !== options.featureNames.length) {
      throw new ParameterError('featureNames', "The 'featureNames' option of Dataset must not repeat a name.");
    }
  }
  const params: Params = { ...(options.params ?? {}) };
  if (options.categoricalFeatures !== undefined && options.categoricalFeatures.length > 0) {
    params.categorical_feature = options.categoricalFeatures.map((f) => {
      if (typeof f === 'number') {
        if (!Number.isInteger(f) || f < 0 || f >= options.cols) {
          throw new ParameterError('categoricalFeatures', `The 'categoricalFeatures' option of Dataset must hold column indices in [0, ${options.cols - 1}] or feature names. Got ${describe(f)}.`);
        }
        return f;
      }
      const idx = options.featureNames?.indexOf(f) ?? -1;
      if (idx < 0) {
        throw new ParameterError('categoricalFeatures', `The 'categoricalFeatures' option of Dataset names '${f}', which is not in featureNames.`);
      }
      return idx;
    });
  }
  if (options.reference !== undefined) {
    if (!(options.reference instanceof Dataset)) {
      throw new ParameterError('reference', `The 'reference' option of Dataset must be a Dataset. Got ${describe(options.reference)}.`);
    }
    if (options.reference.cols !== options.cols) {
      throw new ParameterError('reference', `The 'reference' Dataset has ${options.reference.cols} columns; this one has ${options.cols}. A validation set must have the training set's columns.`);
    }
  }
  paramsToString('Dataset', params); // validate names and values now
  return { data, rows: options.rows, cols: options.cols, rowMajor: layout === 'row', params };
}
