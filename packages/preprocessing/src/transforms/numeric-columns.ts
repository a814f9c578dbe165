import type { Table } from '../table/table';
import { numericColumn } from '../table/column';

/** Replaces each of `columns` with `map(values, index)`; the other columns are shared. */
export function mapNumericColumns(
  table: Table,
  columns: readonly string[],
  map: (values: Float64Array | Float32Array, columnIndex: number, name: string) => Float64Array,
): Table {
  let result = table;
  columns.forEach((name, j) => {
    result = result.withColumn(name, numericColumn(map(table.numeric(name).values, j, name)));
  });
  return result;
}

/** Applies `f` to every value, keeping NaN (missing) as NaN. */
export function mapValues(values: ArrayLike<number>, f: (value: number) => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] as number;
    out[i] = Number.isNaN(v) ? NaN : f(v);
  }
  return out;
}
