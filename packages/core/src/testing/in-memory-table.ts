import type { FeatureColumn, FeatureTable } from '../schema/feature-table';

/**
 * A FeatureTable from plain arrays, for tests: number arrays become numeric columns, string arrays
 * categorical ones (null = missing), categories sorted as @kdap/preprocessing sorts them.
 */
export function tableOf(columns: Record<string, readonly number[] | readonly (string | null)[]>): FeatureTable {
  const built = new Map<string, FeatureColumn>();
  let rowCount = 0;
  for (const [name, values] of Object.entries(columns)) {
    rowCount = values.length;
    if (values.some((v) => typeof v === 'string')) {
      const categories = [...new Set(values.filter((v): v is string => typeof v === 'string'))].sort();
      const index = new Map(categories.map((c, i) => [c, i]));
      const codes = Int32Array.from(values as (string | null)[], (v) => (v === null ? -1 : index.get(v)!));
      built.set(name, { kind: 'categorical', codes, categories });
    } else {
      built.set(name, { kind: 'numeric', values: Float64Array.from(values as number[]) });
    }
  }
  return {
    rowCount,
    columnNames: [...built.keys()],
    column: (name) => {
      const column = built.get(name);
      if (!column) throw new Error(`no column ${name}`);
      return column;
    },
  };
}

/** The same table without some columns. */
export function withoutColumns(table: FeatureTable, names: readonly string[]): FeatureTable {
  const kept = table.columnNames.filter((n) => !names.includes(n));
  return { rowCount: table.rowCount, columnNames: kept, column: (name) => table.column(name) };
}

/** The same table with one column replaced. */
export function withColumn(table: FeatureTable, name: string, column: FeatureColumn): FeatureTable {
  const names = table.columnNames.includes(name) ? [...table.columnNames] : [...table.columnNames, name];
  return { rowCount: table.rowCount, columnNames: names, column: (n) => (n === name ? column : table.column(n)) };
}

/** A numeric column's values (tests only). */
export function numbersOf(table: FeatureTable, name: string): Float64Array {
  const column = table.column(name);
  if (column.kind !== 'numeric') throw new Error(`${name} is not numeric`);
  return Float64Array.from(column.values);
}

/** A categorical column's codes and categories (tests only). */
export function categoriesOf(table: FeatureTable, name: string): { codes: Int32Array; categories: string[] } {
  const column = table.column(name);
  if (column.kind !== 'categorical') throw new Error(`${name} is not categorical`);
  return { codes: Int32Array.from(column.codes), categories: [...column.categories] };
}
