import type { FeatureColumn, FeatureTable } from '@kdap/core';

/** A table with `column` added (or replaced), sharing the other columns. */
export function withColumn(table: FeatureTable, name: string, column: FeatureColumn): FeatureTable {
  const names = table.columnNames.includes(name) ? [...table.columnNames] : [...table.columnNames, name];
  return { rowCount: table.rowCount, columnNames: names, column: (n) => (n === name ? column : table.column(n)) };
}
