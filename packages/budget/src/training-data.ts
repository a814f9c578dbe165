import type { FeatureColumn, FeatureTable } from '@kdap/core';
import { DataError, InsufficientDataError, SchemaError } from '@kdap/errors';

/**
 * Rows (periods) a channel needs in the training table. Fewer cannot trace a response curve: a
 * tree needs `min_child_samples` rows per leaf, and carry-over is estimated from 20 periods on.
 */
export const MIN_ROWS_PER_CHANNEL = 20;
/** The column whose dates order the periods (carry-over, the held-out validation split). */
export const DATE_COLUMN = 'date';
/** Largest share of missing spend (NaN) a training table may carry. */
export const MAX_MISSING_SPEND = 0.2;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function rowList(rows: readonly number[]): string {
  const shown = rows.slice(0, 5).join(', ');
  return rows.length > 5 ? `rows ${shown}, ... (${rows.length} rows)` : rows.length === 1 ? `row ${shown}` : `rows ${shown}`;
}

/**
 * Checks a budget training (or validation) table before anything is derived from it: not empty,
 * spend and target finite and >= 0 with at most MAX_MISSING_SPEND of the spend missing (the
 * target never), and, for the training table, at least MIN_ROWS_PER_CHANNEL rows per channel.
 * Rows are 0-based positions in the table. Columns that are absent are left to the schema check.
 */
export function checkBudgetTable(owner: string, table: FeatureTable, columns: { spend: string; channel: string; target: string | undefined }, tableName: 'training table' | 'validation table', context = ''): void {
  if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames)) return;
  if (table.rowCount === 0) {
    throw new InsufficientDataError(`${owner}: the ${tableName} is empty (0 rows). The Budget Optimizer needs at least ${MIN_ROWS_PER_CHANNEL} rows (periods) per channel, each with '${columns.channel}', '${columns.spend}' and the return.`);
  }
  const numeric = (name: string): ArrayLike<number> | undefined => {
    if (!table.columnNames.includes(name)) return undefined;
    const column = table.column(name);
    if (column.kind !== 'numeric') throw new SchemaError(`${owner}: column '${name}' of the ${tableName} must be numeric (currency per period). Got a ${column.kind} column.`, { column: name });
    return column.values;
  };
  for (const [name, role, missingAllowed] of [[columns.spend, 'spend', MAX_MISSING_SPEND], ...(columns.target === undefined ? [] : [[columns.target, 'return', 0]])] as [string, string, number][]) {
    const values = numeric(name);
    if (values === undefined) continue;
    const bad: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) missing.push(i);
      else if (!Number.isFinite(v) || v < 0) bad.push(i);
    }
    if (bad.length > 0) {
      throw new DataError(
        `${owner}: column '${name}' (${role}, currency per period) of the ${tableName} must hold finite numbers >= 0. Got ${values[bad[0]!]} at ${rowList(bad)}. Fix or drop those rows.`,
        { column: name, row: bad[0]! },
      );
    }
    if (missing.length > missingAllowed * values.length) {
      const share = `${((100 * missing.length) / values.length).toFixed(missing.length === values.length ? 0 : 1)}%`;
      throw new DataError(
        missingAllowed === 0
          ? `${owner}: column '${name}' (${role}) of the ${tableName} is missing at ${rowList(missing)}. Every training row needs its return; drop those rows.`
          : `${owner}: column '${name}' (${role}) of the ${tableName} is missing in ${share} of the rows (${rowList(missing)}); at most ${100 * missingAllowed}% may be missing. Fill in the spend or drop those rows.`,
        { column: name, row: missing[0]! },
      );
    }
  }
  if (tableName !== 'training table' || !table.columnNames.includes(columns.channel)) return;
  const channel = table.column(columns.channel);
  if (channel.kind !== 'categorical') return;
  const counts = new Array<number>(channel.categories.length).fill(0);
  for (let i = 0; i < table.rowCount; i++) {
    const code = channel.codes[i]!;
    if (code >= 0) counts[code]!++;
  }
  const few = channel.categories.flatMap((name, c) => (counts[c]! > 0 && counts[c]! < MIN_ROWS_PER_CHANNEL ? [`'${name}' (${counts[c]})`] : []));
  if (few.length > 0 || counts.every((c) => c === 0)) {
    throw new InsufficientDataError(
      `${owner}: the ${tableName} has too few rows for ${few.length > 0 ? `channel ${few.join(', ')}` : 'any channel'}${context}: each channel needs at least ${MIN_ROWS_PER_CHANNEL} rows (periods) to trace a response curve. Add data, or drop the channel's rows.`,
      { column: columns.channel },
    );
  }
}

/**
 * Dates that arrive as text (e.g. 'YYYY-MM-DD' strings from Table.fromRecords or a CSV read
 * without kinds) are parsed, so carry-over still sees the order of periods. A text column named
 * `dateColumn` that does not hold ISO dates is left alone; `notice` says that carry-over is off
 * and why. Returns the table (unchanged when there is nothing to parse).
 */
export function withParsedDates(table: FeatureTable, dateColumn: string, notice: (message: string) => void): FeatureTable {
  if (table === null || typeof table !== 'object' || !Array.isArray(table.columnNames) || !table.columnNames.includes(dateColumn)) return table;
  const column = table.column(dateColumn);
  if (column.kind !== 'categorical') return table;
  const parsed = column.categories.map((text) => (ISO_DATE.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN));
  const unparsed = column.categories.findIndex((_, k) => !Number.isFinite(parsed[k]!));
  if (unparsed >= 0) {
    notice(
      `column '${dateColumn}' holds text that is not an ISO date (e.g. '${column.categories[unparsed]}'), so the order of periods is unknown and carry-over is off (effective_spend is missing). Give dates as YYYY-MM-DD or a date column.`,
    );
    return table;
  }
  const values = Float64Array.from({ length: table.rowCount }, (_, i) => {
    const code = column.codes[i]!;
    return code < 0 ? Number.NaN : parsed[code]!;
  });
  const replaced: FeatureColumn = { kind: 'date', values };
  return { rowCount: table.rowCount, columnNames: table.columnNames, column: (name) => (name === dateColumn ? replaced : table.column(name)) };
}
