import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { ColumnTransform, type TransformJSON, checkTransformJSON } from './transform';
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
    const center: number[] = [];
    const scale: number[] = [];
    for (const name of this.columns) {
      const stats = meanAndVariance(table.numeric(name).values);
      requireValues(stats.count, name, 'StandardScaler');
      center.push(this.withMean ? stats.mean : 0);
      scale.push(this.withStd ? nonZero(Math.sqrt(stats.variance)) : 1);
    }
    this.fitted = { center, scale };
    return this;
  }

  transform(table: Table): Table {
    return shiftAndScale(table, this.columns, this.state);
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { columns: this.columns, withMean: this.withMean, withStd: this.withStd }, state: this.fitted ? { ...this.fitted } : null };
  }

  static fromJSON(json: unknown): StandardScaler {
    const parsed = checkTransformJSON(json, 'standard_scaler', ['center', 'scale']);
    const scaler = new StandardScaler(parsed.params as unknown as StandardScalerOptions);
    if (parsed.state) scaler.fitted = parsed.state as unknown as ShiftAndScale;
    return scaler;
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
    const center: number[] = [];
    const scale: number[] = [];
    for (const name of this.columns) {
      const sorted = sortedPresent(table.numeric(name).values);
      requireValues(sorted.length, name, 'RobustScaler');
      center.push(this.withCentering ? medianOfSorted(sorted) : 0);
      const spread = quantileOfSorted(sorted, this.quantileRange[1] / 100) - quantileOfSorted(sorted, this.quantileRange[0] / 100);
      scale.push(this.withScaling ? nonZero(spread) : 1);
    }
    this.fitted = { center, scale };
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
    const parsed = checkTransformJSON(json, 'robust_scaler', ['center', 'scale']);
    const scaler = new RobustScaler(parsed.params as unknown as RobustScalerOptions);
    if (parsed.state) scaler.fitted = parsed.state as unknown as ShiftAndScale;
    return scaler;
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
    const scale: number[] = [];
    const offset: number[] = [];
    const [low, high] = this.featureRange;
    for (const name of this.columns) {
      const sorted = sortedPresent(table.numeric(name).values);
      requireValues(sorted.length, name, 'MinMaxScaler');
      const min = sorted[0] as number;
      const max = sorted[sorted.length - 1] as number;
      // Same arithmetic as scikit-learn, so results agree bit for bit in most cases.
      const s = (high - low) / nonZero(max - min);
      scale.push(s);
      offset.push(low - min * s);
    }
    this.fitted = { scale, offset };
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
    const parsed = checkTransformJSON(json, 'min_max_scaler', ['scale', 'offset']);
    const scaler = new MinMaxScaler(parsed.params as unknown as MinMaxScalerOptions);
    if (parsed.state) scaler.fitted = parsed.state as unknown as { scale: number[]; offset: number[] };
    return scaler;
  }
}
