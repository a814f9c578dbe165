import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { MISSING_CODE, compareCodePoints, numericColumn } from '../table/column';
import { ColumnTransform, type TransformJSON } from './transform';

/** Name suffix of the indicator that collects categories beyond the cap (and unseen ones). */
export const OTHER_CATEGORY = '__other__';

/** Options of {@link OneHotEncoder}. */
export interface OneHotEncoderOptions {
  columns: readonly string[];
  /** At most this many indicator columns per source column (default 20); rarer categories share one '__other__' indicator. */
  maxCategories?: number;
  /** 'ignore' (default): an unseen category sets the '__other__' indicator if there is one, else no indicator; 'error': raise. */
  unknown?: 'ignore' | 'error';
}

interface OneHotState {
  /** Per column: the categories that get their own indicator, sorted. */
  kept: string[][];
  /** Per column: whether an '__other__' indicator exists. */
  hasOther: boolean[];
  /** Per column: training categories beyond the cap (they are not "unknown"). */
  others: string[][];
}

/**
 * Replaces each categorical column by 0/1 indicator columns named `column=category` (in sorted
 * category order, then `column=__other__`). Missing values set no indicator.
 */
export class OneHotEncoder extends ColumnTransform<OneHotState> {
  readonly kind = 'one_hot_encoder';
  readonly maxCategories: number;
  readonly unknown: 'ignore' | 'error';

  constructor(options: OneHotEncoderOptions) {
    super(options?.columns, 'OneHotEncoder');
    this.maxCategories = options.maxCategories ?? 20;
    if (!Number.isInteger(this.maxCategories) || this.maxCategories < 2) {
      throw new ParameterError('maxCategories', `The 'maxCategories' option of OneHotEncoder must be an integer >= 2. Got ${describeValue(options.maxCategories)}.`);
    }
    this.unknown = options.unknown ?? 'ignore';
    if (this.unknown !== 'ignore' && this.unknown !== 'error') {
      throw new ParameterError('unknown', `The 'unknown' option of OneHotEncoder must be 'ignore' or 'error'. Got ${describeValue(options.unknown)}.`);
    }
  }

  fit(table: Table): this {
    this.requireKinds(table, ['categorical']);
    const kept: string[][] = [];
    const hasOther: boolean[] = [];
    const others: string[][] = [];
    for (const name of this.columns) {
      const column = table.categorical(name);
      const counts = new Map<string, number>();
      for (const code of column.codes) {
        if (code === MISSING_CODE) continue;
        const category = column.categories[code] as string;
        counts.set(category, (counts.get(category) ?? 0) + 1);
      }
      const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
      const capped = byFrequency.length > this.maxCategories;
      const keep = capped ? byFrequency.slice(0, this.maxCategories - 1) : byFrequency;
      kept.push(keep.map(([category]) => category).sort(compareCodePoints));
      hasOther.push(capped);
      others.push(byFrequency.slice(keep.length).map(([category]) => category).sort(compareCodePoints));
    }
    this.fitted = { kept, hasOther, others };
    return this;
  }

  /** Output column names, in order, replacing the encoded columns. */
  get outputColumns(): string[] {
    const { kept, hasOther } = this.state;
    return this.columns.flatMap((name, j) => [
      ...(kept[j] as string[]).map((category) => `${name}=${category}`),
      ...(hasOther[j] ? [`${name}=${OTHER_CATEGORY}`] : []),
    ]);
  }

  transform(table: Table): Table {
    const { kept, hasOther, others } = this.state;
    this.requireKinds(table, ['categorical']);
    let result = table.drop(this.columns);
    this.columns.forEach((name, j) => {
      const column = table.categorical(name);
      const categories = kept[j] as string[];
      const indicatorOf = column.categories.map((category) => categories.indexOf(category));
      const seenAsOther = new Set(others[j]);
      const otherIndex = hasOther[j] ? categories.length : -1;
      const indicators = Array.from({ length: categories.length + (hasOther[j] ? 1 : 0) }, () => new Float64Array(table.rowCount));
      for (let row = 0; row < table.rowCount; row += 1) {
        const code = column.codes[row] as number;
        if (code === MISSING_CODE) continue;
        let target = indicatorOf[code] as number;
        if (target < 0) {
          if (this.unknown === 'error' && !seenAsOther.has(column.categories[code] as string)) {
            throw new DataError(
              `OneHotEncoder saw category ${describeValue(column.categories[code])} in column '${name}' (row ${row}), which was not in the training data. ` +
                `Retrain with it, or use { unknown: 'ignore' }.`,
              { column: name },
            );
          }
          target = otherIndex;
        }
        if (target >= 0) (indicators[target] as Float64Array)[row] = 1;
      }
      categories.forEach((category, k) => {
        result = result.withColumn(`${name}=${category}`, numericColumn(indicators[k] as Float64Array));
      });
      if (hasOther[j]) result = result.withColumn(`${name}=${OTHER_CATEGORY}`, numericColumn(indicators[categories.length] as Float64Array));
    });
    return result;
  }

  toJSON(): TransformJSON {
    return {
      kind: this.kind,
      version: 1,
      params: { columns: this.columns, maxCategories: this.maxCategories, unknown: this.unknown },
      state: this.fitted ? { kept: this.fitted.kept, hasOther: this.fitted.hasOther, others: this.fitted.others } : null,
    };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    return OneHotEncoder.restore(json, 'one_hot_encoder', ['kept', 'hasOther', 'others'], (params: OneHotEncoderOptions) => new OneHotEncoder(params));
  }
}
