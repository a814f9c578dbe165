import { ParameterError } from '@kdap/errors';
import type { FeatureColumn, FeatureTable } from '../schema/feature-table';

/** A training table split into the part a model fits on and the part its metrics come from. */
export interface ValidationSplit {
  train: FeatureTable;
  validation: FeatureTable;
  /** 'date': the latest `fraction` of the dates (whole dates) validate; 'row order': the last rows. */
  by: 'date' | 'row order';
  /** With `by: 'date'`, the first validation date (epoch milliseconds). */
  cutoff?: number;
}

/**
 * The one validation split of every trainer and the CLI when no validation set is given: held out
 * by time, never at random, so metrics say how the model does on periods it has not seen (a
 * random split leaks each period's neighbours into training). With a date column, the latest
 * `fraction` of its distinct dates validate, each date whole (all channels/series of a day on one
 * side); rows without a date train. Without one, the last `fraction` of the rows (table order).
 * `fraction` is in (0, 1), usually the configuration's `data.validation_size`.
 */
export function validationSplit(table: FeatureTable, options: { fraction: number; dateColumn?: string }): ValidationSplit {
  const { fraction, dateColumn } = options;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new ParameterError('fraction', `The 'fraction' option of validationSplit must be a number > 0 and < 1. Got ${String(fraction)}.`);
  }
  const n = table.rowCount;
  const isValidation = new Uint8Array(n);
  let cutoff: number | undefined;
  if (dateColumn !== undefined) {
    const column = table.column(dateColumn);
    if (column.kind !== 'date') throw new ParameterError('dateColumn', `validationSplit needs '${dateColumn}' to be a date column. Got a ${column.kind} column.`);
    // The distinct finite dates in order, from a native sort of a typed copy (no boxed numbers).
    const dates = column.values;
    const sorted = new Float64Array(n);
    let finite = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(dates[i]!)) sorted[finite++] = dates[i]!;
    const distinct = sorted.subarray(0, finite).sort();
    let count = 0;
    for (let k = 0; k < finite; k++) if (k === 0 || distinct[k] !== distinct[count - 1]) distinct[count++] = distinct[k]!;
    const held = Math.max(1, Math.round(count * fraction));
    if (count >= 2 && held < count) {
      cutoff = distinct[count - held]!;
      for (let i = 0; i < n; i++) if (dates[i]! >= cutoff) isValidation[i] = 1;
    }
  } else {
    const held = Math.max(1, Math.round(n * fraction));
    if (held < n) isValidation.fill(1, n - held);
  }
  let validationRows = 0;
  for (let i = 0; i < n; i++) validationRows += isValidation[i]!;
  const trainIndices = new Uint32Array(n - validationRows);
  const validationIndices = new Uint32Array(validationRows);
  for (let i = 0, t = 0, v = 0; i < n; i++) {
    if (isValidation[i] === 1) validationIndices[v++] = i;
    else trainIndices[t++] = i;
  }
  return { train: subset(table, trainIndices), validation: subset(table, validationIndices), by: dateColumn === undefined ? 'row order' : 'date', ...(cutoff === undefined ? {} : { cutoff }) };
}

/** `source[indices[k]]` for every k, into `out`. */
function gather<T extends Float64Array | Int32Array>(source: ArrayLike<number>, indices: Uint32Array, out: T): T {
  for (let k = 0; k < indices.length; k++) out[k] = source[indices[k]!]!;
  return out;
}

/**
 * The rows `indices` of a table (columns copied on first use, with a plain indexed loop: a
 * `Float64Array.from(indices, map)` copy calls the mapping function per row, several times slower
 * on 100,000 rows).
 */
export function subset(table: FeatureTable, indices: Uint32Array): FeatureTable {
  const cache = new Map<string, FeatureColumn>();
  return {
    rowCount: indices.length,
    columnNames: table.columnNames,
    column(name): FeatureColumn {
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      const source = table.column(name);
      const column: FeatureColumn =
        source.kind === 'categorical'
          ? { kind: 'categorical', categories: source.categories, codes: gather(source.codes, indices, new Int32Array(indices.length)) }
          : { kind: source.kind, values: gather(source.values, indices, new Float64Array(indices.length)) };
      cache.set(name, column);
      return column;
    },
  };
}
