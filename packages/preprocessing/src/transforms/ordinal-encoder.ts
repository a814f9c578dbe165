import { DataError, ParameterError, describeValue } from '../errors';
import type { Table } from '../table/table';
import { MISSING_CODE, compareCodePoints, recodeCategorical } from '../table/column';
import { ColumnTransform, type TransformJSON } from './transform';

/** What an encoder does with a category it did not see in training. */
export type UnknownCategoryPolicy = 'missing' | 'error';

/** Options of {@link OrdinalEncoder}. */
export interface OrdinalEncoderOptions {
  columns: readonly string[];
  /** 'missing' (default): unseen categories get code -1, which LightGBM treats as missing; 'error': raise. */
  unknown?: UnknownCategoryPolicy;
}

/**
 * Pins each categorical column's codes to the training categories (sorted), so the integer codes
 * LightGBM's native categorical splits see at scoring time mean what they meant in training.
 */
export class OrdinalEncoder extends ColumnTransform<{ categories: string[][] }> {
  readonly kind = 'ordinal_encoder';
  readonly unknown: UnknownCategoryPolicy;

  constructor(options: OrdinalEncoderOptions) {
    super(options?.columns, 'OrdinalEncoder');
    this.unknown = options.unknown ?? 'missing';
    if (this.unknown !== 'missing' && this.unknown !== 'error') {
      throw new ParameterError('unknown', `The 'unknown' option of OrdinalEncoder must be 'missing' or 'error'. Got ${describeValue(options.unknown)}.`);
    }
  }

  fit(table: Table): this {
    this.requireKinds(table, ['categorical']);
    const categories = this.columns.map((name) => {
      const column = table.categorical(name);
      const used = new Set<number>();
      for (const code of column.codes) if (code !== MISSING_CODE) used.add(code);
      return [...used].map((code) => column.categories[code] as string).sort(compareCodePoints);
    });
    this.fitted = { categories };
    return this;
  }

  transform(table: Table): Table {
    const { categories } = this.state;
    this.requireKinds(table, ['categorical']);
    let result = table;
    this.columns.forEach((name, j) => {
      const column = table.categorical(name);
      const recoded = recodeCategorical(column, categories[j] as string[]);
      if (this.unknown === 'error') {
        const codes = recoded.codes;
        for (let row = 0; row < codes.length; row += 1) {
          const original = column.codes[row] as number;
          if (codes[row] === MISSING_CODE && original !== MISSING_CODE) {
            throw new DataError(
              `OrdinalEncoder saw category ${describeValue(column.categories[original])} in column '${name}' (row ${row}), which was not in the training data. ` +
                `Retrain with it, or use { unknown: 'missing' }.`,
              { column: name },
            );
          }
        }
      }
      result = result.withColumn(name, recoded);
    });
    return result;
  }

  /** Training categories of `column`, in code order. */
  categoriesOf(column: string): readonly string[] {
    const index = this.columns.indexOf(column);
    if (index < 0) throw new ParameterError('column', `OrdinalEncoder does not encode column '${column}'. It encodes: ${this.columns.join(', ')}.`);
    return this.state.categories[index] as string[];
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { columns: this.columns, unknown: this.unknown }, state: this.fitted ? { categories: this.fitted.categories } : null };
  }

  static fromJSON(json: unknown): OrdinalEncoder {
    return OrdinalEncoder.restore(json, 'ordinal_encoder', ['categories'], (params: OrdinalEncoderOptions) => new OrdinalEncoder(params));
  }
}
