import { checkInt, checkKnownOptions, describe, ParameterError } from '@kdap/errors';
import { captureCallSite, checkMatrix, type MatrixOptions, NativeResource, withCallSite } from '@kdap/napi-common';
import { binding, type Column, type DMatrixHandle, type DenseMatrix, type MetaField } from './binding';

/** How XGBoost treats a column: q/float (quantitative), i/int (integer), c (categorical). */
export type FeatureType = 'q' | 'float' | 'i' | 'int' | 'c';

export interface DMatrixOptions extends MatrixOptions {
  /** Starting margin per row (rows * k for k output groups), as XGBoost's `base_margin`. */
  baseMargin?: ArrayLike<number>;
  /** Column types, one per column. */
  featureTypes?: readonly FeatureType[];
  /** The value that stands for "missing" in `data` (default NaN). */
  missing?: number;
  /** Threads used to build the matrix (-1 or omitted: all cores). */
  nthread?: number;
}

/** Options of {@link DMatrix.fromColumns}: those of a dense matrix, whose shape the columns give. */
export type ColumnsOptions = Omit<DMatrixOptions, 'rows' | 'cols'>;

const KNOWN_OPTIONS = ['rows', 'cols', 'label', 'weight', 'baseMargin', 'featureNames', 'featureTypes', 'missing', 'nthread'] as const;
const COLUMN_OPTIONS = ['label', 'weight', 'baseMargin', 'featureNames', 'featureTypes', 'missing', 'nthread'] as const;
const FEATURE_TYPES: readonly string[] = ['q', 'float', 'i', 'int', 'c'];

function checkMissing(owner: string, missing: unknown): number {
  if (missing === undefined) return NaN;
  if (typeof missing !== 'number' || !(Number.isNaN(missing) || Number.isFinite(missing))) {
    throw new ParameterError('missing', `The 'missing' option of ${owner} must be NaN or a finite number. Got ${describe(missing)}.`);
  }
  return missing;
}

function toMeta(owner: string, name: string, values: ArrayLike<number>, rows: number, perRowMultiple: boolean): DenseMatrix {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new ParameterError(name, `The '${name}' option of ${owner} must be an array or typed array of numbers. Got ${describe(values)}.`);
  }
  const ok = perRowMultiple ? values.length > 0 && values.length % rows === 0 : values.length === rows;
  if (!ok) {
    const want = perRowMultiple ? `rows * k values (rows = ${rows})` : `one value per row (${rows})`;
    throw new ParameterError(name, `The '${name}' option of ${owner} must have ${want}. Got ${values.length}.`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ParameterError(name, `The '${name}' option of ${owner} must hold finite numbers. Got ${describe(v)} at index ${i}.`);
    }
  }
  return values instanceof Float32Array || values instanceof Float64Array ? values : Float32Array.from(values);
}

function checkNames(owner: string, names: unknown, cols: number): readonly string[] {
  if (!Array.isArray(names) || names.length !== cols) {
    throw new ParameterError('featureNames', `The 'featureNames' option of ${owner} must be an array of ${cols} names (one per column). Got ${describe(names)}.`);
  }
  const seen = new Set<string>();
  names.forEach((n: unknown, i) => {
    // XGBoost's own rule (its text dumps use these characters as delimiters).
    if (typeof n !== 'string' || n.length === 0 || /[[\]<,]/.test(n)) {
      throw new ParameterError('featureNames', `The 'featureNames' option of ${owner} must hold non-empty strings without '[', ']', '<' or ','. Got ${describe(n)} at index ${i}.`);
    }
    if (seen.has(n)) throw new ParameterError('featureNames', `The 'featureNames' option of ${owner} must hold unique names. '${n}' appears twice.`);
    seen.add(n);
  });
  return [...(names as string[])];
}

function checkTypes(owner: string, types: unknown, cols: number): readonly FeatureType[] {
  if (!Array.isArray(types) || types.length !== cols) {
    throw new ParameterError('featureTypes', `The 'featureTypes' option of ${owner} must be an array of ${cols} types (one per column). Got ${describe(types)}.`);
  }
  types.forEach((t: unknown, i) => {
    if (typeof t !== 'string' || !FEATURE_TYPES.includes(t)) {
      throw new ParameterError('featureTypes', `The 'featureTypes' option of ${owner} must hold one of ${FEATURE_TYPES.join(', ')}. Got ${describe(t)} at index ${i}.`);
    }
  });
  return [...(types as FeatureType[])];
}

function isCategorical(c: Column): c is Exclude<Column, Float32Array | Float64Array> {
  return !(c instanceof Float32Array) && !(c instanceof Float64Array);
}

/**
 * Checks columnar input in TS (shape, kinds, codes) so a bad column is a ParameterError naming it;
 * returns the row count. The addon checks again before any XGBoost call.
 */
export function checkColumns(owner: string, columns: unknown): { rows: number; types: FeatureType[] } {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new ParameterError('columns', `The 'columns' argument of ${owner} must be a non-empty array of columns (Float32Array, Float64Array or { categories, codes }). Got ${describe(columns)}.`);
  }
  let rows = -1;
  const types: FeatureType[] = [];
  columns.forEach((c: unknown, i) => {
    let n: number;
    if (c instanceof Float32Array || c instanceof Float64Array) {
      n = c.length;
      types.push('q');
    } else if (c !== null && typeof c === 'object' && Array.isArray((c as { categories?: unknown }).categories) && (c as { codes?: unknown }).codes instanceof Int32Array) {
      const { categories, codes } = c as { categories: unknown[]; codes: Int32Array };
      const seen = new Set<string>();
      categories.forEach((name, k) => {
        if (typeof name !== 'string') throw new ParameterError('columns', `The categories of column ${i} of ${owner} must be strings. Got ${describe(name)} at index ${k}.`);
        if (seen.has(name)) throw new ParameterError('columns', `The categories of column ${i} of ${owner} must be unique. '${name}' appears twice.`);
        seen.add(name);
      });
      const bad = codes.findIndex((code) => code < -1 || code >= categories.length);
      if (bad >= 0) {
        throw new ParameterError('columns', `The codes of column ${i} of ${owner} must be -1 (missing) or an index into its ${categories.length} categories. Got ${codes[bad]} at row ${bad}.`);
      }
      n = codes.length;
      types.push('c');
    } else {
      throw new ParameterError('columns', `Column ${i} of ${owner} must be a Float32Array, a Float64Array or { categories: string[], codes: Int32Array }. Got ${describe(c)}.`);
    }
    if (rows < 0) rows = n;
    if (n !== rows) throw new ParameterError('columns', `The columns of ${owner} must all have the same length. Column 0 has ${rows} rows, column ${i} has ${n}.`);
  });
  if (rows === 0) throw new ParameterError('columns', `The columns of ${owner} must hold at least one row.`);
  return { rows, types };
}

interface Prepared {
  missing: number;
  nthread: number;
  meta: Array<[MetaField, DenseMatrix]>;
  featureNames: readonly string[] | undefined;
  featureTypes: readonly FeatureType[] | undefined;
}

/** Validates everything before the native call, so a bad option never leaves a half-built matrix. */
function prepare(owner: string, data: unknown, options: DMatrixOptions, dense = true): Prepared {
  if (options === null || typeof options !== 'object') {
    throw new ParameterError('options', `${owner} needs an options object with at least 'rows' and 'cols'. Got ${describe(options)}.`);
  }
  if (dense) {
    checkKnownOptions(owner, options, KNOWN_OPTIONS);
    checkMatrix(owner, data, options.rows, options.cols);
  }
  const { rows, cols } = options;
  const missing = checkMissing(owner, options.missing);
  const nthread = options.nthread ?? -1;
  checkInt(owner, 'nthread', nthread, -1, 4096);
  const meta: Array<[MetaField, DenseMatrix]> = [];
  if (options.label !== undefined) meta.push(['label', toMeta(owner, 'label', options.label, rows, true)]);
  if (options.weight !== undefined) {
    const w = toMeta(owner, 'weight', options.weight, rows, false);
    const neg = w.findIndex((v) => v < 0);
    if (neg >= 0) throw new ParameterError('weight', `The 'weight' option of ${owner} must hold non-negative numbers. Got ${w[neg]} at index ${neg}.`);
    meta.push(['weight', w]);
  }
  if (options.baseMargin !== undefined) meta.push(['base_margin', toMeta(owner, 'baseMargin', options.baseMargin, rows, true)]);
  return {
    missing,
    nthread,
    meta,
    featureNames: options.featureNames === undefined ? undefined : checkNames(owner, options.featureNames, cols),
    featureTypes: options.featureTypes === undefined ? undefined : checkTypes(owner, options.featureTypes, cols),
  };
}

function applyMeta(handle: DMatrixHandle, p: Prepared): void {
  const b = binding();
  for (const [field, values] of p.meta) b.dmatrixSetInfoFromInterface(handle, field, values);
  if (p.featureNames) b.dmatrixSetStrFeatureInfo(handle, 'feature_name', [...p.featureNames]);
  if (p.featureTypes) b.dmatrixSetStrFeatureInfo(handle, 'feature_type', [...p.featureTypes]);
}

/** Validates the options of a columnar matrix; feature types default to 'c' for categorical columns. */
function prepareColumns(owner: string, columns: unknown, options: ColumnsOptions): { p: Prepared; options: DMatrixOptions } {
  if (options === null || typeof options !== 'object') {
    throw new ParameterError('options', `The 'options' argument of ${owner} must be an object. Got ${describe(options)}.`);
  }
  checkKnownOptions(owner, options, COLUMN_OPTIONS);
  const { rows, types } = checkColumns(owner, columns);
  const full: DMatrixOptions = { ...options, rows, cols: types.length };
  const p = prepare(owner, new Float32Array(0), full, false);
  if (p.featureTypes) {
    p.featureTypes.forEach((t, i) => {
      if ((t === 'c') !== (types[i] === 'c')) {
        throw new ParameterError('featureTypes', `The 'featureTypes' option of ${owner} must say 'c' exactly for the categorical columns. Column ${i} is ${types[i] === 'c' ? 'categorical' : 'numeric'}, its type is '${t}'.`);
      }
    });
  } else if (types.includes('c')) {
    p.featureTypes = types;
  }
  return { p, options: full };
}

/** Marks the constructor call made by `DMatrix.create` with a matrix built off the JS thread. */
const adopt = Symbol('adopt');

/**
 * XGBoost's data matrix: a dense row-major copy of `data` (NaN = missing) with label, weights,
 * base margin and feature metadata. XGBoost copies the values, so `data` may be reused at once.
 * Call `dispose()` (or use `using`) when done; a Booster does not need its training matrix after
 * training.
 */
export class DMatrix extends NativeResource<DMatrixHandle> {
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[] | undefined;
  readonly featureTypes: readonly FeatureType[] | undefined;

  /** Builds the matrix on the JS thread; see {@link DMatrix.create} for large data. */
  constructor(data: DenseMatrix, options: DMatrixOptions);
  /** @internal */
  constructor(data: DenseMatrix | null, options: DMatrixOptions, adopted: { [adopt]: DMatrixHandle; prepared: Prepared });
  constructor(data: DenseMatrix | null, options: DMatrixOptions, adopted?: { [adopt]: DMatrixHandle; prepared: Prepared }) {
    const p = adopted?.prepared ?? prepare('DMatrix', data, options);
    const handle = adopted?.[adopt] ?? binding().dmatrixCreateFromDense(data!, options.rows, options.cols, p.missing, p.nthread);
    super('DMatrix', (h) => binding().dmatrixFree(h), handle);
    this.rows = options.rows;
    this.cols = options.cols;
    this.featureNames = p.featureNames;
    this.featureTypes = p.featureTypes;
    try {
      applyMeta(handle, p);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Builds the matrix off the JS thread (the input is copied first, so it may be reused at once). */
  static async create(data: DenseMatrix, options: DMatrixOptions): Promise<DMatrix> {
    const p = prepare('DMatrix.create', data, options);
    const handle = await withCallSite(binding().dmatrixCreateFromDenseAsync(data, options.rows, options.cols, p.missing, p.nthread), captureCallSite());
    return new DMatrix(data, options, { [adopt]: handle, prepared: p });
  }

  /**
   * A matrix from columns: numeric typed arrays (NaN = missing) and categorical columns given as
   * category names + codes (-1 = missing). Categorical columns get feature type 'c' (XGBoost's
   * native categorical splits; set `max_cat_to_onehot` etc. as in Python), and a Booster trained
   * on the matrix stores their names, so it re-codes later data by name: another category order,
   * or a category it never saw, predict as in Python. Built on the JS thread; see
   * {@link DMatrix.createFromColumns}.
   */
  static fromColumns(columns: readonly Column[], options: ColumnsOptions = {}): DMatrix {
    const { p, options: full } = prepareColumns('DMatrix.fromColumns', columns, options);
    const handle = binding().dmatrixCreateFromColumns([...columns], full.rows, p.missing, p.nthread);
    return new DMatrix(null, full, { [adopt]: handle, prepared: p });
  }

  /** {@link DMatrix.fromColumns} off the JS thread (the input is copied first). */
  static async createFromColumns(columns: readonly Column[], options: ColumnsOptions = {}): Promise<DMatrix> {
    const { p, options: full } = prepareColumns('DMatrix.createFromColumns', columns, options);
    const handle = await withCallSite(binding().dmatrixCreateFromColumnsAsync([...columns], full.rows, p.missing, p.nthread), captureCallSite());
    return new DMatrix(null, full, { [adopt]: handle, prepared: p });
  }

  /** The labels XGBoost holds (float32), empty when none were set. */
  getLabel(): Float32Array {
    return binding().dmatrixGetFloatInfo(this.handle, 'label');
  }

  /** The sample weights XGBoost holds, empty when none were set. */
  getWeight(): Float32Array {
    return binding().dmatrixGetFloatInfo(this.handle, 'weight');
  }

  /** The base margin XGBoost holds, empty when none was set. */
  getBaseMargin(): Float32Array {
    return binding().dmatrixGetFloatInfo(this.handle, 'base_margin');
  }

  /** Replaces the labels (one per row, or rows * k for multi-output). */
  setLabel(label: ArrayLike<number>): void {
    const handle = this.handle;
    binding().dmatrixSetInfoFromInterface(handle, 'label', toMeta('DMatrix.setLabel', 'label', label, this.rows, true));
  }

  /** Replaces the sample weights (one per row). */
  setWeight(weight: ArrayLike<number>): void {
    const handle = this.handle;
    binding().dmatrixSetInfoFromInterface(handle, 'weight', toMeta('DMatrix.setWeight', 'weight', weight, this.rows, false));
  }

  /** @internal The native handle. */
  get nativeHandle(): DMatrixHandle {
    return this.handle;
  }
}
