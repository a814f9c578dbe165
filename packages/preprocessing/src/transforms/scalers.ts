import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { ColumnTransform, type TransformJSON } from './transform';
import { mapNumericColumns, mapValues } from './numeric-columns';
import { meanAndVariance, medianOfSorted, quantileOfSorted, sortedPresent } from './statistics';

interface ShiftAndScale {
  /** Per column, in `columns` order. */
  readonly center: number[];
  readonly scale: number[];
}

function requireValues(count: number, name: string, owner: string): void {
  if (count === 0) {
    throw new DataError(`${owner} cannot fit column '${name}': it has no values (every row is missing). Impute or drop the column first.`, {
      column: name,
    });
  }
}

/**
 * What `learn` finds in each of `columns` (numeric; NaN = missing), gathered field by field in
 * column order: a scaler's fitted state, e.g. { center: [...], scale: [...] }.
 */
function learnPerColumn<Field extends string>(table: Table, columns: readonly string[], learn: (values: Float64Array | Float32Array, name: string) => Record<Field, number>): Record<Field, number[]> {
  const state = {} as Record<Field, number[]>;
  for (const name of columns) {
    const learned = learn(table.numeric(name).values, name);
    for (const field of Object.keys(learned) as Field[]) (state[field] ??= []).push(learned[field]);
  }
  return state;
}

/** A zero spread would divide by zero; like scikit-learn, such columns are only shifted. */
function nonZero(scale: number): number {
  return scale === 0 || !Number.isFinite(scale) ? 1 : scale;
}

/** Options of {@link StandardScaler}. */
export interface StandardScalerOptions {
  columns: readonly string[];
  withMean?: boolean;
  withStd?: boolean;
}


/** (value - center) / scale per column: the transform StandardScaler and RobustScaler share. */
function shiftAndScale(table: Table, columns: readonly string[], { center, scale }: ShiftAndScale): Table {
  return mapNumericColumns(table, columns, (values, j) => {
    const c = center[j] as number;
    const s = scale[j] as number;
    return mapValues(values, (v) => (v - c) / s);
  });
}

/** (x - mean) / std with the population std (ddof = 0), as sklearn.preprocessing.StandardScaler; NaN stays NaN. */
export class StandardScaler extends ColumnTransform<ShiftAndScale> {
  readonly kind = 'standard_scaler';
  readonly withMean: boolean;
  readonly withStd: boolean;

  constructor(options: StandardScalerOptions) {
    super(options?.columns, 'StandardScaler');
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric']);
    this.fitted = learnPerColumn(table, this.columns, (values, name) => {
      const stats = meanAndVariance(values);
      requireValues(stats.count, name, 'StandardScaler');
      return { center: this.withMean ? stats.mean : 0, scale: this.withStd ? nonZero(Math.sqrt(stats.variance)) : 1 };
    });
    return this;
  }

  transform(table: Table): Table {
    return shiftAndScale(table, this.columns, this.state);
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { columns: this.columns, withMean: this.withMean, withStd: this.withStd }, state: this.fitted ? { ...this.fitted } : null };
  }

  static fromJSON(json: unknown): StandardScaler {
    return StandardScaler.restore(json, 'standard_scaler', ['center', 'scale'], (params: StandardScalerOptions) => new StandardScaler(params));
  }
}

/** Options of {@link RobustScaler}. */
export interface RobustScalerOptions {
  columns: readonly string[];
  /** Percentiles (0-100) whose distance is the scale; default [25, 75]. */
  quantileRange?: readonly [number, number];
  withCentering?: boolean;
  withScaling?: boolean;
}

/** (x - median) / (q75 - q25), as sklearn.preprocessing.RobustScaler; NaN stays NaN. */
export class RobustScaler extends ColumnTransform<ShiftAndScale> {
  readonly kind = 'robust_scaler';
  readonly quantileRange: readonly [number, number];
  readonly withCentering: boolean;
  readonly withScaling: boolean;

  constructor(options: RobustScalerOptions) {
    super(options?.columns, 'RobustScaler');
    this.quantileRange = options.quantileRange ?? [25, 75];
    const [low, high] = this.quantileRange;
    if (!(low >= 0 && high <= 100 && low < high)) {
      throw new ParameterError('quantileRange', `The 'quantileRange' option of RobustScaler must be [low, high] with 0 <= low < high <= 100. Got ${describeValue(this.quantileRange)}.`);
    }
    this.withCentering = options.withCentering ?? true;
    this.withScaling = options.withScaling ?? true;
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric']);
    this.fitted = learnPerColumn(table, this.columns, (values, name) => {
      const sorted = sortedPresent(values);
      requireValues(sorted.length, name, 'RobustScaler');
      const spread = quantileOfSorted(sorted, this.quantileRange[1] / 100) - quantileOfSorted(sorted, this.quantileRange[0] / 100);
      return { center: this.withCentering ? medianOfSorted(sorted) : 0, scale: this.withScaling ? nonZero(spread) : 1 };
    });
    return this;
  }

  transform(table: Table): Table {
    return shiftAndScale(table, this.columns, this.state);
  }

  toJSON(): TransformJSON {
    return {
      kind: this.kind,
      version: 1,
      params: { columns: this.columns, quantileRange: this.quantileRange, withCentering: this.withCentering, withScaling: this.withScaling },
      state: this.fitted ? { ...this.fitted } : null,
    };
  }

  static fromJSON(json: unknown): RobustScaler {
    return RobustScaler.restore(json, 'robust_scaler', ['center', 'scale'], (params: RobustScalerOptions) => new RobustScaler(params));
  }
}

/** Options of {@link MinMaxScaler}. */
export interface MinMaxScalerOptions {
  columns: readonly string[];
  /** Target range; default [0, 1]. */
  featureRange?: readonly [number, number];
}

/** x * scale + offset mapping the training [min, max] onto featureRange, as sklearn.preprocessing.MinMaxScaler. */
export class MinMaxScaler extends ColumnTransform<{ scale: number[]; offset: number[] }> {
  readonly kind = 'min_max_scaler';
  readonly featureRange: readonly [number, number];

  constructor(options: MinMaxScalerOptions) {
    super(options?.columns, 'MinMaxScaler');
    this.featureRange = options.featureRange ?? [0, 1];
    if (!(this.featureRange[0] < this.featureRange[1])) {
      throw new ParameterError('featureRange', `The 'featureRange' option of MinMaxScaler must be [low, high] with low < high. Got ${describeValue(this.featureRange)}.`);
    }
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric']);
    const [low, high] = this.featureRange;
    this.fitted = learnPerColumn(table, this.columns, (values, name) => {
      const sorted = sortedPresent(values);
      requireValues(sorted.length, name, 'MinMaxScaler');
      const min = sorted[0] as number;
      const max = sorted[sorted.length - 1] as number;
      // Same arithmetic as scikit-learn, so results agree bit for bit in most cases.
      const scale = (high - low) / nonZero(max - min);
      return { scale, offset: low - min * scale };
    });
    return this;
  }

  transform(table: Table): Table {
    const { scale, offset } = this.state;
    return mapNumericColumns(table, this.columns, (values, j) => {
      const s = scale[j] as number;
      const o = offset[j] as number;
      return mapValues(values, (v) => v * s + o);
    });
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { columns: this.columns, featureRange: this.featureRange }, state: this.fitted ? { ...this.fitted } : null };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    return MinMaxScaler.restore(json, 'min_max_scaler', ['scale', 'offset'], (params: MinMaxScalerOptions) => new MinMaxScaler(params));
  }
}
