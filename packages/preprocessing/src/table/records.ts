import { DataError, SchemaError, describeValue } from '../errors';
import {
  type Column,
  type ColumnKind,
  MISSING_CODE,
  dateColumn,
  encodeCategorical,
  numericColumn,
} from './column';
import { parseDateString } from './dates';

/** A value in a plain-object record: what `fromRecords` accepts and `toRecords` returns. */
export type RecordValue = number | string | boolean | Date | null | undefined;
/** One row as a plain object keyed by column name. */
export type DataRecord = Record<string, RecordValue>;

/** Builds columns from plain records; kinds not given in `kinds` are inferred from the values. */
export function columnsFromRecords(
  records: readonly DataRecord[],
  kinds: Readonly<Record<string, ColumnKind>> = {},
): Map<string, Column> {
  const names: string[] = [];
  const known = new Set<string>();
  for (const record of records) {
    for (const key of Object.keys(record)) {
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
    }
  }
  for (const name of Object.keys(kinds)) {
    if (!known.has(name)) {
      throw new SchemaError(
        `The 'columns' option of Table.fromRecords names column '${name}', which no record has. Known columns: ${names.join(', ')}.`,
        { column: name },
      );
    }
  }
  const columns = new Map<string, Column>();
  for (const name of names) {
    const kind = kinds[name] ?? inferKind(records, name);
    columns.set(name, buildColumn(records, name, kind));
  }
  return columns;
}

function inferKind(records: readonly DataRecord[], name: string): ColumnKind {
  let kind: ColumnKind | undefined;
  for (let row = 0; row < records.length; row += 1) {
    const value = (records[row] as DataRecord)[name];
    if (value === null || value === undefined) continue;
    const valueKind: ColumnKind =
      value instanceof Date ? 'date' : typeof value === 'string' ? 'categorical' : 'numeric';
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && !(value instanceof Date)) {
      throw new DataError(
        `Record ${row} holds ${describeValue(value)} in column '${name}'; records may hold numbers, strings, booleans, Dates or null.`,
        { column: name, line: row + 1 },
      );
    }
    if (kind === undefined) kind = valueKind;
    else if (kind !== valueKind) {
      throw new DataError(
        `Column '${name}' mixes kinds: record ${row} holds ${describeValue(value)} but earlier records hold ${kind} values. ` +
          `Make the values consistent or declare the kind with { columns: { ${name}: 'categorical' } }.`,
        { column: name, line: row + 1 },
      );
    }
  }
  return kind ?? 'numeric';
}

function buildColumn(records: readonly DataRecord[], name: string, kind: ColumnKind): Column {
  const n = records.length;
  if (kind === 'categorical') {
    const texts: (string | null)[] = new Array(n);
    for (let row = 0; row < n; row += 1) {
      const value = (records[row] as DataRecord)[name];
      texts[row] =
        value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))
          ? null
          : value instanceof Date
            ? value.toISOString()
            : String(value);
    }
    return encodeCategorical(texts);
  }
  const values = new Float64Array(n);
  for (let row = 0; row < n; row += 1) {
    const value = (records[row] as DataRecord)[name];
    values[row] = kind === 'date' ? toEpochMs(value, name, row) : toNumber(value, name, row);
  }
  return kind === 'date' ? dateColumn(values) : numericColumn(values);
}

function toNumber(value: RecordValue, name: string, row: number): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const parsed = value.trim() === '' ? NaN : Number(value);
    if (!Number.isNaN(parsed) || value.trim() === '') return parsed;
  }
  throw new DataError(
    `Column '${name}' is numeric but record ${row} holds ${describeValue(value)}. Fix the value or declare the column as 'categorical'.`,
    { column: name, line: row + 1 },
  );
}

function toEpochMs(value: RecordValue, name: string, row: number): number {
  if (value === null || value === undefined) return NaN;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = parseDateString(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new DataError(
    `Column '${name}' is a date column but record ${row} holds ${describeValue(value)}, which is not an ISO-8601 date. ` +
      `Use 'YYYY-MM-DD' (UTC) or a Date.`,
    { column: name, line: row + 1 },
  );
}

/** Converts columns back to plain records: NaN and missing codes become null, dates become Date objects. */
export function recordsFromColumns(columns: ReadonlyMap<string, Column>, rowCount: number): DataRecord[] {
  const records: DataRecord[] = new Array(rowCount);
  for (let row = 0; row < rowCount; row += 1) records[row] = {};
  for (const [name, column] of columns) {
    for (let row = 0; row < rowCount; row += 1) {
      const record = records[row] as DataRecord;
      if (column.kind === 'categorical') {
        const code = column.codes[row] as number;
        record[name] = code === MISSING_CODE ? null : (column.categories[code] ?? null);
      } else {
        const value = column.values[row] as number;
        record[name] = Number.isNaN(value) ? null : column.kind === 'date' ? new Date(value) : value;
      }
    }
  }
  return records;
}
