import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AddonLoadError, type DisposedError, type NativeError, type ParameterError } from '@kdap/errors';
import { type AddonDescription, describeAddon, loadKdapAddon } from '@kdap/napi-common';

/**
 * Layer 1 of the duckdb_vectors addon. It reads DuckDB vectors through the C API of the libduckdb
 * that @duckdb/node-bindings has loaded, so the handles it takes are the bindings' own.
 */
/** What `tokenizeCsv` makes of a plain CSV file's data lines, by column (see there). */
export interface CsvTokens {
  rows: number;
  kinds: ('text' | 'number' | 'date' | 'timestamp')[];
  /** Per row, for 'number' / 'date' / 'timestamp' columns; null for 'text'. */
  values: (Float64Array | null)[];
  /** Dictionary codes per row (-1: a missing marker), for 'text' columns; null for the others. */
  codes: (Int32Array | null)[];
  /** The distinct texts of a 'text' column joined by NUL; null when `numbers` has them. */
  texts: (string | null)[];
  /** The numbers of a 'text' column whose every text is a plain number, by code; else null. */
  numbers: (Float64Array | null)[];
}

export interface DuckDBVectorsBinding {
  /** Stores the @kdap/errors classes the addon builds its errors from, in this environment. */
  init(classes: { NativeError: typeof NativeError; ParameterError: typeof ParameterError; DisposedError: typeof DisposedError }): void;
  /**
   * Finds the DuckDB C API in `libraryPath`, which this process must already have loaded
   * (`dlopen(libraryPath, RTLD_NOW | RTLD_NOLOAD)`); returns `duckdb_library_version()`.
   * Attaching again to the same path is a no-op; to another path, a ParameterError.
   */
  attach(libraryPath: string): string;
  /**
   * Copies the first `rows` values of DOUBLE column `column` of `chunk` (a DataChunk handle of
   * @duckdb/node-bindings) into `target` from `offset`; NULL rows become NaN. One memcpy, no
   * allocation. Uses `duckdb_data_chunk_get_vector`, `duckdb_vector_get_data` and
   * `duckdb_vector_get_validity`. Throws a ParameterError (@kdap/errors) for another kind of handle,
   * a column that is not DOUBLE, or a column, row count or target range out of bounds.
   */
  copyDoubleColumn(chunk: object, column: number, rows: number, target: Float64Array, offset: number): void;
  /**
   * Prepares `sql` on a new connection to the addon's own in-memory DuckDB (one per process,
   * opened on first use, with the external file cache off). Binding the query runs CSV sniffing
   * and reads Parquet footers; no rows are read yet. Returns the result's column names and DuckDB
   * type ids (`duckdb_type`). A query DuckDB refuses throws an Error carrying DuckDB's message.
   */
  openScan(sql: string): { handle: object; names: string[]; types: number[] };
  /**
   * Reads up to `maxRows` further rows of an open scan on a worker thread, decoded into fresh
   * arrays sized for `capacity` rows first (grown if needed): BOOLEAN, integer, FLOAT and DOUBLE
   * columns as float64; DATE and TIMESTAMP[_S|_MS|_NS|_TZ] as float64 epoch milliseconds (the
   * microsecond part kept as a fraction); VARCHAR as int32 codes into the column's dictionary,
   * built by hashing the string bytes (`newTexts[j]` holds the texts first seen in this read, in
   * code order). NULL is NaN or code -1. A BIGINT/UBIGINT beyond +-2^53 sets `overflow` (the first
   * such column and value) and ends the read. Other types reject: cast them in the query.
   * `sortTexts`: when this read ends the scan and returned no texts before, each VARCHAR column's
   * texts come back in `sortedTexts[j]` instead, in JavaScript's string order (UTF-16 code units)
   * as one UTF-8 block, with the codes rewritten to that order: no JavaScript string per text.
   */
  readScan(handle: object, maxRows: number, capacity: number, sortTexts?: boolean): Promise<ScanBatch>;
  /** Releases a scan's connection (once no read is running); later reads throw. Idempotent. */
  closeScan(handle: object): void;
  /**
   * Splits the data lines of a plain CSV file (`bytes` from offset `start`, after the header) into
   * `width` columns. A column whose first field is a plain number
   * (`-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`, no integer beyond 2^53), an ISO date (`YYYY-MM-DD`)
   * or an ISO timestamp (`YYYY-MM-DD[ T]hh:mm:ss[.ffffff]`) and whose every other field is of that
   * kind or a `missing` marker comes back as `kinds[j]` 'number' / 'date' / 'timestamp' with
   * `values[j]`, one float64 per row (numbers parsed correctly rounded, as `Number()`; dates and
   * timestamps as UTC epoch milliseconds, the microseconds as the fraction; NaN for a marker).
   * Every other column is 'text': dictionary-encoded by its bytes, `codes[j]` index the distinct
   * texts in order of first appearance (quotes removed), which `texts[j]` holds joined by NUL
   * characters (one string per column), or, when every text is a plain number, `numbers[j]` holds
   * them by code and `texts[j]` is null. From 1 MB of data lines on, the lines are cut at line feeds
   * into one range per core (up to 8), each counted and then tokenized by its own thread.
   * Returns null, for the caller to use DuckDB, when the text is not plain: a blank line, a line
   * with another field count, a quote inside an unquoted field, a quoted field with an escaped
   * quote, a line break or nothing in it, a NUL byte, or more than `maxRows` lines. Does not check
   * UTF-8 (the caller does).
   *
   * `source` a path: each range of the file's data lines from byte `start` is read by its thread in
   * 8 MB blocks (memory stays one block per thread; a range that fits one block is read once), each
   * block checked as UTF-8 (null if not). Either way the lines are counted natively and `maxRows` is
   * a limit (more lines: null).
   */
  tokenizeCsv(
    source: Uint8Array | string,
    start: number,
    width: number,
    delimiter: number,
    maxRows: number,
    missing?: string,
  ): Promise<CsvTokens | null>;
  /**
   * `missing` (above): texts that mean NULL, joined by line feeds. Text fields spelled exactly like
   * one get code -1 and stay out of `texts`; the other codes close up.
   *
   * gatherNumbers: each row's number by its code (`byCode[codes[i]]`), NaN for code -1, in a new
   * Float64Array. A code beyond `byCode` is a ParameterError (checked before anything is written).
   */
  gatherNumbers(codes: Int32Array, byCode: Float64Array): Float64Array;
  /** `codes[i] = remap[codes[i]]` in place; -1 stays -1. A code beyond `remap` is a ParameterError. */
  remapCodes(codes: Int32Array, remap: Int32Array): void;
  /**
   * Copies rows `first .. first + rows` of an Arrow 64-bit integer or tick chunk into `target` from
   * `at`: `double(value) * multiply / divide` (pass 1 for one of them; the double JavaScript
   * computes), NaN where the row's `validity` bit is 0. With `checkSafe`, returns the first
   * chunk-relative row whose non-null value is beyond +-2^53 (else -1); the copy goes on past it.
   */
  copyInt64(
    values: BigInt64Array | BigUint64Array,
    first: number,
    rows: number,
    validity: Uint8Array | null,
    target: Float64Array,
    at: number,
    multiply: number,
    divide: number,
    checkSafe: boolean,
  ): number;
  /**
   * The strings of UTF-8 texts `bytes[offsets[k], offsets[k + 1])`, k < offsets.length - 1. Offsets
   * that are not ascending within `bytes` are a ParameterError (all checked before any string is made).
   */
  decodeTexts(bytes: Uint8Array, offsets: Int32Array): string[];
  /**
   * Sets rows 0 .. rows - 1 of VARCHAR column `column` of `chunk` (a @duckdb/node-bindings
   * DataChunk handle whose size is at least `rows`) to the texts `codes[start + i]` of
   * `bytes`/`offsets` (as decodeTexts), NULL for code -1, with
   * `duckdb_vector_assign_string_element_len` and `duckdb_validity_set_row_validity`. Another
   * handle, a column that is not VARCHAR, a range beyond `codes`, or a code beyond the texts is a
   * ParameterError, raised before the chunk is written.
   */
  fillVarchar(chunk: object, column: number, codes: Int32Array, start: number, rows: number, bytes: Uint8Array, offsets: Int32Array): void;
  /**
   * The footer of a Parquet file the addon reads itself (`readParquet`): column names, the DuckDB
   * type id DuckDB's reader would give each column, and the row count. `unsupported` (with the
   * reason) for a file it leaves to DuckDB: nested or repeated columns, decimals, INT96, binary
   * without a string annotation, DELTA or BYTE_STREAM_SPLIT encodings, codecs other than
   * uncompressed/Snappy/ZSTD, encryption, duplicate column names, a malformed footer.
   */
  parquetSchema(path: string): { names: string[]; types: number[]; rows: number } | { unsupported: string };
  /**
   * Reads a whole Parquet file on a worker thread and as many helper threads as there are cores
   * (one (row group, column) at a time each), decoded as `readScan` decodes DuckDB's types: numbers
   * and booleans as float64, dates and timestamps as float64 epoch milliseconds (microseconds as
   * the fraction), strings as int32 codes with `sortedTexts` (dictionary pages coded once per entry).
   * `names` and `types` are the footer's as this read found it (the file may have changed since
   * `parquetSchema`). `unsupported` (with the reason) when a page turns out to be something it
   * does not decode.
   */
  readParquet(path: string): Promise<(ScanBatch & { readonly names: string[]; readonly types: number[] }) | { unsupported: string }>;
  /**
   * Reads the Arrow IPC file (`ARROW1` magic + footer) or stream at `path` into one buffer and lays
   * it out: the schema's fields and, in file order (dictionary batches first in a file, as they come
   * in a stream), each batch's columns as file offsets into `bytes` (ArrowIpcBatch). Only flat
   * columns are laid out: with any other field (`supported` false) or a big-endian file, `batches`
   * is empty and the caller reads the file another way or raises an error. Compressed bodies
   * (LZ4_FRAME, ZSTD) are decoded into a buffer of their own, which `bytes` then is (`decoded`);
   * another codec leaves `batches` empty. Metadata that is malformed, a buffer outside its message
   * body or too short for its rows, string offsets that do not ascend within their bytes, or a
   * compressed buffer that does not decode to its stated length throw an Error saying which.
   * With `build`, the columns a Table takes as they are come built too (`columns`): integers,
   * floats (not half), dates and timestamps as float64 values (epoch milliseconds; int64 beyond
   * +-2^53 reported as `unsafe`), Utf8/LargeUtf8 columns dictionary-encoded as encodeTextColumns
   * encodes them (while this thread copies the numbers); null for the other fields.
   */
  readArrowIpc(path: string, build?: boolean): ArrowIpcLayout;
  /**
   * Dictionary-encodes Arrow Utf8 (Int32Array offsets) or LargeUtf8 (BigInt64Array offsets) text
   * columns by their bytes: `columns[j]` holds column j's chunks, each `[bytes, offsets, first, rows,
   * validity]` (rows `first` to `first + rows - 1` of the chunk; `validity` its null bitmap indexed
   * from bit 0, or null), every column `total` rows.
   * The columns are encoded on up to as many threads as the machine has cores; their codes (-1 for
   * NULL) share one block (huge pages from 1 MB on, freed when all the arrays are collected). Texts
   * come sorted into JavaScript's string order with the codes renumbered to match (unless a
   * column's texts hold 2 GB or more: then in code order). Offsets are checked before any text is
   * read; bad chunks are a ParameterError naming the column and chunk.
   */
  encodeTextColumns(columns: [Uint8Array, Int32Array | BigInt64Array, number, number, Uint8Array | null][][], total: number): { codes: Int32Array; texts: string[] }[];
  /**
   * A zeroed Float64Array of `length` values in memory of its own (from 1 MB on, advised for
   * transparent huge pages: its first writes cost a page fault per 2 MB, not per 4 KB), for a
   * column about to be written whole. Freed when the array is collected.
   */
  allocateFloat64(length: number): Float64Array;
  /**
   * The whole file at `path` in one buffer of its own (from 1 MB on in transparent huge pages, as
   * allocateFloat64), freed when the array is collected. A file that cannot be read throws an
   * Error with the system's reason.
   */
  readFile(path: string): Uint8Array;
}

/** An Arrow type as readArrowIpc reports it (the fields that matter for its kind). */
export interface ArrowIpcType {
  /** null | int | float | bool | decimal | date | timestamp | utf8 | largeUtf8, or the Arrow type's name when not supported. */
  readonly kind: string;
  readonly bitWidth: number;
  readonly signed: boolean;
  /** FloatingPoint: 0 half, 1 single, 2 double; Decimal: its digits. */
  readonly precision: number;
  readonly scale: number;
  /** Date: 0 day, 1 millisecond; Timestamp: 0 s, 1 ms, 2 us, 3 ns. */
  readonly unit: number;
  readonly timezone: string | null;
}

export interface ArrowIpcField {
  readonly name: string;
  readonly nullable: boolean;
  /** The values' type (for a dictionary-encoded column, its dictionary's). */
  readonly type: ArrowIpcType;
  /** -1, or the dictionary id of a dictionary-encoded column (whose indices have type `index`). */
  readonly dictionaryId: number;
  readonly index: ArrowIpcType | null;
  readonly supported: boolean;
}

/**
 * One record batch (`dictionaryId` -1) or dictionary batch: per column, 8 numbers `[rows, nulls,
 * validity offset, length, values (or string offsets) offset, length, string data offset, length]`,
 * offsets into the layout's `bytes`, -1 for a buffer the type has not.
 */
export interface ArrowIpcBatch {
  readonly dictionaryId: number;
  readonly delta: boolean;
  readonly rows: number;
  readonly columns: Float64Array;
}

export interface ArrowIpcLayout {
  readonly bytes: Uint8Array;
  readonly stream: boolean;
  readonly bigEndian: boolean;
  readonly supported: boolean;
  /** 'LZ4_FRAME' | 'ZSTD' (or 'codec N') when batches of the file are compressed, else null. */
  readonly compression: string | null;
  /** Whether those batches were decoded (`bytes` holds their buffers); false leaves `batches` empty. */
  readonly decoded: boolean;
  readonly fields: ArrowIpcField[];
  readonly batches: ArrowIpcBatch[];
  /** Per field, the column readArrowIpc built (with `build`, for a file it lays out), else null. */
  readonly columns: (ArrowIpcColumn | null)[] | null;
}

/**
 * A column readArrowIpc built: float64 values (NaN for NULL; the float64 columns of a read share
 * one block), the first value of an int64 column beyond +-2^53 (as decimal text), or text codes (-1
 * for NULL) into texts sorted into JavaScript's string order.
 */
export type ArrowIpcColumn = { readonly values: Float64Array } | { readonly unsafe: string } | { readonly codes: Int32Array; readonly texts: string[] };

/** Texts as one UTF-8 block: text k is `bytes[offsets[k], offsets[k + 1])`. */
export interface Utf8Texts {
  readonly bytes: Uint8Array;
  /** One more entry than there are texts. */
  readonly offsets: Int32Array;
}

/** Rows a `readScan` decoded. */
export interface ScanBatch {
  readonly rows: number;
  /** Per column: float64 values, or int32 dictionary codes for VARCHAR columns; `rows` long. */
  readonly columns: (Float64Array | Int32Array)[];
  /** Per VARCHAR column: the texts first seen in this read, in code order; null for the others. */
  readonly newTexts: (string[] | null)[];
  /**
   * Per VARCHAR column of a `sortTexts` read that ended the scan: all its texts, sorted, as UTF-8
   * (`newTexts[j]` is then null), and how many of them are numbers written as text (after
   * `String.prototype.trim()`: `[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?` or `[+-]?(inf|infinity|nan)`,
   * any case); null otherwise.
   */
  readonly sortedTexts?: ((Utf8Texts & { readonly numberTexts: number }) | null)[];
  /** True when the query has no rows left. */
  readonly done: boolean;
  /** The first integer a float64 cannot hold exactly: column index and value as decimal text. */
  readonly overflow?: { column: number; value: string };
}

export { AddonLoadError };

/** This package's addon, for load errors (platform, file looked for, source build command). */
export function addonDescription(): AddonDescription {
  return describeAddon(path.resolve(__dirname, '..'), { what: 'The duckdb-vectors addon' });
}

let loaded: DuckDBVectorsBinding | undefined;

/** The loaded addon, not yet attached (loaded on first use). */
export function binding(): DuckDBVectorsBinding {
  if (loaded !== undefined) return loaded;
  loaded = loadKdapAddon<DuckDBVectorsBinding>(addonDescription());
  return loaded;
}

/**
 * Where the DuckDB shared library of a @duckdb/node-bindings installation may be: its platform
 * package (`@duckdb/node-bindings-<platform>-<arch>[-musl]`) holds duckdb.node and, next to it,
 * libduckdb. Only files that exist are returned; which one the process loaded is for `attach` to
 * tell.
 */
export function duckdbLibraryCandidates(bindingsPackageDir: string): string[] {
  const requireFrom = createRequire(path.join(bindingsPackageDir, 'package.json'));
  const base = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
  const file = process.platform === 'darwin' ? 'libduckdb.dylib' : 'libduckdb.so';
  const found: string[] = [];
  for (const name of [base, `${base}-musl`]) {
    try {
      const library = path.join(path.dirname(requireFrom.resolve(`${name}/package.json`)), file);
      if (fs.existsSync(library)) found.push(library);
    } catch {
      // That platform package is not installed.
    }
  }
  return found;
}

/**
 * The @duckdb/node-bindings release this addon was written and tested against: its package.json
 * `peerDependencies` pin (the same exact version @kdap/preprocessing depends on). The addon reads
 * that release's DataChunk handles and `duckdb_result` layout.
 */
export function pinnedBindingsVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string; peerDependencies: Record<string, string> };
  return manifest.peerDependencies['@duckdb/node-bindings']!;
}

/** Refuses bindings of another release than the pin: AddonLoadError naming both versions and the fix. */
function checkBindingsVersion(bindingsPackageDir: string): void {
  const pinned = pinnedBindingsVersion();
  const manifest = path.join(bindingsPackageDir, 'package.json');
  // No package there: the library lookup that follows names the directory.
  if (!fs.existsSync(manifest)) return;
  const actual = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  if (actual !== pinned) {
    throw new AddonLoadError(
      `@kdap/duckdb-vectors is pinned to @duckdb/node-bindings ${pinned} (whose DuckDB C API results and DataChunk handles it reads), ` +
        `but the bindings at ${bindingsPackageDir} are ${actual}. Install @duckdb/node-api and @duckdb/node-bindings ${pinned}, ` +
        'the versions @kdap/preprocessing pins, or a @kdap/duckdb-vectors release made for the newer bindings.',
    );
  }
}

/**
 * Loads the addon and attaches it to the DuckDB library that the @duckdb/node-bindings installed
 * at `bindingsPackageDir` loaded (require the bindings first). Returns the attached binding and
 * DuckDB's version; throws AddonLoadError when the bindings are not the pinned release
 * (pinnedBindingsVersion), or, naming every path tried, when no library is loaded.
 */
export function attachToDuckDB(bindingsPackageDir: string): { binding: DuckDBVectorsBinding; version: string; library: string } {
  checkBindingsVersion(bindingsPackageDir);
  const addon = binding();
  const candidates = duckdbLibraryCandidates(bindingsPackageDir);
  const failures: string[] = [];
  for (const library of candidates) {
    try {
      return { binding: addon, version: addon.attach(library), library };
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new AddonLoadError(
    candidates.length === 0
      ? `No DuckDB shared library found for @duckdb/node-bindings at ${bindingsPackageDir} (${process.platform}-${process.arch}).`
      : `Could not attach to DuckDB: ${failures.join('; ')}`,
  );
}
