import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { MISSING_CODE, categoricalColumn, numericColumn } from '../table/column';
import { ColumnTransform, type TransformJSON } from './transform';
import { meanAndVariance, medianOfSorted, mostFrequentValue, sortedPresent } from './statistics';

/** How an {@link Imputer} chooses the fill value. */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';
const STRATEGIES: readonly ImputeStrategy[] = ['mean', 'median', 'most_frequent', 'constant'];

/** Options of {@link Imputer}. */
export interface ImputerOptions {
  columns: readonly string[];
  strategy: ImputeStrategy;
  /** The fill for strategy 'constant': a number for numeric columns, a category for categorical ones. */
  fillValue?: number | string;
}

/**
 * Replaces missing values (NaN, missing category) with a value learned on the training table,
 * as sklearn.impute.SimpleImputer. Numeric columns take any strategy; categorical columns take
 * 'most_frequent' or 'constant'.
 */
export class Imputer extends ColumnTransform<{ fills: (number | string)[] }> {
  readonly kind = 'imputer';
  readonly strategy: ImputeStrategy;
  readonly fillValue: number | string | undefined;

  constructor(options: ImputerOptions) {
    super(options?.columns, 'Imputer');
    if (!STRATEGIES.includes(options.strategy)) {
      throw new ParameterError('strategy', `The 'strategy' option of Imputer must be one of 'mean', 'median', 'most_frequent', 'constant'. Got ${describeValue(options.strategy)}.`);
    }
    if (options.strategy === 'constant' && typeof options.fillValue !== 'number' && typeof options.fillValue !== 'string') {
      throw new ParameterError('fillValue', `The 'fillValue' option of Imputer must be a number or a string when strategy is 'constant'. Got ${describeValue(options.fillValue)}.`);
    }
    this.strategy = options.strategy;
    this.fillValue = options.fillValue;
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric', 'categorical']);
    const fills = this.columns.map((name) => {
      const column = table.column(name);
      if (column.kind === 'categorical') return this.categoricalFill(name, column.codes, column.categories);
      if (this.strategy === 'constant') {
        if (typeof this.fillValue !== 'number') {
          throw new ParameterError('fillValue', `The 'fillValue' option of Imputer must be a number for numeric column '${name}'. Got ${describeValue(this.fillValue)}.`);
        }
        return this.fillValue;
      }
      const values = (column as { values: Float64Array | Float32Array }).values;
      const fill =
        this.strategy === 'mean' ? meanAndVariance(values).mean : this.strategy === 'median' ? medianOfSorted(sortedPresent(values)) : mostFrequentValue(values);
      if (Number.isNaN(fill)) {
        throw new DataError(`Imputer cannot fit column '${name}': it has no values to take the ${this.strategy} of. Use strategy 'constant' or drop the column.`, {
          column: name,
        });
      }
      return fill;
    });
    this.fitted = { fills };
    return this;
  }

  private categoricalFill(name: string, codes: Int32Array, categories: readonly string[]): string {
    if (this.strategy === 'constant') return String(this.fillValue);
    if (this.strategy !== 'most_frequent') {
      throw new ParameterError('strategy', `Imputer cannot take the ${this.strategy} of categorical column '${name}'. Use 'most_frequent' or 'constant'.`);
    }
    const counts = new Int32Array(categories.length);
    for (const code of codes) if (code !== MISSING_CODE) counts[code] = (counts[code] as number) + 1;
    let best = -1;
    counts.forEach((count, code) => {
      // Ties go to the smallest category, as scikit-learn does.
      if (count > 0 && (best < 0 || count > (counts[best] as number) || (count === counts[best] && (categories[code] as string) < (categories[best] as string)))) best = code;
    });
    if (best < 0) {
      throw new DataError(`Imputer cannot fit column '${name}': it has no values to take the most frequent of. Use strategy 'constant' or drop the column.`, { column: name });
    }
    return categories[best] as string;
  }

  transform(table: Table): Table {
    const { fills } = this.state;
    let result = table;
    this.columns.forEach((name, j) => {
      const fill = fills[j] as number | string;
      const column = table.column(name);
      if (column.kind === 'categorical') {
        let categories = column.categories;
        let fillCode = categories.indexOf(String(fill));
        if (fillCode < 0) {
          categories = [...categories, String(fill)];
          fillCode = categories.length - 1;
        }
        const codes = Int32Array.from(column.codes, (code) => (code === MISSING_CODE ? fillCode : code));
        result = result.withColumn(name, categoricalColumn(codes, categories));
      } else if (column.kind === 'numeric') {
        const values = Float64Array.from(column.values, (v) => (Number.isNaN(v) ? (fill as number) : v));
        result = result.withColumn(name, numericColumn(values));
      } else {
        this.requireKinds(table, ['numeric', 'categorical']);
      }
    });
    return result;
  }

  toJSON(): TransformJSON {
    return {
      kind: this.kind,
      version: 1,
      params: { columns: this.columns, strategy: this.strategy, ...(this.fillValue !== undefined ? { fillValue: this.fillValue } : {}) },
      state: this.fitted ? { fills: this.fitted.fills } : null,
    };
  }

  static fromJSON(json: unknown): Imputer {
    return Imputer.restore(json, 'imputer', ['fills'], (params: ImputerOptions) => new Imputer(params));
  }
}
