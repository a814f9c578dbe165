import { DataError } from '../errors';
import type { Table } from '../table/table';
import { ColumnTransform, type TransformJSON } from './transform';
import { mapNumericColumns, mapValues } from './numeric-columns';

/** log(1 + x) for skewed non-negative amounts (spend, revenue); stateless but fitted for a uniform pipeline. */
export class Log1p extends ColumnTransform<Record<string, never>> {
  readonly kind = 'log1p';

  constructor(options: { columns: readonly string[] }) {
    super(options?.columns, 'Log1p');
  }

  fit(table: Table): this {
    this.requireKinds(table, ['numeric']);
    this.fitted = {};
    return this;
  }

  transform(table: Table): Table {
    void this.state;
    return mapNumericColumns(table, this.columns, (values, _j, name) =>
      mapValues(values, (v) => {
        if (v < -1) {
          throw new DataError(`Log1p cannot transform column '${name}': it holds ${v}, below -1, where log(1 + x) is undefined. Clip or shift the column first.`, {
            column: name,
          });
        }
        return Math.log1p(v);
      }),
    );
  }

  toJSON(): TransformJSON {
    return { kind: this.kind, version: 1, params: { columns: this.columns }, state: this.fitted ? {} : null };
  }

  static fromJSON(json: unknown): Log1p {
    return Log1p.restore(json, 'log1p', [], (params: { columns: string[] }) => new Log1p(params));
  }
}
