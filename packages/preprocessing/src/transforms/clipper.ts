import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { ColumnTransform, type TransformJSON } from './transform';
import { mapNumericColumns, mapValues } from './numeric-columns';
import { quantileOfSorted, sortedPresent } from './statistics';

/** Options of {@link Clipper}: fixed bounds, or percentiles (0-100) learned on the training table (winsorizing). */
export interface ClipperOptions {
  columns: readonly string[];
  lower?: number;
  upper?: number;
  /** e.g. [1, 99]: clip to the training table's 1st and 99th percentiles (NumPy's linear method). */
  percentiles?: readonly [number, number];
}

/** Limits values to [lower, upper] (fixed, or learned percentiles); NaN stays NaN. */
export class Clipper extends ColumnTransform<{ lower: number[]; upper: number[] }> {
  readonly kind = 'clipper';
  readonly lower: number | undefined;
  readonly upper: number | undefined;
  readonly percentiles: readonly [number, number] | undefined;

  constructor(options: ClipperOptions) {
    super(options?.columns, 'Clipper');
    const { lower, upper, percentiles } = options;
    if (percentiles !== undefined) {
      if (lower !== undefined || upper !== undefined) {
        throw new ParameterError('percentiles', `Clipper takes either 'percentiles' or 'lower'/'upper', not both. Got ${describeValue(options)}.`);
      }
      if (!(percentiles[0] >= 0 && percentiles[1] <= 100 && percentiles[0] < percentiles[1])) {
        throw new ParameterError('percentiles', `The 'percentiles' option of Clipper must be [low, high] with 0 <= low < high <= 100. Got ${describeValue(percentiles)}.`);
      }
    } else if (lower === undefined && upper === undefined) {
      throw new ParameterError('lower', `Clipper needs 'lower', 'upper' or 'percentiles'. Got none.`);
    } else if (lower !== undefined && upper !== undefined && !(lower <= upper)) {
      throw new ParameterError('lower', `The 'lower' option of Clipper must be <= 'upper'. Got lower ${lower}, upper ${upper}.`);
    }
    this.lower = lower;
    this.upper = upper;
    this.percentiles = percentiles;
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric']);
    const lower: number[] = [];
    const upper: number[] = [];
    for (const name of this.columns) {
      if (this.percentiles === undefined) {
        lower.push(this.lower ?? -Infinity);
        upper.push(this.upper ?? Infinity);
        continue;
      }
      const sorted = sortedPresent(table.numeric(name).values);
      if (sorted.length === 0) {
        throw new DataError(`Clipper cannot fit column '${name}': it has no values to take percentiles of. Impute or drop the column first.`, { column: name });
      }
      lower.push(quantileOfSorted(sorted, this.percentiles[0] / 100));
      upper.push(quantileOfSorted(sorted, this.percentiles[1] / 100));
    }
    this.fitted = { lower, upper };
    return this;
  }

  transform(table: Table): Table {
    const { lower, upper } = this.state;
    return mapNumericColumns(table, this.columns, (values, j) => {
      const lo = lower[j] ?? -Infinity;
      const hi = upper[j] ?? Infinity;
      return mapValues(values, (v) => (v < lo ? lo : v > hi ? hi : v));
    });
  }

  toJSON(): TransformJSON {
    // Infinite bounds are stored as null because JSON has no Infinity.
    const state = this.fitted
      ? { lower: this.fitted.lower.map((v) => (Number.isFinite(v) ? v : null)), upper: this.fitted.upper.map((v) => (Number.isFinite(v) ? v : null)) }
      : null;
    const params: Record<string, unknown> = { columns: this.columns };
    if (this.lower !== undefined) params.lower = this.lower;
    if (this.upper !== undefined) params.upper = this.upper;
    if (this.percentiles !== undefined) params.percentiles = this.percentiles;
    return { kind: this.kind, version: 1, params, state };
  }

  static fromJSON(json: unknown): Clipper {
    // JSON holds an infinite bound as null.
    return Clipper.restore(json, 'clipper', ['lower', 'upper'], (params: ClipperOptions) => new Clipper(params), (saved) => {
      const state = saved as { lower: (number | null)[]; upper: (number | null)[] };
      return { lower: state.lower.map((v) => v ?? -Infinity), upper: state.upper.map((v) => v ?? Infinity) };
    });
  }
}
