import * as arrow from 'apache-arrow';
import { SchemaError } from '../errors';
import {
  type Column,
  MISSING_CODE,
  categoricalColumn,
  dateColumn,
  encodeCategorical,
  numericColumn,
} from './column';

/** Converts an apache-arrow Table into columns: numbers/booleans -> numeric, strings/dictionaries -> categorical, dates/timestamps -> date. */
export function columnsFromArrow(table: arrow.Table, source = 'the Arrow table'): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const field of table.schema.fields) {
    if (columns.has(field.name)) {
      throw new SchemaError(
        `${source} has two columns named '${field.name}'. Rename one of them; column names must be unique.`,
        { column: field.name },
      );
    }
    const vector = table.getChild(field.name) as arrow.Vector;
    columns.set(field.name, columnFromVector(vector, field, source));
  }
  return columns;
}

function columnFromVector(vector: arrow.Vector, field: arrow.Field, source: string): Column {
  const type = field.type as arrow.DataType;
  const n = vector.length;
  if (arrow.DataType.isFloat(type) || arrow.DataType.isInt(type) || arrow.DataType.isBool(type) || arrow.DataType.isDecimal(type)) {
    const values = new Float64Array(n);
    let offset = 0;
    for (const chunk of vector.data) {
      const direct = chunk.values;
      const fast = (direct instanceof Float64Array || direct instanceof Float32Array || direct instanceof Int32Array) && !arrow.DataType.isDecimal(type);
      for (let i = 0; i < chunk.length; i += 1) {
        if (chunk.nullCount > 0 && !chunk.getValid(i)) values[offset + i] = NaN;
        else if (fast) values[offset + i] = (direct as Float64Array)[chunk.offset + i] as number;
        else values[offset + i] = toNumber(vector.get(offset + i));
      }
      offset += chunk.length;
    }
    return numericColumn(values);
  }
  if (arrow.DataType.isDate(type) || arrow.DataType.isTimestamp(type)) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      const value = vector.get(i) as unknown;
      values[i] = value === null || value === undefined ? NaN : value instanceof Date ? value.getTime() : Number(value);
    }
    return dateColumn(values);
  }
  if (arrow.DataType.isDictionary(type) && arrow.DataType.isUtf8(type.dictionary)) {
    const texts: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i += 1) texts[i] = (vector.get(i) as string | null) ?? null;
    return encodeCategorical(texts);
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) {
    const texts: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i += 1) texts[i] = (vector.get(i) as string | null) ?? null;
    return encodeCategorical(texts);
  }
  if (arrow.DataType.isNull(type)) return numericColumn(new Float64Array(n).fill(NaN));
  throw new SchemaError(
    `Column '${field.name}' of ${source} has Arrow type ${String(type)}, which a Table cannot hold. ` +
      `Cast it to a number, string or date/timestamp first, or drop it.`,
    { column: field.name },
  );
}

function toNumber(value: unknown): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(value);
}

/** Builds a validity bitmap (1 = present) from a missing-value predicate; undefined when nothing is missing. */
function validityBitmap(length: number, isMissing: (i: number) => boolean): { bitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let i = 0; i < length; i += 1) {
    if (isMissing(i)) nullCount += 1;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

/** Converts columns into an apache-arrow Table; NaN and missing codes become Arrow nulls. */
export function columnsToArrow(columns: ReadonlyMap<string, Column>, rowCount: number): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const [name, column] of columns) vectors[name] = vectorFromColumn(column, rowCount);
  return new arrow.Table(vectors);
}

function vectorFromColumn(column: Column, length: number): arrow.Vector {
  if (column.kind === 'categorical') {
    const { bitmap, nullCount } = validityBitmap(length, (i) => column.codes[i] === MISSING_CODE);
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const dictionary = arrow.vectorFromArray([...column.categories], new arrow.Utf8());
    const data = arrow.makeData({ type, offset: 0, length, nullCount, nullBitmap: bitmap, data: column.codes, dictionary });
    return arrow.makeVector(data);
  }
  const values = column.values;
  const { bitmap, nullCount } = validityBitmap(length, (i) => Number.isNaN(values[i]));
  if (column.kind === 'date') {
    const epochMs = new BigInt64Array(length);
    for (let i = 0; i < length; i += 1) {
      const v = values[i] as number;
      epochMs[i] = Number.isNaN(v) ? 0n : BigInt(Math.round(v));
    }
    const type = new arrow.TimestampMillisecond();
    return arrow.makeVector(arrow.makeData({ type, offset: 0, length, nullCount, nullBitmap: bitmap, data: epochMs }));
  }
  const type = values instanceof Float32Array ? new arrow.Float32() : new arrow.Float64();
  return arrow.makeVector(arrow.makeData({ type, offset: 0, length, nullCount, nullBitmap: bitmap, data: values } as never));
}

