import * as arrow from 'apache-arrow';
import type { DuckDBVectorsBinding } from '@kdap/duckdb-vectors';
import { DataError, SchemaError } from '../errors';
import { ByteDictionary } from './byte-dictionary';
import {
  type Column,
  MISSING_CODE,
  categoricalColumn,
  categoricalFromDictionary,
  categoricalFromUsedDictionary,
  dateColumn,
  encodeCategorical,
  numericColumn,
} from './column';

/** Native helpers for Arrow columns: string encoding, 64-bit copies, code remapping (the addon's). */
export type ArrowNative = Pick<DuckDBVectorsBinding, 'encodeTextColumns' | 'copyInt64' | 'remapCodes' | 'allocateFloat64'>;

/**
 * Converts an apache-arrow Table into columns: numbers/booleans -> numeric, strings/dictionaries ->
 * categorical, dates/timestamps -> date. `native`: the addon's encoder and copier for string and
 * 64-bit columns (the readers pass them); without it those are done in JavaScript, with the same
 * result.
 */
export function columnsFromArrow(table: arrow.Table, source = 'the Arrow table', native?: ArrowNative): Map<string, Column> {
  return columnsFromChunks(
    table.schema.fields,
    table.schema.fields.map((_, j) => (table.getChildAt(j) as arrow.Vector).data),
    source,
    native,
  );
}

/**
 * columnsFromArrow over fields and, per field, its chunks (arrow Data, in row order): what an
 * Arrow IPC file read natively gives (read-arrow-ipc.ts) without an apache-arrow Table.
 */
export function columnsFromChunks(fields: readonly arrow.Field[], chunks: readonly (readonly arrow.Data[])[], source: string, native?: ArrowNative): Map<string, Column> {
  const columns = new Map<string, Column>();
  // The float64 columns side by side in one block from the addon (fresh memory in huge pages: on
  // this project's VM, first writes to V8's own arrays cost ~1.5-2 ms per MB in page faults).
  const rows = (chunks[0] ?? []).reduce((sum, chunk) => sum + chunk.length, 0);
  const wide = fields.filter((field) => holdsFloat64(field.type as arrow.DataType)).length;
  const block = native !== undefined && rows * wide * 8 >= 1 << 20 ? native.allocateFloat64(rows * wide) : undefined;
  let used = 0;
  const allocate = (n: number): Float64Array => {
    if (block === undefined || n !== rows) return new Float64Array(n);
    used += 1;
    return block.subarray((used - 1) * rows, used * rows);
  };
  const texts = encodeTextColumns(fields, chunks, rows, native);
  fields.forEach((field, j) => {
    if (columns.has(field.name)) {
      throw new SchemaError(
        `${source} has two columns named '${field.name}'. Rename one of them; column names must be unique.`,
        { column: field.name },
      );
    }
    const encoded = texts.get(j);
    columns.set(field.name, encoded !== undefined ? categoricalFromUsedDictionary(encoded.codes, encoded.texts, (native as ArrowNative).remapCodes) : columnFromChunks(chunks[j] ?? [], field, source, native, allocate));
  });
  return columns;
}

/** Whether a column of this type holds plain (not dictionary-typed) strings. */
function holdsStrings(type: arrow.DataType): boolean {
  return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type);
}

/**
 * The plain string columns, by field index, dictionary-encoded by the addon in one call: the
 * columns on threads of their own, codes in one huge-page block, texts already sorted (so
 * categoricalFromUsedDictionary has no codes to remap). Empty without the addon.
 */
function encodeTextColumns(
  fields: readonly arrow.Field[],
  chunks: readonly (readonly arrow.Data[])[],
  rows: number,
  native: ArrowNative | undefined,
): Map<number, { codes: Int32Array; texts: string[] }> {
  const texts = new Map<number, { codes: Int32Array; texts: string[] }>();
  if (native === undefined) return texts;
  const indices = fields.flatMap((field, j) => (holdsStrings(field.type as arrow.DataType) ? [j] : []));
  if (indices.length === 0) return texts;
  const columns = indices.map((j) =>
    ((chunks[j] ?? []) as arrow.Data<arrow.Utf8 | arrow.LargeUtf8>[]).map(
      (chunk) =>
        [chunk.values as Uint8Array, chunk.valueOffsets as Int32Array | BigInt64Array, chunk.offset, chunk.length, validityOf(chunk)] as [
          Uint8Array,
          Int32Array | BigInt64Array,
          number,
          number,
          Uint8Array | null,
        ],
    ),
  );
  native.encodeTextColumns(columns, rows).forEach((encoded, k) => texts.set(indices[k] as number, encoded));
  return texts;
}

/** Whether a column of this type becomes float64 values (numbers, booleans, dates, timestamps, nulls). */
function holdsFloat64(type: arrow.DataType): boolean {
  const { DataType } = arrow;
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isBool(type) || DataType.isDecimal(type) || DataType.isTimestamp(type) || DataType.isDate(type) || DataType.isNull(type);
}

function columnFromChunks(
  data: readonly arrow.Data[],
  field: arrow.Field,
  source: string,
  native: ArrowNative | undefined,
  allocate: (n: number) => Float64Array,
): Column {
  const type = field.type as arrow.DataType;
  const n = data.reduce((rows, chunk) => rows + chunk.length, 0);
  if ((arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) && !(arrow.DataType.isFloat(type) && type.precision === arrow.Precision.HALF)) {
    const values = allocate(n);
    let offset = 0;
    for (const chunk of data) {
      copyNumbers(chunk, values, offset, field.name, source, native);
      offset += chunk.length;
    }
    return numericColumn(values);
  }
  // Booleans are bits, decimals 128/256-bit words and half floats 16-bit codes: apache-arrow's
  // getters decode them (rare in exports, so per row).
  if (arrow.DataType.isBool(type) || arrow.DataType.isDecimal(type) || arrow.DataType.isFloat(type)) {
    const values = allocate(n);
    let row = 0;
    for (const chunk of data) {
      const vector = arrow.makeVector(chunk);
      for (let i = 0; i < chunk.length; i += 1, row += 1) values[row] = toNumber(vector.get(i));
    }
    return numericColumn(values);
  }
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
    const values = allocate(n);
    // Milliseconds per tick: days for DateDay, else the time unit (s, ms, us, ns).
    const msPerTick = arrow.DataType.isDate(type) ? (type.unit === arrow.DateUnit.DAY ? 86_400_000 : 1) : [1000, 1, 1e-3, 1e-6][type.unit] as number;
    let offset = 0;
    for (const chunk of data) {
      copyTicks(chunk, values, offset, msPerTick, native);
      offset += chunk.length;
    }
    return dateColumn(values);
  }
  if (arrow.DataType.isDictionary(type) && (arrow.DataType.isUtf8(type.dictionary) || arrow.DataType.isLargeUtf8(type.dictionary))) {
    return dictionaryColumn(data as arrow.Data<arrow.Dictionary>[], n, field.name, source);
  }
  // With the addon, string columns were encoded before (encodeTextColumns).
  if (holdsStrings(type)) return stringColumn(data as arrow.Data<arrow.Utf8 | arrow.LargeUtf8>[], n);
  if (arrow.DataType.isNull(type)) return numericColumn(allocate(n).fill(NaN));
  throw new SchemaError(
    `Column '${field.name}' of ${source} has Arrow type ${String(type)}, which a Table cannot hold. ` +
      `Cast it to a number, string or date/timestamp first, or drop it.`,
    { column: field.name },
  );
}

/**
 * A test for null rows of `chunk` (chunk-relative rows). Built once per chunk: arrow's Data
 * getters (nullCount, offset) are too slow to call per row.
 */
function nullTest(chunk: arrow.Data): (i: number) => boolean {
  const bitmap = chunk.nullBitmap;
  if (chunk.nullCount === 0 || bitmap === undefined || bitmap.length === 0) return () => false;
  const offset = chunk.offset;
  return (i) => (((bitmap[(offset + i) >> 3] as number) >> ((offset + i) & 7)) & 1) === 0;
}

const TWO_32 = 2 ** 32;
const MAX_SAFE = 2 ** 53;

/**
 * Copies an integer or float chunk into `target`; 64-bit integers are read as two 32-bit halves
 * (no BigInt per value) and one beyond +-2^53, which a float64 cannot hold exactly, is a DataError.
 */
function copyNumbers(chunk: arrow.Data, target: Float64Array, at: number, name: string, source: string, native: ArrowNative | undefined): void {
  const values = chunk.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
  const rows = chunk.length;
  const isNull = nullTest(chunk);
  if ((values instanceof BigInt64Array || values instanceof BigUint64Array) && native !== undefined) {
    const unsafe = native.copyInt64(values, chunk.offset, rows, validityOf(chunk), target, at, 1, 1, true);
    if (unsafe >= 0) throw unsafeInteger(name, source, values[chunk.offset + unsafe] as bigint);
    return;
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const words = new Int32Array(values.buffer, values.byteOffset + chunk.offset * 8, rows * 2);
    const signed = values instanceof BigInt64Array;
    for (let i = 0; i < rows; i += 1) {
      const low = (words[2 * i] as number) >>> 0;
      const high = words[2 * i + 1] as number;
      const value = (signed ? high : high >>> 0) * TWO_32 + low;
      // 2^53 + 1 rounds to 2^53: at that magnitude only a zero low word is exact.
      if ((value > MAX_SAFE || value < -MAX_SAFE || (Math.abs(value) === MAX_SAFE && low !== 0)) && !isNull(i)) {
        throw unsafeInteger(name, source, values[chunk.offset + i] as bigint);
      }
      target[at + i] = value;
    }
  } else {
    // Typed-array to typed-array: converted natively by the engine, no loop in JavaScript.
    target.set((values as Int32Array | Float32Array | Float64Array).subarray(chunk.offset, chunk.offset + rows), at);
  }
  if (chunk.nullCount > 0) for (let i = 0; i < rows; i += 1) if (isNull(i)) target[at + i] = NaN;
}

/** The DataError for an int64 beyond +-2^53 in column `name` (the value as a bigint or its decimal text). */
export function unsafeInteger(name: string, source: string, value: bigint | string): DataError {
  return new DataError(
    `Column '${name}' of ${source} holds the integer ${String(value)}, beyond +-2^53: a Table's float64 values cannot hold it exactly. ` +
      `Convert it to a string column if it is an identifier, or to a float.`,
    { column: name },
  );
}

/** The chunk's validity bitmap when it has nulls, else null (every row present). */
function validityOf(chunk: arrow.Data): Uint8Array | null {
  return chunk.nullCount > 0 && chunk.nullBitmap !== undefined && chunk.nullBitmap.length > 0 ? chunk.nullBitmap : null;
}

/** Copies date or timestamp ticks as epoch milliseconds; microseconds stay as the fraction. */
function copyTicks(chunk: arrow.Data, target: Float64Array, at: number, msPerTick: number, native: ArrowNative | undefined): void {
  const values = chunk.values as Int32Array | BigInt64Array;
  const rows = chunk.length;
  const isNull = nullTest(chunk);
  if (values instanceof BigInt64Array && native !== undefined) {
    // The same arithmetic as below: a division for sub-millisecond units, else a multiplication.
    native.copyInt64(values, chunk.offset, rows, validityOf(chunk), target, at, msPerTick < 1 ? 1 : msPerTick, msPerTick < 1 ? 1 / msPerTick : 1, false);
    return;
  }
  if (values instanceof BigInt64Array) {
    const words = new Int32Array(values.buffer, values.byteOffset + chunk.offset * 8, rows * 2);
    for (let i = 0; i < rows; i += 1) {
      const ticks = (words[2 * i + 1] as number) * TWO_32 + ((words[2 * i] as number) >>> 0);
      // Divides for sub-millisecond units: the quotient is the double nearest the exact value.
      target[at + i] = msPerTick < 1 ? ticks / (1 / msPerTick) : ticks * msPerTick;
    }
  } else {
    const start = chunk.offset;
    for (let i = 0; i < rows; i += 1) target[at + i] = (values[start + i] as number) * msPerTick;
  }
  if (chunk.nullCount > 0) for (let i = 0; i < rows; i += 1) if (isNull(i)) target[at + i] = NaN;
}

/** A string column by its UTF-8 bytes (no JavaScript string per row, one per distinct text). */
function stringColumn(data: readonly arrow.Data<arrow.Utf8 | arrow.LargeUtf8>[], n: number): Column {
  const codes = new Int32Array(n);
  const dictionary = new ByteDictionary();
  let row = 0;
  for (const chunk of data) {
    const given = chunk.valueOffsets as Int32Array | BigInt64Array;
    const bytes = chunk.values as Uint8Array;
    // Large strings' 64-bit offsets are read as 32-bit halves (no BigInt per row).
    const wide = given instanceof BigInt64Array;
    const offsets = wide ? new Int32Array(given.buffer, given.byteOffset, given.length * 2) : given;
    const isNull = nullTest(chunk);
    const first = chunk.offset;
    const rows = chunk.length;
    for (let i = 0; i < rows; i += 1, row += 1) {
      if (isNull(i)) {
        codes[row] = MISSING_CODE;
        continue;
      }
      const at = first + i;
      const start = wide ? (offsets[2 * at + 1] as number) * TWO_32 + ((offsets[2 * at] as number) >>> 0) : (offsets[at] as number);
      const end = wide ? (offsets[2 * at + 3] as number) * TWO_32 + ((offsets[2 * at + 2] as number) >>> 0) : (offsets[at + 1] as number);
      codes[row] = dictionary.code(bytes, start, end);
    }
  }
  return categoricalFromDictionary({ codes, values: dictionary.texts }, true);
}

/** A dictionary-typed string column: the dictionary is decoded once, the indices become codes. */
function dictionaryColumn(data: readonly arrow.Data<arrow.Dictionary>[], n: number, name: string, source: string): Column {
  const codes = new Int32Array(n);
  const texts: string[] = [];
  const byText = new Map<string, number>();
  let row = 0;
  for (const chunk of data) {
    const dictionary = chunk.dictionary as arrow.Vector<arrow.Utf8> | undefined;
    const remap = Int32Array.from({ length: dictionary?.length ?? 0 }, (_, k) => {
      const text = dictionary?.get(k) ?? null;
      if (text === null) return MISSING_CODE;
      let code = byText.get(text);
      if (code === undefined) {
        code = texts.length;
        texts.push(text);
        byText.set(text, code);
      }
      return code;
    });
    const indices = chunk.values as ArrayLike<number> | BigInt64Array;
    const isNull = nullTest(chunk);
    const first = chunk.offset;
    const rows = chunk.length;
    for (let i = 0; i < rows; i += 1, row += 1) {
      if (isNull(i)) {
        codes[row] = MISSING_CODE;
        continue;
      }
      const code = remap[Number(indices[first + i])];
      if (code === undefined) {
        throw new DataError(
          `Column '${name}' of ${source} holds the dictionary index ${String(indices[first + i])} at row ${row}, beyond its dictionary of ${remap.length} values. ` +
            'The file is damaged or was written incorrectly; write it again.',
          { column: name },
        );
      }
      codes[row] = code;
    }
  }
  return categoricalFromDictionary({ codes, values: texts }, true);
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

