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
    const distinct = [...new Set(Array.from(column.values).filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
    const held = Math.max(1, Math.round(distinct.length * fraction));
    if (distinct.length >= 2 && held < distinct.length) {
      cutoff = distinct[distinct.length - held]!;
      for (let i = 0; i < n; i++) if (column.values[i]! >= cutoff) isValidation[i] = 1;
    }
  } else {
    const held = Math.max(1, Math.round(n * fraction));
    if (held < n) isValidation.fill(1, n - held);
  }
  const pick = (flag: number) => subset(table, Uint32Array.from(function* () { for (let i = 0; i < n; i++) if (isValidation[i] === flag) yield i; }()));
  return { train: pick(0), validation: pick(1), by: dateColumn === undefined ? 'row order' : 'date', ...(cutoff === undefined ? {} : { cutoff }) };
}

/** The rows `indices` of a table (columns copied on first use). */
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
          ? { kind: 'categorical', categories: source.categories, codes: Int32Array.from(indices, (i) => source.codes[i]!) }
          : { kind: source.kind, values: Float64Array.from(indices, (i) => source.values[i]!) };
      cache.set(name, column);
      return column;
    },
  };
}
