import { DataError, describe, ParameterError, SchemaError } from '@kdap/errors';

/** A row-major float64 matrix: row i at [i * cols, (i + 1) * cols). */
export interface RowMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
}

/** The part of a table the detectors read (`@kdap/preprocessing`'s Table satisfies it). */
export interface NumericTableLike {
  readonly rowCount: number;
  readonly columnNames: readonly string[];
  column(name: string): { readonly kind: string; readonly values?: ArrayLike<number> };
}

/**
 * What `fit`/`scoreSamples` accept: an array of rows, a row-major matrix (`{ values, rows, cols }`,
 * core's FeatureMatrix), a dense matrix (`{ data, rows, cols, layout }`, preprocessing's
 * DenseMatrix), or a table whose columns are all numeric.
 */
export type NumericInput =
  | readonly (readonly number[])[]
  | { readonly values: Float64Array | Float32Array; readonly rows: number; readonly cols: number }
  | { readonly data: Float64Array | Float32Array; readonly rows: number; readonly cols: number; readonly layout?: 'row' | 'column' }
  | NumericTableLike;

/**
 * Reads any NumericInput as a row-major float64 matrix, checking every value is finite and the
 * width is `expectedCols` when given. No copy when the input is already row-major float64.
 */
export function toRowMatrix(owner: string, method: string, input: NumericInput, expectedCols?: number): RowMatrix {
  const matrix = readMatrix(owner, method, input);
  if (matrix.rows === 0) {
    throw new DataError(`${owner}.${method}() got no rows. Pass at least one row of numbers.`);
  }
  if (matrix.cols === 0) {
    throw new DataError(`${owner}.${method}() got rows with no columns. Pass at least one numeric feature.`);
  }
  if (expectedCols !== undefined && matrix.cols !== expectedCols) {
    throw new SchemaError(
      `${owner}.${method}() got ${matrix.cols} features per row, but the model was fitted on ${expectedCols}. Pass the same columns, in the same order, as at fit time.`,
    );
  }
  const { values, cols } = matrix;
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i]!;
    // v - v is NaN for NaN and +-Infinity: one comparison per value on the hot path.
    if (v - v !== 0) {
      const row = Math.floor(i / cols);
      const column = names(input)?.[i % cols];
      const where = column === undefined ? `column ${i % cols}` : `column '${column}'`;
      throw new DataError(
        `${owner}.${method}() needs finite numbers, but row ${row}, ${where} holds ${v}. Impute or drop missing and infinite values first.`,
        { row, column },
      );
    }
  }
  return matrix;
}

function names(input: NumericInput): readonly string[] | undefined {
  if (isTable(input)) return input.columnNames;
  if (!Array.isArray(input) && 'columns' in input && Array.isArray((input as { columns?: unknown }).columns)) return (input as { columns: string[] }).columns;
  return undefined;
}

function isTable(input: NumericInput): input is NumericTableLike {
  return typeof input === 'object' && input !== null && 'rowCount' in input && typeof (input as NumericTableLike).column === 'function';
}

function readMatrix(owner: string, method: string, input: NumericInput): RowMatrix {
  const requirement = 'an array of rows, a { values, rows, cols } matrix or a table of numeric columns';
  if (input === null || typeof input !== 'object') {
    throw new ParameterError('X', `The 'X' argument of ${owner}.${method}() must be ${requirement}. Got ${describe(input)}.`);
  }
  if (Array.isArray(input)) return fromRows(owner, method, input as readonly (readonly number[])[]);
  if (isTable(input)) return fromTable(owner, method, input);
  const { rows, cols } = input as { rows: unknown; cols: unknown };
  const flat = 'values' in input ? input.values : 'data' in input ? input.data : undefined;
  if (!(flat instanceof Float64Array || flat instanceof Float32Array) || !Number.isInteger(rows) || !Number.isInteger(cols)) {
    throw new ParameterError('X', `The 'X' argument of ${owner}.${method}() must be ${requirement}. Got ${describe(input)}.`);
  }
  const r = rows as number;
  const c = cols as number;
  if (flat.length !== r * c) {
    throw new ParameterError('X', `The 'X' matrix of ${owner}.${method}() must hold rows * cols = ${r * c} values. Got ${flat.length}.`);
  }
  const columnMajor = 'layout' in input && input.layout === 'column' && c > 1;
  if (!columnMajor && flat instanceof Float64Array) return { rows: r, cols: c, values: flat };
  const values = new Float64Array(r * c);
  if (columnMajor) {
    for (let j = 0; j < c; j += 1) for (let i = 0; i < r; i += 1) values[i * c + j] = flat[j * r + i]!;
  } else {
    values.set(flat);
  }
  return { rows: r, cols: c, values };
}

function fromRows(owner: string, method: string, rows: readonly (readonly number[])[]): RowMatrix {
  const cols = rows[0]?.length ?? 0;
  const values = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    if (!Array.isArray(row) || row.length !== cols) {
      throw new DataError(`${owner}.${method}(): row ${i} holds ${Array.isArray(row) ? `${row.length} values` : describe(row)}, but row 0 holds ${cols}. Every row needs the same number of features.`, { row: i });
    }
    for (let j = 0; j < cols; j += 1) {
      const v = row[j];
      if (typeof v !== 'number') {
        throw new DataError(`${owner}.${method}(): row ${i}, column ${j} holds ${describe(v)}, not a number. Encode text features as numbers first.`, { row: i });
      }
      values[i * cols + j] = v;
    }
  }
  return { rows: rows.length, cols, values };
}

function fromTable(owner: string, method: string, table: NumericTableLike): RowMatrix {
  const cols = table.columnNames.length;
  const rows = table.rowCount;
  const values = new Float64Array(rows * cols);
  table.columnNames.forEach((name, j) => {
    const column = table.column(name);
    if (column.kind !== 'numeric' || column.values === undefined) {
      throw new SchemaError(
        `${owner}.${method}() needs numeric columns, but column '${name}' is ${column.kind}. Encode it (e.g. OrdinalEncoder) or select the numeric columns first.`,
        { column: name },
      );
    }
    const source = column.values;
    for (let i = 0; i < rows; i += 1) values[i * cols + j] = source[i]!;
  });
  return { rows, cols, values };
}

/** numpy.percentile with its default linear interpolation; `q` in [0, 100]. Sorts a copy. */
export function percentile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = ((sorted.length - 1) * q) / 100;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * fraction;
}

/** Base64 of a typed array's bytes (little-endian, as every platform Node runs on). */
export function encodeArray(array: Float64Array | Int32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** The inverse of encodeArray; `expected` checks the length. */
export function decodeArray<T extends Float64Array | Int32Array>(owner: string, field: string, text: unknown, kind: 'float64' | 'int32', expected?: number): T {
  if (typeof text !== 'string') throw new DataError(`${owner}.fromJSON(): '${field}' must be a base64 string. Got ${describe(text)}.`, { column: field });
  const bytes = Buffer.from(text, 'base64');
  const width = kind === 'float64' ? 8 : 4;
  if (bytes.length % width !== 0 || (expected !== undefined && bytes.length / width !== expected)) {
    throw new DataError(`${owner}.fromJSON(): '${field}' holds ${bytes.length} bytes, which is not ${expected ?? 'a whole number of'} ${kind} values. The saved model is damaged.`, {
      column: field,
    });
  }
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return (kind === 'float64' ? new Float64Array(copy) : new Int32Array(copy)) as T;
}
