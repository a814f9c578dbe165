import * as fs from 'node:fs';
import * as arrow from 'apache-arrow';
import type { ArrowIpcBatch, ArrowIpcField, ArrowIpcLayout, ArrowIpcType } from '@kdap/duckdb-vectors';
import { DataError, InternalError, SchemaError } from '../errors';
import { type Column, categoricalFromUsedDictionary, dateColumn, numericColumn } from '../table/column';
import { type ArrowNative, columnsFromArrow, columnsFromChunks, unsafeInteger } from '../table/arrow';
import { arrowCopier } from './duckdb-vectors';

/**
 * Reads an Arrow IPC file or stream (the encoding is detected from the bytes). With the addon, the
 * file is read and its metadata parsed natively (`readArrowIpc`, which also decodes LZ4_FRAME and
 * ZSTD compressed bodies, as pandas' `to_feather` writes by default); the addon builds the number,
 * date, timestamp and plain text columns itself and the others are built from views of that one
 * buffer; files with columns the addon does not lay out (nested, binary, time,
 * ...) or big-endian ones go through apache-arrow's reader, which gives the same columns or the
 * same errors.
 */
export function readArrowIpc(file: string): Map<string, Column> {
  const native = arrowCopier();
  if (native !== undefined) {
    let layout: ArrowIpcLayout;
    try {
      layout = native.readArrowIpc(file, true);
    } catch (error) {
      throw notArrow(file, (error as Error).message);
    }
    // LZ4_FRAME and ZSTD bodies come decoded; another codec, or a DuckDB without those decoders, does not.
    if (layout.compression !== null && !layout.decoded) throw compressed(file, layout.compression);
    if (layout.supported) {
      if (layout.fields.length === 0) throw noSchema(file);
      return columnsFromLayout(layout, `'${file}'`, native);
    }
    return readWithApacheArrow(file, layout.bytes, native);
  }
  return readWithApacheArrow(file, fs.readFileSync(file), undefined);
}

function readWithApacheArrow(file: string, bytes: Uint8Array, native: ArrowNative | undefined): Map<string, Column> {
  let table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (error) {
    const message = (error as Error).message;
    // apache-arrow names no codec; pyarrow and pandas write LZ4 unless told otherwise.
    if (/compressed/i.test(message)) throw compressed(file, 'LZ4_FRAME or ZSTD');
    throw notArrow(file, message);
  }
  if (table.schema.fields.length === 0) throw noSchema(file);
  // String columns are dictionary-encoded and 64-bit columns copied natively when the addon is
  // attached (same codes, texts and values).
  return columnsFromArrow(table, `'${file}'`, native);
}

function notArrow(file: string, reason: string): DataError {
  return new DataError(
    `Cannot read '${file}' as Arrow IPC: ${reason.replace(/\.$/, '')}. Check that it is an Arrow IPC file or stream (not Parquet or CSV) and that it was written completely.`,
    { file },
  );
}

function noSchema(file: string): DataError {
  return new DataError(`Cannot read '${file}' as Arrow IPC: it holds no columns. Check that it is an Arrow IPC file or stream with at least one column.`, { file });
}

function compressed(file: string, codec: string): DataError {
  return new DataError(
    `Cannot read '${file}': its Arrow IPC buffers are compressed with ${codec}, which this reader cannot decompress here ` +
      '(it decodes LZ4_FRAME and ZSTD through the native addon, in files of flat columns). ' +
      "Write it uncompressed: in Python `df.to_feather(path, compression='uncompressed')` or " +
      "`pyarrow.feather.write_feather(table, path, compression='uncompressed')`, " +
      'or save it as Parquet, which readTable reads compressed.',
    { file },
  );
}

/** The apache-arrow type for a laid-out column type (only the kinds readArrowIpc lays out). */
function arrowType(type: ArrowIpcType): arrow.DataType {
  switch (type.kind) {
    case 'null':
      return new arrow.Null();
    case 'int':
      return new arrow.Int(type.signed, type.bitWidth as 8 | 16 | 32 | 64);
    case 'float':
      return new arrow.Float(type.precision as arrow.Precision);
    case 'bool':
      return new arrow.Bool();
    case 'decimal':
      return new arrow.Decimal(type.scale, type.precision, type.bitWidth);
    case 'date':
      return type.unit === 0 ? new arrow.DateDay() : new arrow.DateMillisecond();
    case 'timestamp':
      return new arrow.Timestamp(type.unit as arrow.TimeUnit, type.timezone);
    case 'utf8':
      return new arrow.Utf8();
    case 'largeUtf8':
      return new arrow.LargeUtf8();
    default:
      throw new InternalError(`readArrowIpc laid out a column of kind '${type.kind}', which the reader has no Arrow type for.`);
  }
}

type ViewConstructor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView; readonly BYTES_PER_ELEMENT: number };

/**
 * Views of the file's bytes. Arrow aligns buffers to 8 bytes, so a view is the norm; a writer that
 * did not gets a copy of that buffer (typed arrays need aligned offsets).
 */
class FileBuffers {
  constructor(private readonly bytes: Uint8Array) {}

  view<T extends ArrayBufferView>(kind: ViewConstructor, offset: number, byteLength: number): T {
    const count = Math.floor(byteLength / kind.BYTES_PER_ELEMENT);
    const at = this.bytes.byteOffset + offset;
    if (at % kind.BYTES_PER_ELEMENT === 0) return new kind(this.bytes.buffer, at, count) as T;
    const copy = this.bytes.slice(offset, offset + count * kind.BYTES_PER_ELEMENT);
    return new kind(copy.buffer, 0, count) as T;
  }

  /** Column j's chunk of `batch` as apache-arrow Data of `type`. */
  data(type: arrow.DataType, batch: ArrowIpcBatch, j: number, dictionary?: arrow.Vector): arrow.Data {
    const c = batch.columns.subarray(8 * j, 8 * j + 8);
    const [length, nullCount, validityAt, validityLength, valuesAt, valuesLength, dataAt, dataLength] = c as unknown as number[] as [
      number, number, number, number, number, number, number, number,
    ];
    if (arrow.DataType.isNull(type)) return arrow.makeData({ type, length, nullCount: length });
    const nullBitmap = nullCount > 0 ? this.view<Uint8Array>(Uint8Array, validityAt, validityLength) : undefined;
    const props = { type, offset: 0, length, nullCount, nullBitmap } as const;
    if (arrow.DataType.isDictionary(type)) {
      return arrow.makeData({ ...props, type, data: this.view(type.indices.ArrayType as ViewConstructor, valuesAt, valuesLength), dictionary } as never);
    }
    if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) {
      const offsets = arrow.DataType.isUtf8(type) ? Int32Array : BigInt64Array;
      // An empty column may come without offsets: one zero offset stands for them.
      const valueOffsets = valuesLength === 0 && length === 0 ? new offsets(1) : this.view(offsets, valuesAt, valuesLength);
      return arrow.makeData({ ...props, type, valueOffsets, data: this.view<Uint8Array>(Uint8Array, dataAt, dataLength) } as never);
    }
    const element = arrow.DataType.isBool(type) ? Uint8Array : (type.ArrayType as ViewConstructor);
    return arrow.makeData({ ...props, type, data: this.view(element, valuesAt, valuesLength) } as never);
  }
}

/**
 * Columns from a natively laid-out file: those the addon built (numbers, dates, timestamps, plain
 * texts) as they came, the others (booleans, decimals, half floats, dictionary-typed texts, the
 * null type) from views of the file's buffers, with dictionaries as the batches met them (replaced
 * or delta-extended).
 */
function columnsFromLayout(layout: ArrowIpcLayout, source: string, native: ArrowNative): Map<string, Column> {
  const built = layout.columns ?? layout.fields.map(() => null);
  const seen = new Set<string>();
  for (const field of layout.fields) {
    if (seen.has(field.name)) {
      throw new SchemaError(`${source} has two columns named '${field.name}'. Rename one of them; column names must be unique.`, { column: field.name });
    }
    seen.add(field.name);
  }
  const rest = layout.fields.flatMap((field, j) => (built[j] === null ? [j] : []));
  const others = rest.length === 0 ? new Map<string, Column>() : columnsFromViews(layout, rest, source, native);
  const columns = new Map<string, Column>();
  layout.fields.forEach((field, j) => {
    const column = built[j];
    if (column === null || column === undefined) {
      columns.set(field.name, others.get(field.name) as Column);
    } else if ('unsafe' in column) {
      throw unsafeInteger(field.name, source, column.unsafe);
    } else if ('values' in column) {
      columns.set(field.name, field.type.kind === 'date' || field.type.kind === 'timestamp' ? dateColumn(column.values) : numericColumn(column.values));
    } else {
      // Sorted by the addon: categoricalFromUsedDictionary finds nothing to remap.
      columns.set(field.name, categoricalFromUsedDictionary(column.codes, column.texts, native.remapCodes));
    }
  });
  return columns;
}

/** Columns `indices` of the file, as apache-arrow Data over views of its buffers. */
function columnsFromViews(layout: ArrowIpcLayout, indices: readonly number[], source: string, native: ArrowNative): Map<string, Column> {
  const buffers = new FileBuffers(layout.bytes);
  const fields = layout.fields.map((field) => fieldOf(field));
  const chunks: arrow.Data[][] = fields.map(() => []);
  const dictionaries = new Map<number, arrow.Vector>();
  for (const batch of layout.batches) {
    if (batch.dictionaryId >= 0) {
      const owner = fields[layout.fields.findIndex((field) => field.dictionaryId === batch.dictionaryId)] as arrow.Field<arrow.Dictionary>;
      const values = arrow.makeVector(buffers.data(owner.type.dictionary, batch, 0));
      const before = dictionaries.get(batch.dictionaryId);
      dictionaries.set(batch.dictionaryId, batch.delta && before !== undefined ? before.concat(values) : values);
      continue;
    }
    for (const j of indices) {
      const field = fields[j] as arrow.Field;
      let dictionary: arrow.Vector | undefined;
      if (arrow.DataType.isDictionary(field.type)) {
        dictionary = dictionaries.get(field.type.id);
        // A batch without rows needs none (apache-arrow's writer sends no dictionary then).
        if (dictionary === undefined && batch.rows === 0) dictionary = arrow.makeVector(arrow.makeData({ type: field.type.dictionary, length: 0, nullCount: 0 } as never));
        if (dictionary === undefined) {
          throw notArrow(source.slice(1, -1), `column '${field.name}' is dictionary-encoded, but no dictionary batch for it comes before its first record batch`);
        }
      }
      (chunks[j] as arrow.Data[]).push(buffers.data(field.type, batch, j, dictionary));
    }
  }
  return columnsFromChunks(
    indices.map((j) => fields[j] as arrow.Field),
    indices.map((j) => chunks[j] as arrow.Data[]),
    source,
    native,
  );
}

function fieldOf(field: ArrowIpcField): arrow.Field {
  const values = arrowType(field.type);
  const type =
    field.index === null ? values : new arrow.Dictionary(values, arrowType(field.index) as never, field.dictionaryId);
  return new arrow.Field(field.name, type, field.nullable);
}
