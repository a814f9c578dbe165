import type { FeatureColumn, FeatureTable } from './feature-table';

/** Where a row view's rows come from; `FeatureSchema.encode` reads a view's features through it. */
export interface RowSource {
  readonly table: FeatureTable;
  /** Row numbers of `table`, in the view's order. */
  readonly rows: Int32Array;
}

const SOURCE = Symbol('kdap.rowSource');

/**
 * The rows `rows` of `table` as a table, without copying them up front: a column's values are
 * gathered the first time they are read (and kept), so columns nobody reads (an id column, the
 * date that ordered a split) are never copied, and `FeatureSchema.encode` gathers the features
 * straight from `table` into its matrix (one pass per feature instead of a copy and a pass).
 * Kinds and categories are `table`'s (categories read through: a reader may decode its texts on
 * first use). `table` must not change while the view is in use.
 */
export function tableRows(table: FeatureTable, rows: Int32Array): FeatureTable {
  const source = rowSource(table);
  // A view of a view reads the original table: one gather however deep.
  const base = source?.table ?? table;
  const index = source === undefined ? rows : Int32Array.from(rows, (r) => source.rows[r]!);
  const gathered = new Map<string, FeatureColumn>();
  const view = {
    rowCount: rows.length,
    columnNames: table.columnNames,
    column(name: string): FeatureColumn {
      let column = gathered.get(name);
      if (column === undefined) {
        column = gatherColumn(base.column(name), index);
        gathered.set(name, column);
      }
      return column;
    },
    [SOURCE]: { table: base, rows: index } satisfies RowSource,
  };
  return view;
}

/** The table and rows behind a view made by `tableRows`; undefined for any other table. */
export function rowSource(table: FeatureTable): RowSource | undefined {
  return (table as { [SOURCE]?: RowSource })[SOURCE];
}

/** One column of a row view: typed arrays gathered on first read. */
function gatherColumn(column: FeatureColumn, rows: Int32Array): FeatureColumn {
  if (column.kind === 'categorical') {
    let codes: Int32Array | undefined;
    return {
      kind: 'categorical',
      get codes() {
        if (codes === undefined) {
          const from = column.codes;
          codes = new Int32Array(rows.length);
          for (let i = 0; i < rows.length; i++) codes[i] = from[rows[i]!]!;
        }
        return codes;
      },
      get categories() {
        return column.categories;
      },
    };
  }
  let values: Float64Array | undefined;
  return {
    kind: column.kind,
    get values() {
      if (values === undefined) {
        const from = column.values;
        values = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) values[i] = from[rows[i]!]!;
      }
      return values;
    },
  } as FeatureColumn;
}
