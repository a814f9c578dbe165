import type { FeatureColumn, FeatureTable } from '@kdap/core';

/** The rows `indices` of a table, as a new table (values copied; categories shared). */
export function takeRows(table: FeatureTable, indices: ArrayLike<number>): FeatureTable {
  const columns = new Map<string, FeatureColumn>();
  for (const name of table.columnNames) {
    const column = table.column(name);
    if (column.kind === 'categorical') {
      const codes = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) codes[i] = column.codes[indices[i]!]!;
      // Read through, not copied: a reader may decode its texts on first use of `categories`, and
      // most columns taken here (an id column above all: 200,000 texts) never need them.
      columns.set(name, {
        kind: 'categorical',
        codes,
        get categories() {
          return column.categories;
        },
      });
    } else {
      const values = new Float64Array(indices.length);
      for (let i = 0; i < indices.length; i++) values[i] = column.values[indices[i]!]!;
      columns.set(name, { kind: column.kind, values } as FeatureColumn);
    }
  }
  return tableOf(indices.length, columns);
}

/** A table with `column` added (or replaced), sharing the other columns. */
export function withColumn(table: FeatureTable, name: string, column: FeatureColumn): FeatureTable {
  const names = table.columnNames.includes(name) ? [...table.columnNames] : [...table.columnNames, name];
  return { rowCount: table.rowCount, columnNames: names, column: (n) => (n === name ? column : table.column(n)) };
}

export function tableOf(rowCount: number, columns: ReadonlyMap<string, FeatureColumn>): FeatureTable {
  return { rowCount, columnNames: [...columns.keys()], column: (n) => columns.get(n)! };
}
