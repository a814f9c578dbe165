/**
 * The three kinds of column a Table holds. Missing values: NaN in numeric and date columns,
 * {@link MISSING_CODE} in categorical codes.
 */

/** Code of a missing (null) or unknown category in a categorical column. */
export const MISSING_CODE = -1;

/** What a column holds; used in schema overrides such as `{ columns: { channel_id: 'categorical' } }`. */
export type ColumnKind = 'numeric' | 'categorical' | 'date';

/** Real numbers; NaN marks a missing value. Integers and booleans (0/1) are stored here too. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly values: Float64Array | Float32Array;
}

/** Dictionary-encoded strings: `categories[codes[i]]`, or missing when the code is {@link MISSING_CODE}. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly codes: Int32Array;
  readonly categories: readonly string[];
}

/** Instants as milliseconds since 1970-01-01T00:00:00Z (UTC); NaN marks a missing value. */
export interface DateColumn {
  readonly kind: 'date';
  readonly values: Float64Array;
  /** Unit of `values`; always milliseconds since the Unix epoch. */
  readonly unit: 'ms';
}

export type Column = NumericColumn | CategoricalColumn | DateColumn;

/** Number of rows in a column. */
export function columnLength(column: Column): number {
  return column.kind === 'categorical' ? column.codes.length : column.values.length;
}

export function numericColumn(values: Float64Array | Float32Array): NumericColumn {
  return { kind: 'numeric', values };
}

export function dateColumn(values: Float64Array): DateColumn {
  return { kind: 'date', values, unit: 'ms' };
}

export function categoricalColumn(codes: Int32Array, categories: readonly string[]): CategoricalColumn {
  return { kind: 'categorical', codes, categories };
}

/**
 * Strings as codes into a list of distinct values, in any order: `values[codes[i]]`, or missing
 * when the code is {@link MISSING_CODE}. What readers collect before deciding a text column's kind.
 */
export interface DictionaryCodes {
  readonly codes: ArrayLike<number>;
  readonly values: readonly string[];
}

/** Dictionary codes of strings; values in order of first appearance. */
export function dictionaryCodes(texts: ArrayLike<string | null | undefined>): { readonly codes: Int32Array; readonly values: readonly string[] } {
  const seen = new Map<string, number>();
  const codes = new Int32Array(texts.length);
  for (let i = 0; i < texts.length; i += 1) {
    const text = texts[i];
    if (text === null || text === undefined) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = seen.get(text);
    if (code === undefined) {
      code = seen.size;
      seen.set(text, code);
    }
    codes[i] = code;
  }
  return { codes, values: [...seen.keys()] };
}

/**
 * A categorical column from dictionary codes, with categories sorted by code point (as pandas'
 * `Categorical` sorts them) and values no row uses left out, so the same data always yields the
 * same codes. `inPlace`: `codes` (an Int32Array the caller gives up) is rewritten and kept.
 */
export function categoricalFromDictionary(encoded: DictionaryCodes, inPlace = false): CategoricalColumn {
  const { codes, values } = encoded;
  const used = new Uint8Array(values.length);
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i] as number;
    if (code !== MISSING_CODE) used[code] = 1;
  }
  const categories = values.filter((_, code) => used[code] === 1).sort(compareCodePoints);
  const sortedCode = new Map(categories.map((category, index) => [category, index]));
  const remap = Int32Array.from(values, (value) => sortedCode.get(value) ?? MISSING_CODE);
  // In place: a reader's fresh codes need no second array (4 bytes a row at the read's peak).
  const out = inPlace && codes instanceof Int32Array ? codes : new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i] as number;
    out[i] = code === MISSING_CODE ? MISSING_CODE : (remap[code] as number);
  }
  return categoricalColumn(out, categories);
}

/**
 * categoricalFromDictionary for codes whose every value is used (a native encoder's output): the
 * categories are the values sorted, and `remapCodes` (the addon's, in place) moves the codes to
 * that order only when it differs, so no pass over the rows runs in JavaScript.
 */
export function categoricalFromUsedDictionary(codes: Int32Array, values: readonly string[], remapCodes: (codes: Int32Array, remap: Int32Array) => void): CategoricalColumn {
  const categories = [...values].sort(compareCodePoints);
  if (categories.some((text, k) => text !== values[k])) {
    const sortedCode = new Map(categories.map((category, index) => [category, index]));
    remapCodes(codes, Int32Array.from(values, (value) => sortedCode.get(value) as number));
  }
  return categoricalColumn(codes, categories);
}

/**
 * Encodes strings as a categorical column with categories sorted by code point (as pandas'
 * `Categorical` sorts them), so the same data always yields the same codes.
 */
export function encodeCategorical(values: ArrayLike<string | null | undefined>): CategoricalColumn {
  return categoricalFromDictionary(dictionaryCodes(values));
}

/** Orders strings by code point, independent of locale. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Copies the rows at `indices` into a new column of the same kind. */
export function takeRows(column: Column, indices: ArrayLike<number>): Column {
  const n = indices.length;
  if (column.kind === 'categorical') {
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i += 1) codes[i] = column.codes[indices[i] as number] as number;
    return categoricalColumn(codes, column.categories);
  }
  const values = column.values instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i += 1) values[i] = column.values[indices[i] as number] as number;
  return column.kind === 'date' ? dateColumn(values as Float64Array) : numericColumn(values);
}

/** Rows [start, end) as a view sharing memory with `column` (no copy). */
export function sliceRows(column: Column, start: number, end: number): Column {
  if (column.kind === 'categorical') return categoricalColumn(column.codes.subarray(start, end), column.categories);
  if (column.kind === 'date') return dateColumn(column.values.subarray(start, end));
  return numericColumn(column.values.subarray(start, end));
}

/** Re-encodes a categorical column onto a new category list; categories not in it become missing. */
export function recodeCategorical(column: CategoricalColumn, categories: readonly string[]): CategoricalColumn {
  const index = new Map<string, number>();
  categories.forEach((category, code) => index.set(category, code));
  const remap = column.categories.map((category) => index.get(category) ?? MISSING_CODE);
  const codes = new Int32Array(column.codes.length);
  for (let i = 0; i < codes.length; i += 1) {
    const code = column.codes[i] as number;
    codes[i] = code === MISSING_CODE ? MISSING_CODE : (remap[code] as number);
  }
  return categoricalColumn(codes, categories);
}

