import { type Column, MISSING_CODE } from './column';

/** Memory order of a dense matrix: 'row' = row-major (C order), 'column' = column-major (Fortran order). */
export type MatrixLayout = 'row' | 'column';
/** Element type of a dense matrix. */
export type MatrixDtype = 'float64' | 'float32';

/** A dense matrix ready for the native bindings. */
export interface DenseMatrix<D extends Float64Array | Float32Array = Float64Array | Float32Array> {
  readonly data: D;
  readonly rows: number;
  readonly cols: number;
  /** Column names in matrix order. */
  readonly columns: readonly string[];
  readonly layout: MatrixLayout;
}

/**
 * Packs columns into one dense matrix with at most one copy. No copy is made when a single column
 * already has the requested dtype, or when float64 columns already lie back to back in one buffer
 * (as readTable lays out Parquet columns) and a column-major float64 matrix is asked for; the
 * matrix then shares memory with the Table, so treat it as read-only. Categorical codes become
 * numbers; missing values become NaN.
 */
export function packMatrix(
  names: readonly string[],
  columns: readonly Column[],
  rows: number,
  layout: MatrixLayout,
  dtype: MatrixDtype,
): DenseMatrix {
  const cols = columns.length;
  const only = columns[0];
  if (cols === 1 && only !== undefined && only.kind === 'numeric') {
    const sameType = dtype === 'float64' ? only.values instanceof Float64Array : only.values instanceof Float32Array;
    if (sameType) return { data: only.values, rows, cols, columns: names, layout };
  }
  if (layout === 'column' && dtype === 'float64') {
    const adjacent = adjacentColumnMajor(columns, rows);
    if (adjacent !== undefined) return { data: adjacent, rows, cols, columns: names, layout };
  }
  const data = dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  columns.forEach((column, j) => {
    const rowStride = layout === 'row' ? cols : 1;
    const base = layout === 'row' ? j : j * rows;
    if (column.kind === 'categorical') {
      const codes = column.codes;
      for (let i = 0; i < rows; i += 1) {
        const code = codes[i] as number;
        data[base + i * rowStride] = code === MISSING_CODE ? NaN : code;
      }
    } else if (layout === 'column') {
      data.set(column.values, base);
    } else {
      const values = column.values;
      for (let i = 0; i < rows; i += 1) data[base + i * rowStride] = values[i] as number;
    }
  });
  return { data, rows, cols, columns: names, layout };
}

/** A view of `columns` as one column-major matrix when they already sit back to back in one buffer. */
function adjacentColumnMajor(columns: readonly Column[], rows: number): Float64Array | undefined {
  const first = columns[0];
  if (first === undefined || first.kind !== 'numeric' || !(first.values instanceof Float64Array)) return undefined;
  const buffer = first.values.buffer;
  for (let j = 0; j < columns.length; j += 1) {
    const column = columns[j] as Column;
    if (column.kind !== 'numeric' || !(column.values instanceof Float64Array)) return undefined;
    if (column.values.buffer !== buffer || column.values.byteOffset !== first.values.byteOffset + j * rows * Float64Array.BYTES_PER_ELEMENT) return undefined;
  }
  return new Float64Array(buffer, first.values.byteOffset, rows * columns.length);
}
